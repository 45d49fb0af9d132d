/**
 * Live pushes over WebSocket at /ws (package `ws`), under the same rules as the device's hub
 * (firmware/moddable/http/websocket-hub.ts):
 *   - the app decides first (app.liveRefusal: Host, Origin, read access): 421/403/401 with the reason
 *   - at most `maxClients` at once (503) and `perAddress` from one address (429), counted by
 *     firmware/app/lan/connection-table.ts like the HTTP connections
 *   - a ping every `pingIntervalMs`; a client without a pong by the next one is dropped (a phone
 *     that left the Wi-Fi without closing, or a peer that holds a slot and never answers)
 *   - a client whose unsent data passes `maxBufferedBytes` (it stopped reading) is dropped, so one
 *     slow phone never holds memory or slows the others.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { AppResponse } from '../app/http-types';
import type { LivePublisher } from '../app/ports';
import { ConnectionTable } from '../app/lan/connection-table';

export interface WsPublisherOptions {
  path?: string;
  maxBufferedBytes?: number;
  maxClients?: number;
  perAddress?: number;
  pingIntervalMs?: number;
  /** Why this upgrade may not proceed (the app's answer), or undefined when it may. */
  refusal(request: IncomingMessage): AppResponse | undefined;
  /** First message to a new client (the current snapshot). */
  greeting(): string;
}

function statusLine(status: number): string {
  switch (status) {
    case 400:
      return '400 Bad Request';
    case 401:
      return '401 Unauthorized';
    case 403:
      return '403 Forbidden';
    case 404:
      return '404 Not Found';
    case 421:
      return '421 Misdirected Request';
    case 429:
      return '429 Too Many Requests';
    default:
      return '503 Service Unavailable';
  }
}

export class WsPublisher implements LivePublisher {
  private readonly wss: WebSocketServer;
  private dropped = 0;
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly table: ConnectionTable<WebSocket>;

  constructor(
    server: Server,
    private readonly options: WsPublisherOptions,
  ) {
    this.table = new ConnectionTable<WebSocket>({ maxConnections: options.maxClients ?? 16, perAddress: options.perAddress ?? 2 });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
    this.wss.on('connection', (ws: WebSocket) => {
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      ws.on('error', () => ws.terminate());
      ws.on('close', () => this.table.release(ws));
      // Clients have nothing to say; anything they send is ignored.
      ws.on('message', () => undefined);
      ws.send(this.options.greeting());
    });
    this.heartbeat = setInterval(() => {
      for (const client of this.wss.clients) {
        if (!this.alive.has(client)) {
          client.terminate();
          continue;
        }
        this.alive.delete(client);
        client.ping();
      }
    }, options.pingIntervalMs ?? 30000);
    this.heartbeat.unref();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '').split('?')[0];
    const refuse = (status: number, reason: string) => {
      const body = JSON.stringify({ error: reason });
      socket.end(
        `HTTP/1.1 ${statusLine(status)}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    if (path !== (this.options.path ?? '/ws')) return refuse(404, 'no WebSocket here');
    const refusal = this.options.refusal(request);
    if (refusal) {
      let reason = 'refused';
      try {
        reason = String(JSON.parse(String(refusal.body)).error);
      } catch {
        /* keep the generic reason */
      }
      return refuse(refusal.status, reason);
    }
    const remote = request.socket.remoteAddress;
    const perAddress = this.options.perAddress ?? 2;
    const maxClients = this.options.maxClients ?? 16;
    if (this.table.countFor(remote) >= perAddress) return refuse(429, `too many live connections from your address (at most ${perAddress})`);
    if (this.table.size() >= maxClients) return refuse(503, `busy: ${maxClients} live connections already, retry later`);
    // handleUpgrade calls back in this same turn (no async verifyClient), so the counts still hold
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.table.admit(ws, remote, Date.now(), false);
      this.wss.emit('connection', ws, request);
    });
  }

  broadcast(message: string): void {
    const limit = this.options.maxBufferedBytes ?? 256 * 1024;
    for (const client of this.wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      if (client.bufferedAmount > limit) {
        this.dropped++;
        client.terminate();
        continue;
      }
      client.send(message);
    }
  }

  clientCount(): number {
    return this.table.size();
  }

  droppedCount(): number {
    return this.dropped;
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
