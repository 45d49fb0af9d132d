/**
 * When to try the broker again: 1 s after the first failure, then doubling up to 60 s. A
 * connection that held for 30 s or more counts as a success (the next drop retries after 1 s
 * again); one dropped sooner keeps backing off, so a broker that accepts and then throws the box
 * out (duplicate client id, ACL) is not hammered every second.
 */
export const RECONNECT_FIRST_MS = 1000;
export const RECONNECT_MAX_MS = 60000;
export const STABLE_CONNECTION_MS = 30000;

export class ReconnectPolicy {
  private failures = 0;
  private nextMs = 0;

  /** A connection attempt failed, or a connection ended; `connectedSinceMs` when it had been up. */
  failed(nowMs: number, connectedSinceMs?: number): number {
    if (connectedSinceMs !== undefined && nowMs - connectedSinceMs >= STABLE_CONNECTION_MS) this.failures = 0;
    let delay = RECONNECT_FIRST_MS;
    for (let i = 0; i < this.failures && delay < RECONNECT_MAX_MS; i++) delay *= 2;
    if (delay > RECONNECT_MAX_MS) delay = RECONNECT_MAX_MS;
    this.failures++;
    this.nextMs = nowMs + delay;
    return delay;
  }

  /** Start over (new settings): the next attempt may go at once. */
  reset(): void {
    this.failures = 0;
    this.nextMs = 0;
  }

  mayTry(nowMs: number): boolean {
    return nowMs >= this.nextMs;
  }

  /** Milliseconds until the next attempt (0 when it may go now). */
  waitMs(nowMs: number): number {
    return this.nextMs > nowMs ? this.nextMs - nowMs : 0;
  }
}
