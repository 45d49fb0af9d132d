/**
 * Meter bytes from a network serial bridge (ser2net, ESP-Link, a P1 dongle's raw TCP port) that
 * streams the raw telegrams. Reconnects with a growing delay (1 s .. 30 s) when the connection
 * drops or cannot be made.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { ByteSource } from '../app/ports';

export class TcpSource implements ByteSource {
  readonly kind = 'tcp' as const;
  private socket: Socket | undefined;
  private stopped = true;
  private delayMs = 1000;
  private retry: NodeJS.Timeout | undefined;
  private onBytes: (bytes: Uint8Array, nowMs: number) => void = () => undefined;
  private onError: (message: string) => void = () => undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  describe(): string {
    return `tcp ${this.host}:${this.port}`;
  }

  start(onBytes: (bytes: Uint8Array, nowMs: number) => void, onError: (message: string) => void): void {
    this.onBytes = onBytes;
    this.onError = onError;
    this.stopped = false;
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = connect({ host: this.host, port: this.port });
    this.socket = socket;
    socket.setKeepAlive(true, 30000);
    socket.on('connect', () => {
      this.delayMs = 1000;
    });
    socket.on('data', (chunk: Buffer) => this.onBytes(new Uint8Array(chunk), Date.now()));
    socket.on('error', (e: Error) => this.onError(tcpProblem(this.host, this.port, e)));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      if (this.stopped) return;
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.connect();
      }, this.delayMs);
      this.retry.unref();
      this.delayMs = Math.min(this.delayMs * 2, 30000);
    });
  }

  connected(): boolean {
    return this.socket !== undefined && !this.socket.connecting && !this.socket.destroyed;
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.socket?.destroy();
    this.socket = undefined;
  }
}

/** What a failed connection to the serial bridge means, as an instruction (node:net error codes). */
export function tcpProblem(host: string, port: number, e: Error & { code?: string }): string {
  const where = `${host}:${port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `nothing answers at ${where}: is the serial bridge on, and is ${port} its raw TCP port?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the name ${host} is not known: check the bridge's address (--tcp HOST:PORT).`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach ${where}: check the bridge's address and that it is on this network.`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `the serial bridge at ${where} closed the connection: meterbox reconnects by itself.`;
    default:
      return `serial bridge ${where}: ${e.message}`;
  }
}
