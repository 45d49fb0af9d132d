/**
 * node:http <-> AppRequest/AppResponse, behind the same connection rules as the device server
 * (firmware/app/lan/connection-table.ts):
 *   - a plain net.Server accepts sockets paused (pauseOnConnect) and hands each to node:http only
 *     when the ConnectionTable lets its address be served; past `perAddress` it waits parked, past
 *     `maxConnections` the oldest idle connection is evicted with 503, and with nothing idle the
 *     newcomer gets 503 with the reason
 *   - absolute deadlines: the head within headDeadlineMs of the start, the body within
 *     bodyDeadlineMs + length / bodyMinBytesPerS, the answer written within responseDeadlineMs;
 *     trickling bytes never extends them (408 with the reason, then the socket is closed)
 *   - one request per connection ("connection: close"), like the device: a parked connection never
 *     waits behind an idle keep-alive one
 *   - the body limit before the app sees anything (413 with the reason); upload routes streamed
 *     chunk by chunk into the app's UploadSink (the same calls the Moddable server makes)
 * A handler error never kills the process. WebSocket upgrades leave the table (ws-publisher.ts has
 * its own limits).
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { App } from '../app/app';
import type { AppRequest, AppResponse, UploadRoute } from '../app/http-types';
import { MAX_JSON_BODY_BYTES } from '../app/http-util';
import { ConnectionTable, bodyDeadlineMs } from '../app/lan/connection-table';
import type { ConnectionLimits } from '../app/lan/connection-table';

/** A PC or Raspberry Pi: sockets are cheap, so more of them; the per-address rule is the device's. */
export const hostConnectionLimits: ConnectionLimits = {
  maxConnections: 64,
  perAddress: 2,
  headDeadlineMs: 10_000,
  bodyDeadlineMs: 10_000,
  bodyMinBytesPerS: 16 * 1024,
  responseDeadlineMs: 30_000,
};

export function toAppRequest(req: IncomingMessage, body?: string): AppRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => {
    query[key] = value;
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep the raw path; the router answers 404
  }
  const request: AppRequest = { method: (req.method ?? 'GET').toUpperCase(), path, query, headers, remote: req.socket.remoteAddress ?? 'unknown' };
  if (req.socket.localAddress) request.localAddress = req.socket.localAddress;
  if (body !== undefined) request.body = body;
  return request;
}

function send(res: ServerResponse, response: AppResponse, head = false): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  const body = response.body ?? '';
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  headers['content-length'] = String(bytes.length);
  headers['connection'] = 'close';
  res.writeHead(response.status, headers);
  res.end(head ? undefined : bytes);
}

function plainError(status: number, error: string): AppResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ error }) };
}

