/**
 * A small driver for the XS engine built by @agoric/xsnap (its `xsnap-worker` binary).
 *
 * Why not the package's own `xsnap()` API: it imports @endo/errors, which needs SES `lockdown()`
 * in the calling process; locking down the Node process that also runs tsx/esbuild/jest is not
 * worth it for what we need. The worker's protocol is small (netstrings over fds 3 and 4), so we
 * speak it directly:
 *
 *   parent -> worker (fd 3):  netstring `e<JavaScript source>`   evaluate, completion value is the reply
 *                             netstring `?<bytes>`               call globalThis.handleCommand(ArrayBuffer)
 *   worker -> parent (fd 4):  netstring `.{"currentHeapCount":N,"compute":N,"allocate":N,"timestamps":[..]}\x01<reply>`
 *                             netstring `!<message>`             uncaught exception
 *
 * The reply is the completion value when it is an ArrayBuffer, else empty: callers end their
 * code with `new TextEncoder().encode(JSON.stringify(x)).buffer` to get data back.
 *
 * Meter figures (xsnap-worker.c fxWriteOkay):
 *   compute           computrons spent in this evaluation (the XS meter index, reset per crank)
 *   currentHeapCount  slots in use (24- or 32-byte txSlot cells; exact right after gc())
 *   allocate          bytes the machine has malloc'ed for its slot and chunk heaps (grows, never shrinks)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export interface XsMeter {
  compute: number;
  currentHeapCount: number;
  allocate: number;
}

export interface XsResult {
  reply: Uint8Array;
  text: string;
  meter: XsMeter;
}

const repoRoot = join(__dirname, '..', '..');

/**
 * Path of the release xsnap-worker built by `npm run setup:xs` (the postinstall of @agoric/xsnap in
 * tools/xs-engine/, a test-only install kept out of the app's dependencies: it needs make and a C
 * compiler, and its packages declare narrower Node versions than the app supports).
 */
export function xsnapWorkerPath(): string {
  const platform = process.platform === 'darwin' ? 'mac' : 'lin';
  return join(repoRoot, 'tools', 'xs-engine', 'node_modules', '@agoric', 'xsnap', 'xsnap-native', 'xsnap', 'build', 'bin', platform, 'release', 'xsnap-worker');
}

export function xsnapAvailable(): boolean {
  return existsSync(xsnapWorkerPath());
}

export class XsWorker {
  private readonly child: ChildProcess;
  private readonly toWorker: Writable;
  private buffered = Buffer.alloc(0);
  private waiting: Array<{ resolve: (m: Buffer) => void; reject: (e: Error) => void }> = [];
  private exited: Error | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** What the worker printed (print()) or wrote to stderr; kept for error messages. */
  output = '';

  /** meteringLimit: computrons allowed per evaluation (the worker aborts beyond it). */
  constructor(options: { meteringLimit?: number } = {}) {
    const limit = options.meteringLimit ?? 2_000_000_000;
    this.child = spawn(xsnapWorkerPath(), ['meterbox-xs', '-l', String(limit)], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    });
    const stdio = this.child.stdio as unknown as [null, Readable, Readable, Writable, Readable];
    this.toWorker = stdio[3];
    stdio[1].on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    stdio[2].on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    stdio[4].on('data', (d: Buffer) => this.onData(d));
    this.toWorker.on('error', () => {
      /* reported through exit */
    });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`xsnap-worker exited (code ${code}, signal ${signal})${this.output ? ': ' + this.output.slice(-500) : ''}`);
      for (const w of this.waiting.splice(0)) w.reject(this.exited);
    });
    this.child.on('error', (e) => {
      this.exited = e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    });
  }

  private onData(d: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, d]);
    for (;;) {
      const colon = this.buffered.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(this.buffered.subarray(0, colon).toString('ascii'));
      if (this.buffered.length < colon + 1 + len + 1) return;
      const body = this.buffered.subarray(colon + 1, colon + 1 + len);
      this.buffered = this.buffered.subarray(colon + 1 + len + 1);
      const w = this.waiting.shift();
      if (w) w.resolve(Buffer.from(body));
    }
  }

  private send(prefix: string, payload: Uint8Array): Promise<XsResult> {
    const run = async (): Promise<XsResult> => {
      if (this.exited) throw this.exited;
      const body = Buffer.concat([Buffer.from(prefix, 'latin1'), Buffer.from(payload)]);
      const reply = new Promise<Buffer>((resolve, reject) => this.waiting.push({ resolve, reject }));
      this.toWorker.write(Buffer.concat([Buffer.from(`${body.length}:`, 'ascii'), body, Buffer.from(',')]));
      const msg = await reply;
      if (msg[0] === 0x21 /* ! */) throw new Error(`XS exception: ${msg.subarray(1).toString()}`);
      if (msg[0] !== 0x2e /* . */) throw new Error(`xsnap protocol: unexpected reply ${msg.subarray(0, 40).toString()}`);
      const sep = msg.indexOf(1, 1);
      let meter: XsMeter = { compute: 0, currentHeapCount: 0, allocate: 0 };
      let data = msg.subarray(1);
      if (sep >= 0) {
        const m = JSON.parse(msg.subarray(1, sep).toString()) as XsMeter;
        meter = { compute: m.compute, currentHeapCount: m.currentHeapCount, allocate: m.allocate };
        data = msg.subarray(sep + 1);
      }
      const bytes = new Uint8Array(data);
      return { reply: bytes, text: Buffer.from(bytes).toString('utf8'), meter };
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Evaluate a script (sloppy-mode global eval). */
  evaluate(code: string): Promise<XsResult> {
    return this.send('e', Buffer.from(code, 'utf8'));
  }

  /** Evaluate `expr` (which must produce a JSON-able value) and return it parsed, with the meter. */
  async evaluateJson<T>(expr: string): Promise<{ value: T; meter: XsMeter }> {
    const r = await this.evaluate(`new TextEncoder().encode(JSON.stringify(${expr})).buffer`);
    return { value: JSON.parse(r.text) as T, meter: r.meter };
  }

  /** Call globalThis.handleCommand(ArrayBuffer) inside XS. */
  command(bytes: Uint8Array): Promise<XsResult> {
    return this.send('?', bytes);
  }

  close(): void {
    if (!this.exited) this.child.kill();
  }
}
