/**
 * Node's TCP server for the SDM630 Modbus meter emulation (the TcpServerPort of
 * firmware/app/outputs/modbus-tcp-output.ts). The protocol itself is in the app core
 * (outputs/modbus-tcp.ts); this file only moves bytes.
 *
 * - At most `maxConnections` at once; one more evicts the connection that was quiet the longest, so
 *   a charger that rebooted (its old connection half-open) always gets back in.
 * - A connection quiet for `idleTimeoutMs` is closed (a Modbus master polls every few seconds).
 * - A stream that cannot be Modbus TCP gets its pending answers, then the connection is closed.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { StreamHandler, TcpServerPort } from '../app/outputs/modbus-tcp-output';

export interface ModbusListenerOptions {
  host: string;
  maxConnections: number;
  idleTimeoutMs: number;
}

export const defaultModbusListenerOptions: ModbusListenerOptions = { host: '127.0.0.1', maxConnections: 8, idleTimeoutMs: 120000 };

export class NodeModbusListener implements TcpServerPort {
  private server: Server | undefined;
  private readonly sockets = new Map<Socket, number>();

  constructor(private readonly options: ModbusListenerOptions = defaultModbusListenerOptions) {}

  start(port: number, newHandler: () => StreamHandler, onState: (listening: boolean, error?: string) => void): void {
    const server = createServer((socket) => this.accept(socket, newHandler()));
    this.server = server;
    server.on('error', (e: NodeJS.ErrnoException) => {
      const hint = e.code === 'EADDRINUSE' ? ' (port in use)' : e.code === 'EACCES' ? ' (ports below 1024 need privileges: use e.g. 5020)' : '';
      onState(false, `cannot listen on ${this.options.host}:${port}: ${e.message}${hint}`);
    });
    server.listen(port, this.options.host, () => onState(true));
  }

  /** The port actually bound (useful with port 0 in tests). */
  boundPort(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  connectionCount(): number {
    return this.sockets.size;
  }

  stop(): void {
    for (const socket of this.sockets.keys()) socket.destroy();
    this.sockets.clear();
    this.server?.close();
    this.server = undefined;
  }

  private accept(socket: Socket, handler: StreamHandler): void {
    if (this.sockets.size >= this.options.maxConnections) {
      let oldest: Socket | undefined;
      let oldestMs = Infinity;
      for (const [s, ms] of this.sockets)
        if (ms < oldestMs) {
          oldest = s;
          oldestMs = ms;
        }
      if (oldest) {
        this.sockets.delete(oldest);
        oldest.destroy();
      }
    }
    this.sockets.set(socket, Date.now());
    socket.setNoDelay(true);
    socket.setTimeout(this.options.idleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      this.sockets.set(socket, Date.now());
      let out: ReturnType<StreamHandler['push']>;
      try {
        out = handler.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      } catch {
        socket.destroy();
        return;
      }
      for (const r of out.responses) socket.write(r);
      if (out.close) socket.end();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }
}
