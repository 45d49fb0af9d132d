/**
 * Live pushes over WebSocket at /ws (package `ws`). Each broadcast goes to every open client; a
 * client whose unsent data passes `maxBufferedBytes` (it stopped reading) is dropped, so one slow
 * phone never holds memory or slows the others. Upgrades are refused (401) when the app says the
 * client may not read live data.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { LivePublisher } from '../app/ports';

export interface WsPublisherOptions {
  path?: string;
  maxBufferedBytes?: number;
  maxClients?: number;
  pingIntervalMs?: number;
  /** Allowed to connect? (read access) */
  authorize(request: IncomingMessage): boolean;
  /** First message to a new client (the current snapshot). */
  greeting(): string;
}

export class WsPublisher implements LivePublisher {
  private readonly wss: WebSocketServer;
  private dropped = 0;
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(server: Server, private readonly options: WsPublisherOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
    this.wss.on('connection', (ws: WebSocket) => {
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      ws.on('error', () => ws.terminate());
      // Clients have nothing to say; anything they send is ignored.
      ws.on('message', () => undefined);
      ws.send(this.options.greeting());
    });
    // A phone that left the Wi-Fi without closing: no pong within one interval -> dropped.
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
    const refuse = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (path !== (this.options.path ?? '/ws')) return refuse('404 Not Found');
    if (!this.options.authorize(request)) return refuse('401 Unauthorized');
    if (this.wss.clients.size >= (this.options.maxClients ?? 16)) return refuse('503 Service Unavailable');
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
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
    return this.wss.clients.size;
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
