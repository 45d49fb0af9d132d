// Stand-ins for the Moddable modules the device's HTTP server and WebSocket hub use, so the real
// firmware/moddable/http/*.ts runs under jest: ECMA-419 Listener and TCP sockets (the server wraps
// each socket with `new (from.constructor)({ from, onReadable, onWritable, onError })`), the Timer
// module on a virtual clock, and XS's ArrayBuffer.fromString / String.fromArrayBuffer.
// Install with jest.mock (see device-server.test.ts) before requiring the server.
/* eslint-disable @typescript-eslint/no-explicit-any */

export const clock = { nowMs: 1_700_000_000_000 };

interface VirtualTimer {
  id: number;
  atMs: number;
  intervalMs?: number;
  callback: () => void;
}
let timers: VirtualTimer[] = [];
let nextId = 1;

export const Timer = {
  set(callback: () => void, ms = 0): number {
    const t = { id: nextId++, atMs: clock.nowMs + Math.max(0, ms), callback };
    timers.push(t);
    return t.id;
  },
  repeat(callback: () => void, ms: number): number {
    const t = { id: nextId++, atMs: clock.nowMs + ms, intervalMs: ms, callback };
    timers.push(t);
    return t.id;
  },
  clear(id: number | undefined): void {
    timers = timers.filter((t) => t.id !== id);
  },
};

/** Lets promise chains and zero-delay work settle (real macrotask turns; no real time passes). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Moves the virtual clock, running every timer that falls due in order. */
export async function advance(ms: number): Promise<void> {
  const target = clock.nowMs + ms;
  await settle();
  for (;;) {
    const due = timers.filter((t) => t.atMs <= target).sort((a, b) => a.atMs - b.atMs || a.id - b.id)[0];
    if (!due) break;
    clock.nowMs = due.atMs;
    if (due.intervalMs) due.atMs += due.intervalMs;
    else timers = timers.filter((t) => t !== due);
    due.callback();
    await settle();
  }
  clock.nowMs = target;
  await settle();
}

export function resetTimers(): void {
  timers = [];
}

/** The client's end of one connection. */
export class Peer {
  inbox: number[] = [];
  received: number[] = [];
  closed = false;
  owner: FakeTCP | undefined;
  constructor(readonly remote: string) {}
  send(data: string | Uint8Array): void {
    if (this.closed) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    for (const b of bytes) this.inbox.push(b);
    this.owner?.readable();
  }
  text(): string {
    return Buffer.from(this.received).toString('latin1');
  }
  status(): number {
    const m = /^HTTP\/1\.1 (\d{3})/.exec(this.text());
    return m ? Number(m[1]) : 0;
  }
  body(): string {
    const text = this.text();
    return text.slice(text.indexOf('\r\n\r\n') + 4);
  }
}

export class FakeTCP {
  peer: Peer;
  private callbacks: any;
  constructor(options: any) {
    this.peer = options.from ? options.from.peer : options.peer;
    this.callbacks = options;
    this.peer.owner = this;
    if (options.onWritable)
      Promise.resolve().then(() => {
        if (this.peer.owner === this && !this.peer.closed) options.onWritable.call(this, 65536);
      });
    if (this.peer.inbox.length) Promise.resolve().then(() => this.readable());
  }
  readable(): void {
    if (this.peer.owner === this && this.peer.inbox.length && this.callbacks.onReadable) this.callbacks.onReadable.call(this, this.peer.inbox.length);
  }
  read(count: number): ArrayBuffer {
    const bytes = this.peer.inbox.splice(0, Math.min(count, this.peer.inbox.length));
    return new Uint8Array(bytes).buffer;
  }
  write(data: ArrayBuffer | Uint8Array): number {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    for (const b of bytes) this.peer.received.push(b);
    return 65536;
  }
  close(): void {
    this.peer.closed = true;
    this.peer.owner = undefined;
  }
  get remoteAddress(): string {
    return this.peer.remote;
  }
}

export let listener: FakeListener | undefined;

export class FakeListener {
  private pending: FakeTCP[] = [];
  constructor(private readonly options: any) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    listener = this;
  }
  get port(): number {
    return this.options.port;
  }
  read(): FakeTCP | undefined {
    return this.pending.shift();
  }
  connect(remote: string): Peer {
    const peer = new Peer(remote);
    this.pending.push(new FakeTCP({ peer }));
    this.options.onReadable.call(this, 1);
    return peer;
  }
  close(): void {
    /* nothing to release */
  }
}

export function installXsGlobals(): void {
  (ArrayBuffer as any).fromString = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  };
  (String as any).fromArrayBuffer = (buffer: ArrayBuffer) => new TextDecoder().decode(buffer);
}
