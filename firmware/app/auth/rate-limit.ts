/**
 * Login attempt limiter per remote address. Pure: time comes from the caller (Clock).
 * Each remote gets `maxFailures` failed attempts per `windowMs`; after that it is locked out
 * until the window that started with its first failure has passed. Success clears the record.
 * The table is bounded (oldest entry evicted), so a flood of addresses cannot grow memory.
 */
export interface RateLimitOptions {
  maxFailures: number;
  windowMs: number;
  maxRemotes: number;
}

interface Entry {
  firstFailureMs: number;
  failures: number;
}

export class LoginRateLimiter {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly options: RateLimitOptions = { maxFailures: 5, windowMs: 60000, maxRemotes: 64 }) {}

  /** Milliseconds the remote must wait before trying again; 0 when it may try now. */
  retryAfterMs(remote: string, nowMs: number): number {
    const entry = this.entries.get(remote);
    if (!entry) return 0;
    const elapsed = nowMs - entry.firstFailureMs;
    if (elapsed >= this.options.windowMs) {
      this.entries.delete(remote);
      return 0;
    }
    return entry.failures >= this.options.maxFailures ? this.options.windowMs - elapsed : 0;
  }

  recordFailure(remote: string, nowMs: number): void {
    const entry = this.entries.get(remote);
    if (entry && nowMs - entry.firstFailureMs < this.options.windowMs) {
      entry.failures++;
      return;
    }
    this.entries.delete(remote);
    if (this.entries.size >= this.options.maxRemotes) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(remote, { firstFailureMs: nowMs, failures: 1 });
  }

  recordSuccess(remote: string): void {
    this.entries.delete(remote);
  }
}
