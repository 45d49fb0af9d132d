/**
 * In-memory login sessions: random bearer tokens with an idle timeout and a hard lifetime.
 * Bounded (oldest dropped). Sessions do not survive a restart, on purpose: nothing secret is
 * written to flash besides the salted password hash.
 */
import { bytesToHex, constantTimeEqual } from '../util/bytes';

export interface SessionOptions {
  idleMs: number;
  lifetimeMs: number;
  maxSessions: number;
}

interface Session {
  token: string;
  createdMs: number;
  lastUsedMs: number;
}

export class SessionTable {
  private sessions: Session[] = [];
  constructor(
    private readonly randomBytes: (count: number) => Uint8Array,
    private readonly options: SessionOptions = { idleMs: 12 * 3600000, lifetimeMs: 7 * 24 * 3600000, maxSessions: 8 },
  ) {}

  create(nowMs: number): string {
    const token = bytesToHex(this.randomBytes(32));
    this.prune(nowMs);
    if (this.sessions.length >= this.options.maxSessions) this.sessions.shift();
    this.sessions.push({ token, createdMs: nowMs, lastUsedMs: nowMs });
    return token;
  }

  /** True when the token names a live session (and refreshes its idle timer). */
  check(token: string | undefined, nowMs: number): boolean {
    if (!token) return false;
    this.prune(nowMs);
    let found: Session | undefined;
    for (const s of this.sessions) if (constantTimeEqual(s.token, token)) found = s;
    if (found) found.lastUsedMs = nowMs;
    return found !== undefined;
  }

  revoke(token: string | undefined): void {
    if (!token) return;
    this.sessions = this.sessions.filter((s) => !constantTimeEqual(s.token, token));
  }

  revokeAll(): void {
    this.sessions = [];
  }

  private prune(nowMs: number): void {
    this.sessions = this.sessions.filter((s) => nowMs - s.lastUsedMs < this.options.idleMs && nowMs - s.createdMs < this.options.lifetimeMs);
  }
}
