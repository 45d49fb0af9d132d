/**
 * Who holds the server's connections: per-address accounting, parking and eviction, shared by the
 * device server (firmware/moddable/http) and the PC server (firmware/host). Pure: the servers own
 * the sockets and timers; this table only decides.
 *
 * Rules (issue 12, "Survive the LAN"):
 *   - at most `maxConnections` sockets at once (the ESP32 has few; each costs lwIP buffers)
 *   - at most `perAddress` of them being read or answered for one address. A browser opens 3-6
 *     connections at once for a page; those past the limit are parked (accepted, not read: their
 *     bytes wait in the TCP stack) and started in arrival order as the address's others finish.
 *   - full: a newcomer evicts the oldest idle connection (parked first, then one still waiting for
 *     its request head); a connection whose request is complete is never evicted. A newcomer that
 *     would itself be parked only evicts a parked connection of its own address.
 *   - nothing to evict: the newcomer is refused (the server answers 503 with the reason).
 * Addresses: an IPv4-mapped IPv6 address counts as the IPv4 one, and an IPv6 address by its /64,
 * since one host can use any address in its /64.
 */

export interface ConnectionLimits {
  /** Sockets the server holds at once. */
  maxConnections: number;
  /** Of those, how many one address may have being read or answered (the rest wait parked). */
  perAddress: number;
  /** From accept to a complete request head, whatever trickles in meanwhile. */
  headDeadlineMs: number;
  /** From the end of the head to the end of the body: this much plus the declared length at bodyMinBytesPerS. */
  bodyDeadlineMs: number;
  bodyMinBytesPerS: number;
  /** From the complete request to the last byte of the answer written (a client that stops reading loses its slot). */
  responseDeadlineMs: number;
}

/** Absolute time allowed for a body of `lengthBytes`, counted from the end of the head. */
export function bodyDeadlineMs(limits: ConnectionLimits, lengthBytes: number): number {
  return limits.bodyDeadlineMs + Math.ceil((lengthBytes * 1000) / limits.bodyMinBytesPerS);
}

/** The key an address is counted under (see the header). */
export function addressKey(remote: string | undefined): string {
  if (remote === undefined || remote === '') return 'unknown';
  let text = remote.toLowerCase();
  if (text.slice(0, 7) === '::ffff:' && text.indexOf('.') > 0) return text.slice(7);
  if (text.indexOf(':') < 0) return text;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // expand "::" far enough to read the first four groups
  const halves = text.split('::');
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length > 1 && halves[1] !== '' ? halves[1].split(':') : [];
  const groups = head.slice();
  while (groups.length + tail.length < 8) groups.push('0');
  for (const group of tail) groups.push(group);
  const prefix: string[] = [];
  for (let i = 0; i < 4; i++) prefix.push(String(parseInt(groups[i] || '0', 16)));
  return prefix.join(':') + '::/64';
}

export type Admission<T> = { action: 'serve'; evicted?: T } | { action: 'park'; evicted?: T } | { action: 'refuse'; reason: string };

interface Entry<T> {
  item: T;
  key: string;
  sinceMs: number;
  parked: boolean;
  busy: boolean;
}

export class ConnectionTable<T> {
  private entries: Entry<T>[] = [];
  evictedCount = 0;
  refusedCount = 0;

  constructor(private readonly limits: Pick<ConnectionLimits, 'maxConnections' | 'perAddress'>) {}

  /**
   * A new connection from `remote`. `canPark` false (WebSocket clients) refuses instead of parking.
   * An evicted connection is no longer in the table: the server answers it 503 and closes it.
   */
  admit(item: T, remote: string | undefined, nowMs: number, canPark = true): Admission<T> {
    const key = addressKey(remote);
    const active = this.activeFor(key);
    const park = active >= this.limits.perAddress;
    if (park && !canPark) {
      this.refusedCount++;
      return { action: 'refuse', reason: `too many connections from your address (at most ${this.limits.perAddress})` };
    }
    let evicted: T | undefined;
    if (this.entries.length >= this.limits.maxConnections) {
      const victim = this.victim(park ? key : undefined);
      if (!victim) {
        this.refusedCount++;
        return { action: 'refuse', reason: 'busy: every connection is in use, retry in a moment' };
      }
      this.entries.splice(this.entries.indexOf(victim), 1);
      this.evictedCount++;
      evicted = victim.item;
    }
    this.entries.push({ item, key, sinceMs: nowMs, parked: park, busy: false });
    const admission: { action: 'serve' | 'park'; evicted?: T } = { action: park ? 'park' : 'serve' };
    if (evicted !== undefined) admission.evicted = evicted;
    return admission;
  }

  /** The connection's request is complete and being answered: it is no longer idle. */
  markBusy(item: T): void {
    const entry = this.find(item);
    if (entry) entry.busy = true;
  }

  /** The connection is gone; returns a parked connection of the same address that may start now. */
  release(item: T): T | undefined {
    const entry = this.find(item);
    if (!entry) return undefined;
    this.entries.splice(this.entries.indexOf(entry), 1);
    if (entry.parked || this.activeFor(entry.key) >= this.limits.perAddress) return undefined;
    for (const other of this.entries) {
      if (other.key === entry.key && other.parked) {
        other.parked = false;
        return other.item;
      }
    }
    return undefined;
  }

  isParked(item: T): boolean {
    return this.find(item)?.parked === true;
  }

  size(): number {
    return this.entries.length;
  }

  countFor(remote: string | undefined): number {
    const key = addressKey(remote);
    let count = 0;
    for (const entry of this.entries) if (entry.key === key) count++;
    return count;
  }

  items(): T[] {
    return this.entries.map((entry) => entry.item);
  }

  private activeFor(key: string): number {
    let count = 0;
    for (const entry of this.entries) if (entry.key === key && !entry.parked) count++;
    return count;
  }

  private find(item: T): Entry<T> | undefined {
    for (const entry of this.entries) if (entry.item === item) return entry;
    return undefined;
  }

  /** Oldest parked (of `onlyKey` when given), else (without onlyKey) the oldest connection still waiting for its head. */
  private victim(onlyKey: string | undefined): Entry<T> | undefined {
    for (const entry of this.entries) if (entry.parked && (onlyKey === undefined || entry.key === onlyKey)) return entry;
    if (onlyKey !== undefined) return undefined;
    for (const entry of this.entries) if (!entry.busy) return entry;
    return undefined;
  }
}
