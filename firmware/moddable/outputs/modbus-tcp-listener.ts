/**
 * The device's TCP server for the SDM630 Modbus meter emulation (the TcpServerPort of
 * firmware/app/outputs/modbus-tcp-output.ts), on the same ECMA-419 sockets as the HTTP server
 * (embedded:io/socket/listener + tcp). The protocol is in the app core (outputs/modbus-tcp.ts).
 *
 * - At most `maxConnections` (2 by default: a charger and evcc); one more evicts the connection
 *   that was quiet the longest, so a charger that rebooted (its old connection half-open) gets in.
 * - A connection quiet for `idleTimeoutMs` is closed.
 * - Answers are small (at most 7 + 2 + 250 bytes); one that does not fit the socket's write space
 *   closes the connection rather than queueing (a client that does not read is not served).
 */
import type TCP from 'embedded:io/socket/tcp';
import Listener from 'embedded:io/socket/listener';
import Timer from 'timer';
import type { StreamHandler, TcpServerPort } from '../../app/outputs/modbus-tcp-output';

export interface DeviceModbusOptions {
  maxConnections: number;
  idleTimeoutMs: number;
}

interface Connection {
  socket: TCP;
  handler: StreamHandler;
  lastMs: number;
  writable: number;
}

export class DeviceModbusListener implements TcpServerPort {
  private listener: Listener | undefined;
  private connections: Connection[] = [];
  private sweeper: Timer | undefined;

  constructor(private readonly options: DeviceModbusOptions = { maxConnections: 2, idleTimeoutMs: 120000 }) {}

  start(port: number, newHandler: () => StreamHandler, onState: (listening: boolean, error?: string) => void): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const server = this;
    try {
      this.listener = new Listener({
        port,
        onReadable(count: number) {
          while (count-- > 0) {
            const socket = this.read();
            if (!socket) break;
            server.accept(socket, newHandler());
          }
        },
      });
    } catch (e) {
      onState(false, `cannot listen on port ${port}: ${String(e)}`);
      return;
    }
    this.sweeper = Timer.repeat(() => this.sweep(), 5000);
    onState(true);
  }

  connectionCount(): number {
    return this.connections.length;
  }

  boundPort(): number | undefined {
    return (this.listener as unknown as { port?: number } | undefined)?.port;
  }

  stop(): void {
    if (this.sweeper !== undefined) Timer.clear(this.sweeper);
    this.sweeper = undefined;
    for (const c of this.connections.slice()) this.drop(c);
    try {
      (this.listener as unknown as { close(): void } | undefined)?.close();
    } catch {
      /* closed already */
    }
    this.listener = undefined;
  }

  private accept(from: TCP, handler: StreamHandler): void {
    if (this.connections.length >= this.options.maxConnections) {
      let quietest = this.connections[0] as Connection;
      for (const c of this.connections) if (c.lastMs < quietest.lastMs) quietest = c;
      this.drop(quietest);
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const server = this;
    const connection = { handler, lastMs: Date.now(), writable: 0 } as Connection;
    connection.socket = new (from.constructor as typeof TCP)({
      from,
      onReadable(count: number) {
        server.onReadable(connection, count);
      },
      onWritable(count: number) {
        connection.writable = count;
      },
      onError() {
        server.drop(connection);
      },
    });
    this.connections.push(connection);
  }

  private onReadable(c: Connection, count: number): void {
    c.lastMs = Date.now();
    const bytes = new Uint8Array(c.socket.read(count) as ArrayBuffer);
    let out: ReturnType<StreamHandler['push']>;
    try {
      out = c.handler.push(bytes);
    } catch {
      this.drop(c);
      return;
    }
    for (const response of out.responses) {
      if (response.byteLength > c.writable) {
        this.drop(c);
        return;
      }
      const left = c.socket.write(response) as unknown;
      c.writable = typeof left === 'number' ? left : c.writable - response.byteLength;
    }
    if (out.close) this.drop(c);
  }

  private sweep(): void {
    const now = Date.now();
    for (const c of this.connections.slice()) if (now - c.lastMs > this.options.idleTimeoutMs) this.drop(c);
  }

  private drop(c: Connection): void {
    const i = this.connections.indexOf(c);
    if (i >= 0) this.connections.splice(i, 1);
    try {
      c.socket.close();
    } catch {
      /* closed already */
    }
  }
}
