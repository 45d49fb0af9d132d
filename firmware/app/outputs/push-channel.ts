/**
 * One charger's HTTP channel: one request at a time, a time-out, back-off after failures, and the
 * state shown under `outputs.chargers` in GET /api/v1/status. What to send and when is the
 * driver's business (smartevse-push.ts, openevse-push.ts, goe-push.ts); this file only paces.
 *
 * - At most one request in flight. A request with no answer after its time-out plus a second is
 *   counted as failed here too, in case the platform never calls back (a late answer is ignored).
 * - After a failure, no request before 1 s, 2 s, 4 s... up to BACKOFF_MAX_MS; the first success
 *   clears it. Back-off also delays a pause: the charger cannot be reached then anyway, and each
 *   driver documents what the charger does on its own when the box goes silent.
 *
 * Pure: time comes in as nowMs; the platform's HTTP client is a port.
 */
import type { HttpPushClient, PushRequest, PushResult } from './http-push-port';

export const PUSH_TIMEOUT_MS = 3000;
export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_MAX_MS = 30000;

/** A request a driver wants sent, with what to show as "last value sent". */
export interface PlannedRequest {
  /** 'push' carries a value to the charger; 'poll' reads the charger's state. */
  kind: 'push' | 'poll';
  request: PushRequest;
  /** The value, as shown in the status (e.g. { L1: 52, L2: 31, L3: 40 }). */
  value: Record<string, unknown>;
}

/** The driver's verdict on an answer: ok, or why not (shown as the last error). */
export type Verdict = { ok: true } | { ok: false; error: string };

export interface ChannelStatus {
  inFlight: boolean;
  lastSuccessMs?: number;
  lastErrorMs?: number;
  lastError?: string;
  lastValue?: Record<string, unknown>;
  lastSentMs?: number;
  consecutiveFailures: number;
  backoffUntilMs?: number;
  requestsOk: number;
  requestsFailed: number;
}

export class PushChannel {
  private seq = 0;
  private inFlight: { seq: number; sentMs: number; planned: PlannedRequest } | undefined;
  private failures = 0;
  private backoffUntilMs = 0;
  private lastSuccessMs: number | undefined;
  private lastErrorMs: number | undefined;
  private lastError: string | undefined;
  private lastValue: Record<string, unknown> | undefined;
  private lastSentMs: number | undefined;
  private ok = 0;
  private failed = 0;
  private stopped = false;

  constructor(
    private readonly client: HttpPushClient,
    /** Called with each answer; returns the verdict. */
    private readonly judge: (planned: PlannedRequest, result: PushResult, nowMs: number) => Verdict,
    private readonly clock: () => number,
  ) {}

  /** Sends `plan()`'s request when nothing is in flight and no back-off runs. */
  step(nowMs: number, plan: () => PlannedRequest | undefined): void {
    if (this.stopped) return;
    const flying = this.inFlight;
    if (flying && nowMs - flying.sentMs > flying.planned.request.timeoutMs + 1000) {
      this.inFlight = undefined;
      this.fail(`no answer within ${flying.planned.request.timeoutMs} ms`, nowMs);
    }
    if (this.inFlight || nowMs < this.backoffUntilMs) return;
    const planned = plan();
    if (!planned) return;
    const seq = ++this.seq;
    this.inFlight = { seq, sentMs: nowMs, planned };
    if (planned.kind === 'push') {
      this.lastValue = planned.value;
      this.lastSentMs = nowMs;
    }
    try {
      this.client.send(planned.request, (result) => this.answered(seq, result));
    } catch (e) {
      // The port must not throw; if it does, it is one more failure, never a crash of the app.
      this.answered(seq, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  busy(): boolean {
    return this.inFlight !== undefined;
  }

  stop(): void {
    this.stopped = true;
    this.inFlight = undefined;
  }

  status(): ChannelStatus {
    const s: ChannelStatus = { inFlight: this.inFlight !== undefined, consecutiveFailures: this.failures, requestsOk: this.ok, requestsFailed: this.failed };
    if (this.lastSuccessMs !== undefined) s.lastSuccessMs = this.lastSuccessMs;
    if (this.lastErrorMs !== undefined) s.lastErrorMs = this.lastErrorMs;
    if (this.lastError !== undefined) s.lastError = this.lastError;
    if (this.lastValue !== undefined) s.lastValue = this.lastValue;
    if (this.lastSentMs !== undefined) s.lastSentMs = this.lastSentMs;
    if (this.backoffUntilMs > 0 && this.failures > 0) s.backoffUntilMs = this.backoffUntilMs;
    return s;
  }

  private answered(seq: number, result: PushResult): void {
    const flying = this.inFlight;
    if (!flying || flying.seq !== seq || this.stopped) return; // late or after stop: ignored
    this.inFlight = undefined;
    const nowMs = this.clock();
    let verdict: Verdict;
    if (result.error !== undefined) verdict = { ok: false, error: result.error };
    else {
      try {
        verdict = this.judge(flying.planned, result, nowMs);
      } catch (e) {
        verdict = { ok: false, error: 'answer not understood: ' + (e instanceof Error ? e.message : String(e)) };
      }
    }
    if (verdict.ok) {
      this.failures = 0;
      this.backoffUntilMs = 0;
      this.lastSuccessMs = nowMs;
      this.ok++;
    } else {
      this.fail(verdict.error, nowMs);
    }
  }

  private fail(error: string, nowMs: number): void {
    this.failures++;
    this.failed++;
    this.lastError = error;
    this.lastErrorMs = nowMs;
    let wait = BACKOFF_FIRST_MS;
    for (let i = 1; i < this.failures && wait < BACKOFF_MAX_MS; i++) wait *= 2;
    this.backoffUntilMs = nowMs + Math.min(wait, BACKOFF_MAX_MS);
  }
}
