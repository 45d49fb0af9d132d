/**
 * Who may try a password now. Pure: time comes from the caller.
 *
 * Two limits (issue 15, "Login flood"):
 *   - global: at most `maxInFlight` password checks at once and `maxPerWindow` started per
 *     `windowMs`, for everyone together. A check costs the box about a second of PBKDF2; past the
 *     limit a request gets 503 with Retry-After at once, before any hashing, so a flood from any
 *     number of addresses cannot queue work that starves meter reading or the API.
 *   - per source (addressKey: an IPv6 /64 counts as one): `freeFailures` wrong passwords, then a
 *     wait before the next try that doubles with each further failure up to `maxDelayMs`. Never a
 *     lockout: the owner whose address a stranger shares (or who mistyped) still gets one try per
 *     `maxDelayMs` at worst. A success clears the source's record.
 * A browser that logged in before carries a "known browser" token (access-control.ts); its tries
 * run in a lane of their own (one at a time, `knownPerWindow` per window), untouched by the
 * strangers' flood or by their failures at its address. The owner's session is not a login at all,
 * so no failure anywhere ends it.
 * The per-source table is bounded (`maxSources`, the quietest entry is dropped first).
 */
import { addressKey } from '../lan/connection-table';

export interface LoginThrottleOptions {
  maxInFlight: number;
  maxPerWindow: number;
  knownPerWindow: number;
  windowMs: number;
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A source quiet this long starts afresh. */
  forgetAfterMs: number;
  maxSources: number;
}

/** The device: one PBKDF2 at a time (about 1 s each), at most 2 started per 5 s. */
export const deviceLoginThrottle: LoginThrottleOptions = {
  maxInFlight: 1,
  maxPerWindow: 2,
  knownPerWindow: 1,
  windowMs: 5000,
  freeFailures: 5,
  baseDelayMs: 2000,
  maxDelayMs: 30000,
  forgetAfterMs: 15 * 60000,
  maxSources: 64,
};

/** A PC or Raspberry Pi: node:crypto hashes in the thread pool; two at once, four a second. */
export const hostLoginThrottle: LoginThrottleOptions = {
  maxInFlight: 2,
  maxPerWindow: 4,
  knownPerWindow: 2,
  windowMs: 1000,
  freeFailures: 5,
  baseDelayMs: 2000,
  maxDelayMs: 30000,
  forgetAfterMs: 15 * 60000,
  maxSources: 256,
};

export type LoginLane = 'stranger' | 'known';

export type LoginAdmission = { ok: true; ticket: LoginTicket } | { ok: false; status: 429 | 503; retryAfterMs: number; reason: string };

export interface LoginTicket {
  readonly key: string;
  readonly lane: LoginLane;
  done: boolean;
}

interface SourceRecord {
  failures: number;
  lastFailureMs: number;
  nextTryMs: number;
}

interface Lane {
  inFlight: number;
  starts: number[];
}

export class LoginThrottle {
  private readonly sources = new Map<string, SourceRecord>();
  private readonly lanes: Record<LoginLane, Lane> = { stranger: { inFlight: 0, starts: [] }, known: { inFlight: 0, starts: [] } };
  refusedCount = 0;

  constructor(private readonly options: LoginThrottleOptions) {}

  /** May `remote` try a password now? On ok, call finish(ticket, ...) exactly once when the check is over. */
  admit(remote: string | undefined, lane: LoginLane, nowMs: number): LoginAdmission {
    const o = this.options;
    const key = addressKey(remote);
    if (lane === 'stranger') {
      const record = this.record(key, nowMs);
      if (record && record.nextTryMs > nowMs) {
        this.refusedCount++;
        const waitMs = record.nextTryMs - nowMs;
        return {
          ok: false,
          status: 429,
          retryAfterMs: waitMs,
          reason: `too many wrong passwords from your address; try again in ${Math.ceil(waitMs / 1000)} s`,
        };
      }
    }
    const state = this.lanes[lane];
    const perWindow = lane === 'known' ? o.knownPerWindow : o.maxPerWindow;
    const maxInFlight = lane === 'known' ? 1 : o.maxInFlight;
    while (state.starts.length && nowMs - state.starts[0] >= o.windowMs) state.starts.shift();
    if (state.inFlight >= maxInFlight || state.starts.length >= perWindow) {
      this.refusedCount++;
      const waitMs = state.starts.length >= perWindow ? o.windowMs - (nowMs - state.starts[0]) : 1000;
      return { ok: false, status: 503, retryAfterMs: Math.max(waitMs, 1), reason: 'busy checking other login attempts; try again in a moment' };
    }
    state.inFlight++;
    state.starts.push(nowMs);
    return { ok: true, ticket: { key, lane, done: false } };
  }

  /** The check is over: `success` false counts a wrong password against the source. */
  finish(ticket: LoginTicket, success: boolean, nowMs: number): void {
    if (ticket.done) return;
    ticket.done = true;
    this.lanes[ticket.lane].inFlight--;
    if (success) {
      this.sources.delete(ticket.key);
      return;
    }
    if (ticket.lane === 'known') return; // the known-browser token pays for its failures itself
    this.recordFailure(ticket.key, nowMs);
  }

  /** A wrong password seen outside a login (changing the password): counts like a login failure. */
  recordFailure(key: string, nowMs: number): void {
    const o = this.options;
    let record = this.record(key, nowMs);
    if (!record) {
      if (this.sources.size >= o.maxSources) this.dropQuietest();
      record = { failures: 0, lastFailureMs: nowMs, nextTryMs: 0 };
      this.sources.set(key, record);
    }
    record.failures++;
    record.lastFailureMs = nowMs;
    const over = record.failures - o.freeFailures;
    if (over >= 0) record.nextTryMs = nowMs + Math.min(o.maxDelayMs, o.baseDelayMs * Math.pow(2, Math.min(over, 20)));
  }

  /** Failures on record for a source (tests and diagnostics). */
  failuresOf(remote: string | undefined, nowMs: number): number {
    return this.record(addressKey(remote), nowMs)?.failures ?? 0;
  }

  private record(key: string, nowMs: number): SourceRecord | undefined {
    const record = this.sources.get(key);
    if (record && nowMs - record.lastFailureMs >= this.options.forgetAfterMs) {
      this.sources.delete(key);
      return undefined;
    }
    return record;
  }

  private dropQuietest(): void {
    let quietestKey: string | undefined;
    let quietestMs = Infinity;
    this.sources.forEach((record, key) => {
      if (record.lastFailureMs < quietestMs) {
        quietestMs = record.lastFailureMs;
        quietestKey = key;
      }
    });
    if (quietestKey !== undefined) this.sources.delete(quietestKey);
  }
}