/** A fixed answer written straight to a socket no HTTP response exists for yet, then closed. */
function refuseSocket(socket: Duplex, status: string, reason: string): void {
  const body = JSON.stringify({ error: reason });
  try {
    socket.end(
      `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\nretry-after: 2\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  } catch {
    /* closed by the peer */
  }
  setTimeout(() => socket.destroy(), 1000).unref();
}

export interface NodeServerOptions {
  maxBodyBytes?: number;
  limits?: ConnectionLimits;
  /** Clock for the table's ages (tests); Date.now by default. */
  nowMs?: () => number;
}

interface SocketState {
  timer?: NodeJS.Timeout;
  handed: boolean;
  answering?: boolean;
}

export class NodeHttpServer {
  /** node:http, for 'upgrade' listeners (ws-publisher.ts); it never listens on a port itself. */
  readonly http: Server;
  private readonly front: NetServer;
  private readonly table: ConnectionTable<Socket>;
  private readonly states = new Map<Socket, SocketState>();
  private readonly limits: ConnectionLimits;
  private readonly nowMs: () => number;
  timedOutCount = 0;

  constructor(
    private readonly app: App,
    options: NodeServerOptions = {},
  ) {
    this.limits = options.limits ?? hostConnectionLimits;
    this.nowMs = options.nowMs ?? Date.now;
    this.table = new ConnectionTable<Socket>(this.limits);
    const maxBody = options.maxBodyBytes ?? MAX_JSON_BODY_BYTES;
    this.http = createHttpServer((req, res) => this.onRequest(req, res, maxBody));
    // The deadlines below replace node's own timers (which are checked only every 30 s).
    this.http.requestTimeout = 0;
    this.http.headersTimeout = 0;
    this.http.keepAliveTimeout = 0;
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex) => this.onUpgrade(req, socket));
    this.http.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
      if (socket.writable) refuseSocket(socket, '400 Bad Request', 'malformed request: ' + (error.code ?? error.message));
      else socket.destroy();
    });
    this.front = createNetServer({ pauseOnConnect: true }, (socket) => this.onConnection(socket));
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.front.once('error', reject);
      this.front.listen(port, host, () => {
        this.front.off('error', reject);
        resolve();
      });
    });
    return (this.front.address() as AddressInfo).port;
  }

  activeConnections(): number {
    return this.table.size();
  }

  counters(): { evicted: number; refused: number; timedOut: number } {
    return { evicted: this.table.evictedCount, refused: this.table.refusedCount, timedOut: this.timedOutCount };
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.front.close(() => resolve()));
    for (const socket of this.table.items()) socket.destroy();
    this.http.closeAllConnections();
    await closed;
  }

  private onConnection(socket: Socket): void {
    socket.on('error', () => undefined);
    const admission = this.table.admit(socket, socket.remoteAddress, this.nowMs());
    if (admission.action === 'refuse') {
      refuseSocket(socket, '503 Service Unavailable', admission.reason);
      return;
    }
    if (admission.evicted) {
      this.forget(admission.evicted);
      refuseSocket(admission.evicted, '503 Service Unavailable', 'closed to make room: this connection sent no complete request');
    }
    const state: SocketState = { handed: false };
    this.states.set(socket, state);
    socket.once('close', () => this.onClose(socket));
    // The head deadline counts from the accept, parked or not: a parked connection waits for its
    // own address's other requests only, which take milliseconds.
    this.arm(socket, this.limits.headDeadlineMs, 'no complete request head in time');
    if (admission.action === 'serve') this.start(socket);
  }

  private start(socket: Socket): void {
    const state = this.states.get(socket);
    if (!state || state.handed || socket.destroyed) return;
    state.handed = true;
    this.http.emit('connection', socket);
    socket.resume();
  }

  private arm(socket: Socket, ms: number, reason: string): void {
    const state = this.states.get(socket);
    if (!state) return;
    if (state.timer) clearTimeout(state.timer);
    const answering = this.states.get(socket)?.answering === true;
    state.timer = setTimeout(() => {
      this.timedOutCount++;
      // Once an answer started there is no room for another: just close.
      if (answering) socket.destroy();
      else refuseSocket(socket, '408 Request Timeout', 'request timeout: ' + reason);
    }, ms);
    state.timer.unref();
  }

  /** The request is complete: never evicted now, and the answer has responseDeadlineMs to go out. */
  private answering(socket: Socket): void {
    const state = this.states.get(socket);
    if (!state || state.answering) return;
    state.answering = true;
    this.table.markBusy(socket);
    this.arm(socket, this.limits.responseDeadlineMs, 'answer not read in time');
  }

  private forget(socket: Socket): void {
    const state = this.states.get(socket);
    if (state?.timer) clearTimeout(state.timer);
    this.states.delete(socket);
  }

  private onClose(socket: Socket): void {
    this.forget(socket);
    const next = this.table.release(socket);
    if (next) this.start(next);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex): void {
    const raw = req.socket;
    this.forget(raw);
    const next = this.table.release(raw);
    if (next) this.start(next);
    if (this.http.listenerCount('upgrade') <= 1) refuseSocket(socket, '404 Not Found', 'no WebSocket here');
  }

  private onRequest(req: IncomingMessage, res: ServerResponse, maxBody: number): void {
    const socket = req.socket;
    const head = req.method === 'HEAD';
    const request = toAppRequest(req);
    const length = Number(req.headers['content-length'] ?? 0);
    this.arm(socket, bodyDeadlineMs(this.limits, Number.isFinite(length) ? length : 0), 'the body did not arrive in time');
    const answer = (response: AppResponse, asHead = false) => {
      this.answering(socket);
      send(res, response, asHead);
    };
    const upload = this.app.uploadRoute(request.method, request.path);
    if (upload) {
      this.handleUpload(upload, request, req, res, answer);
      return;
    }
    if (req.headers['transfer-encoding'] !== undefined) {
      answer(plainError(411, 'chunked request bodies are not supported; send content-length'));
      req.destroy();
      return;
    }
    if (Number.isFinite(length) && length > maxBody) {
      answer(plainError(413, `body larger than ${maxBody} bytes`));
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBody) {
        refused = true;
        answer(plainError(413, `body larger than ${maxBody} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      if (size > 0) request.body = Buffer.concat(chunks).toString('utf8');
      this.answering(socket);
      this.app.handle(request).then(
        (response) => send(res, response, head),
        (e: unknown) => send(res, plainError(500, 'internal error: ' + (e instanceof Error ? e.message : String(e)))),
      );
    });
    req.on('error', () => undefined);
  }

  private handleUpload(route: UploadRoute, request: AppRequest, req: IncomingMessage, res: ServerResponse, answer: (response: AppResponse) => void): void {
    const begun = this.app.beginUpload(route, request);
    if (!('write' in begun)) {
      answer(begun);
      req.destroy();
      return;
    }
    const sink = begun;
    let size = 0;
    let finished = false;
    const fail = (status: number, reason: string) => {
      if (finished) return;
      finished = true;
      sink.abort(reason);
      answer(plainError(status, reason));
      req.destroy();
    };
    req.on('data', (chunk: Buffer) => {
      if (finished) return;
      size += chunk.length;
      if (size > route.maxBytes) return fail(413, `upload exceeds the limit of ${route.maxBytes} bytes`);
      const problem = sink.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (typeof problem === 'string') fail(400, problem);
    });
    req.on('end', () => {
      if (finished) return;
      finished = true;
      this.answering(req.socket);
      Promise.resolve()
        .then(() => sink.end())
        .then(
          (response) => send(res, response),
          (e: unknown) => send(res, plainError(500, 'internal error: ' + (e instanceof Error ? e.message : String(e)))),
        );
    });
    req.on('close', () => {
      if (!finished) {
        finished = true;
        sink.abort('connection closed before the upload ended');
      }
    });
    req.on('error', () => undefined);
  }
}

/** The server for `app` (not yet listening): `await server.listen(port, host)`. */
export function createNodeServer(app: App, options: NodeServerOptions = {}): NodeHttpServer {
  return new NodeHttpServer(app, options);
}
