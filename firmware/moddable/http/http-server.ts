/**
 * HTTP/1.1 server for the device on ECMA-419 sockets (embedded:io/socket/listener + tcp), serving
 * the app core's AppRequest/AppResponse routes, streamed uploads (UploadRoute/UploadSink) and the
 * WebSocket upgrade on one port.
 *
 * Behaviour:
 * - One request per connection ("connection: close"): the ESP32 has few sockets, so none is kept idle.
 * - Who holds the sockets is decided by the app core's ConnectionTable (firmware/app/lan/
 *   connection-table.ts), the same rules as the PC server: at most `maxConnections` at once, at most
 *   `perAddress` being read or answered per address (a browser's other parallel requests wait
 *   parked, unread, in the TCP stack), when full the oldest idle connection is evicted with 503, and
 *   with nothing idle the newcomer gets 503 with the reason. A client always gets a clear answer.
 * - Absolute deadlines, never restarted by trickling bytes: the head within headDeadlineMs of the
 *   accept, the body within bodyDeadlineMs + length / bodyMinBytesPerS, the answer written within
 *   responseDeadlineMs (408 with the reason, or a plain close once an answer started). Four
 *   connections sending a byte every 14 s used to hold every slot for hours (issue 12).
 * - Request head limited to `maxHeadBytes` (431 past it), plain bodies to `maxBodyBytes` (413);
 *   upload bodies go chunk by chunk to the UploadSink (never buffered whole) up to route.maxBytes.
 * - Responses are written as the socket drains (onWritable), so large page files do not need RAM
 *   beyond the body itself (flash resources are read in place).
 * - GET on the WebSocket path with an Upgrade header is handed to `onUpgrade` with the socket (it
 *   leaves the table: the WebSocket hub counts its own clients).
 */
import type TCP from 'embedded:io/socket/tcp';
import Listener from 'embedded:io/socket/listener';
import Timer from 'timer';
import type { AppRequest, AppResponse, UploadRoute, UploadSink } from '../../app/http-types';
import { ConnectionTable, bodyDeadlineMs } from '../../app/lan/connection-table';
import type { ConnectionLimits } from '../../app/lan/connection-table';
import { parseRequestHead } from './request-head';

export interface HttpServerOptions extends ConnectionLimits {
  port: number;
  maxHeadBytes: number;
  maxBodyBytes: number;
  /** Milliseconds now (the table's ages); Date.now when absent. */
  nowMs?: () => number;
  handle(request: AppRequest): Promise<AppResponse>;
  uploadRoute(method: string, path: string): UploadRoute | undefined;
  beginUpload(route: UploadRoute, request: AppRequest): UploadSink | AppResponse;
  /** WebSocket upgrade: return false to refuse (the server answers 403 or 503). */
  onUpgrade?(request: AppRequest, socket: TCP): boolean;
  upgradePath?: string;
}

export const defaultHttpServerOptions = {
  port: 80,
  maxConnections: 4,
  perAddress: 2,
  maxHeadBytes: 2048,
  maxBodyBytes: 8192,
  headDeadlineMs: 5_000,
  bodyDeadlineMs: 5_000,
  // an OTA image of 1.9 MB over a poor Wi-Fi link still fits (about 4 minutes)
  bodyMinBytesPerS: 8_192,
  responseDeadlineMs: 20_000,
};

type Phase = 'parked' | 'head' | 'body' | 'upload' | 'waiting' | 'responding' | 'done';

function reasonPhrase(status: number): string {
  switch (status) {
    case 101:
      return 'Switching Protocols';
    case 200:
      return 'OK';
    case 201:
      return 'Created';
    case 202:
      return 'Accepted';
    case 204:
      return 'No Content';
    case 301:
      return 'Moved Permanently';
    case 302:
      return 'Found';
    case 304:
      return 'Not Modified';
    case 400:
      return 'Bad Request';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'Not Found';
    case 405:
      return 'Method Not Allowed';
    case 408:
      return 'Request Timeout';
    case 409:
      return 'Conflict';
    case 411:
      return 'Length Required';
    case 413:
      return 'Payload Too Large';
    case 415:
      return 'Unsupported Media Type';
    case 422:
      return 'Unprocessable Entity';
    case 429:
      return 'Too Many Requests';
    case 431:
      return 'Request Header Fields Too Large';
    case 500:
      return 'Internal Server Error';
    case 503:
      return 'Service Unavailable';
    default:
      return 'Status';
  }
}

function toBytes(body: string | Uint8Array | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  if (typeof body === 'string') return new Uint8Array(ArrayBuffer.fromString(body));
  return body;
}

/** Writes a queue of byte chunks as the socket drains; closes the socket when everything went out. */
class Writer {
  private chunks: Uint8Array[] = [];
  private offset = 0;
  private writable = 0;
  constructor(
    private readonly socket: TCP,
    private readonly onFinished: () => void,
  ) {}
  queue(chunk: Uint8Array): void {
    if (chunk.byteLength) this.chunks.push(chunk);
  }
  setWritable(count: number): void {
    this.writable = count;
  }
  pending(): boolean {
    return this.chunks.length > 0;
  }
  /** Writes what fits; calls onFinished once the queue is empty. */
  pump(): void {
    while (this.chunks.length && this.writable > 0) {
      const chunk = this.chunks[0];
      const count = Math.min(this.writable, chunk.byteLength - this.offset);
      const result = this.socket.write(chunk.subarray(this.offset, this.offset + count)) as unknown;
      this.writable = typeof result === 'number' ? result : this.writable - count;
      this.offset += count;
      if (this.offset === chunk.byteLength) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    if (!this.chunks.length) this.onFinished();
  }
}

class Connection {
  private phase: Phase = 'parked';
  /** Allocated when the connection starts (a parked one costs no buffer). */
  private headBuffer = new Uint8Array(0);
  /** Bytes the socket said it holds while parked, read once the connection starts. */
  private unread = 0;
  private headLength = 0;
  private request: AppRequest | undefined;
  private bodyParts: Uint8Array[] = [];
  private bodyRemaining = 0;
  private sink: UploadSink | undefined;
  private timer: Timer | undefined;
  private readonly writer: Writer;
  private socket: TCP | undefined;

  constructor(
    from: TCP,
    private readonly server: HttpServer,
    private readonly options: HttpServerOptions,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const connection = this;
    const socket = new (from.constructor as typeof TCP)({
      from,
      onReadable(count: number) {
        connection.onReadable(count);
      },
      onWritable(count: number) {
        connection.onWritable(count);
      },
      onError() {
        connection.fail('socket error');
      },
    });
    this.socket = socket;
    this.writer = new Writer(socket, () => this.onWritten());
    this.remote = socket.remoteAddress;
    // Counted from the accept, parked or not: a parked connection waits only for its own address's
    // other requests, which take milliseconds.
    this.arm(options.headDeadlineMs, 'no complete request head in time');
  }

  readonly remote: string | undefined;

  /** One absolute deadline at a time: bytes arriving never move it. */
  private arm(ms: number, reason: string): void {
    if (this.timer) Timer.clear(this.timer);
    this.timer = Timer.set(() => {
      this.timer = undefined;
      this.server.timedOutCount++;
      if (this.phase === 'responding' || this.phase === 'waiting') this.close();
      else this.respondNow({ status: 408, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'request timeout: ' + reason }) });
    }, ms);
  }

  /** The table let this connection be served: read what waited and what comes. */
  start(): void {
    if (this.phase !== 'parked' || !this.socket) return;
    this.phase = 'head';
    this.headBuffer = new Uint8Array(this.options.maxHeadBytes);
    const unread = this.unread;
    this.unread = 0;
    if (unread > 0) this.onReadable(unread);
  }

  /** Made room for a newer connection (connection-table.ts): answered 503 and closed. */
  evict(): void {
    this.respondNow({
      status: 503,
      headers: { 'content-type': 'application/json', 'retry-after': '2' },
      body: JSON.stringify({ error: 'closed to make room: this connection sent no complete request' }),
    });
  }

  private onReadable(count: number): void {
    const socket = this.socket;
    if (!socket) return;
    if (this.phase === 'parked') {
      this.unread = count;
      return;
    }
    while (count > 0 && this.socket) {
      if (this.phase === 'head') {
        const room = this.headBuffer.byteLength - this.headLength;
        if (room === 0) {
          this.respondNow({ status: 431, body: 'request head too large\n' });
          return;
        }
        const take = Math.min(room, count);
        const chunk = new Uint8Array(socket.read(take) as ArrayBuffer);
        count -= chunk.byteLength;
        if (!chunk.byteLength) return;
        this.headBuffer.set(chunk, this.headLength);
        const searchFrom = Math.max(0, this.headLength - 3);
        this.headLength += chunk.byteLength;
        const end = findHeadEnd(this.headBuffer, searchFrom, this.headLength);
        if (end < 0) continue;
        this.startRequest(end);
        // bytes after the head belong to the body
        const extra = this.headBuffer.slice(end, this.headLength);
        // The head is parsed: its maxHeadBytes buffer is not kept while the request is answered
        // (2 KB of XS chunks per connection on a board without PSRAM).
        this.headBuffer = new Uint8Array(0);
        if (extra.byteLength && this.socket) this.consumeBody(extra);
      } else if (this.phase === 'body' || this.phase === 'upload') {
        const chunk = new Uint8Array(socket.read(Math.min(count, this.bodyRemaining, 1460)) as ArrayBuffer);
        if (!chunk.byteLength) return;
        count -= chunk.byteLength;
        this.consumeBody(chunk);
      } else {
        // data after the request (pipelining is not supported): discard
        socket.read(count);
        return;
      }
    }
  }

  private startRequest(headEnd: number): void {
    const text = String.fromArrayBuffer(this.headBuffer.slice(0, headEnd).buffer);
    const head = parseRequestHead(text);
    if (typeof head === 'string') {
      this.respondNow({ status: 400, body: head + '\n' });
      return;
    }
    const request: AppRequest = { method: head.method, path: head.path, query: head.query, headers: head.headers };
    if (this.remote !== undefined) request.remote = this.remote;
    this.request = request;
    this.arm(bodyDeadlineMs(this.options, head.contentLength ?? 0), 'the body did not arrive in time');

    const options = this.options;
    if (
      options.onUpgrade &&
      head.method === 'GET' &&
      head.path === (options.upgradePath ?? '/ws') &&
      (head.headers['upgrade'] ?? '').toLowerCase() === 'websocket'
    ) {
      const socket = this.detach();
      if (!socket) return;
      if (!options.onUpgrade(request, socket)) {
        // the handler already answered and closed the socket
      }
      return;
    }

    if (head.headers['transfer-encoding'] !== undefined) {
      this.respondNow({ status: 411, body: 'chunked request bodies are not supported; send content-length\n' });
      return;
    }
    const length = head.contentLength;
    const route = options.uploadRoute(head.method, head.path);
    if (route) {
      if (length === undefined) {
        this.respondNow({ status: 411, body: 'upload needs content-length\n' });
        return;
      }
      if (length > route.maxBytes) {
        this.respondNow({ status: 413, body: `upload larger than ${route.maxBytes} bytes\n` });
        return;
      }
      let begun: UploadSink | AppResponse;
      try {
        begun = options.beginUpload(route, request);
      } catch (e) {
        this.respondNow({ status: 500, body: String(e) + '\n' });
        return;
      }
      if ('status' in begun) {
        this.respondNow(begun);
        return;
      }
      this.sink = begun;
      this.bodyRemaining = length;
      this.phase = 'upload';
      if (length === 0) this.finishUpload();
      return;
    }
    if ((length ?? 0) > options.maxBodyBytes) {
      this.respondNow({ status: 413, body: `body larger than ${options.maxBodyBytes} bytes\n` });
      return;
    }
    this.bodyRemaining = length ?? 0;
    this.phase = 'body';
    if (this.bodyRemaining === 0) this.dispatch();
  }

  private consumeBody(chunk: Uint8Array): void {
    if (chunk.byteLength > this.bodyRemaining) chunk = chunk.subarray(0, this.bodyRemaining);
    this.bodyRemaining -= chunk.byteLength;
    if (this.phase === 'upload') {
      const sink = this.sink;
      if (!sink) return;
      let refusal: void | string;
      try {
        refusal = sink.write(chunk);
      } catch (e) {
        refusal = String(e);
      }
      if (typeof refusal === 'string') {
        this.sink = undefined;
        this.respondNow({ status: 400, body: refusal + '\n' });
        return;
      }
      if (this.bodyRemaining === 0) this.finishUpload();
    } else if (this.phase === 'body') {
      this.bodyParts.push(chunk);
      if (this.bodyRemaining === 0) this.dispatch();
    }
  }

  private finishUpload(): void {
    const sink = this.sink;
    this.sink = undefined;
    this.answering();
    if (!sink) return;
    let result: AppResponse | Promise<AppResponse>;
    try {
      result = sink.end();
    } catch (e) {
      this.respondNow({ status: 500, body: String(e) + '\n' });
      return;
    }
    Promise.resolve(result).then(
      (response) => this.respondNow(response),
      (e: unknown) => this.respondNow({ status: 500, body: String(e) + '\n' }),
    );
  }

  /** The request is complete: never evicted now, and the answer has responseDeadlineMs to go out. */
  private answering(): void {
    this.phase = 'waiting';
    this.server.busy(this);
    this.arm(this.options.responseDeadlineMs, 'the answer was not read in time');
  }

  private dispatch(): void {
    const request = this.request;
    if (!request) return;
    this.answering();
    if (this.bodyParts.length) {
      let total = 0;
      for (const part of this.bodyParts) total += part.byteLength;
      const joined = new Uint8Array(total);
      let at = 0;
      for (const part of this.bodyParts) {
        joined.set(part, at);
        at += part.byteLength;
      }
      this.bodyParts = [];
      request.body = String.fromArrayBuffer(joined.buffer);
    }
    this.options.handle(request).then(
      (response) => this.respondNow(response),
      (e: unknown) => this.respondNow({ status: 500, body: String(e) + '\n' }),
    );
  }

  private respondNow(response: AppResponse): void {
    if (!this.socket || this.phase === 'responding' || this.phase === 'done') return;
    if (this.sink) {
      const sink = this.sink;
      this.sink = undefined;
      try {
        sink.abort('request ended early');
      } catch {
        /* the sink's own problem; the connection still gets its answer */
      }
    }
    if (this.phase !== 'waiting') this.arm(this.options.responseDeadlineMs, 'the answer was not read in time');
    this.phase = 'responding';
    this.server.busy(this);
    const body = toBytes(response.body);
    let head = `HTTP/1.1 ${response.status} ${reasonPhrase(response.status)}\r\nconnection: close\r\n`;
    const headers = response.headers ?? {};
    let hasType = false;
    for (const name in headers) {
      const lower = name.toLowerCase();
      if (lower === 'content-length' || lower === 'connection') continue;
      if (lower === 'content-type') hasType = true;
      head += `${name}: ${headers[name]}\r\n`;
    }
    if (!hasType && body.byteLength) head += 'content-type: text/plain; charset=utf-8\r\n';
    head += `content-length: ${body.byteLength}\r\n\r\n`;
    this.writer.queue(new Uint8Array(ArrayBuffer.fromString(head)));
    this.writer.queue(body);
    this.writer.pump();
  }

  private onWritable(count: number): void {
    this.writer.setWritable(count);
    if (this.phase === 'responding') this.writer.pump();
  }

  private onWritten(): void {
    if (this.phase !== 'responding') return;
    this.phase = 'done';
    this.close();
  }

  /** Hands the socket over (WebSocket upgrade); this connection forgets it. */
  private detach(): TCP | undefined {
    const socket = this.socket;
    this.socket = undefined;
    this.phase = 'done';
    if (this.timer) Timer.clear(this.timer);
    this.timer = undefined;
    this.server.forget(this);
    if (!socket) return undefined;
    return new (socket.constructor as typeof TCP)({ from: socket });
  }

  /** Not admitted (connection-table.ts said why): 503 with the reason, then closed. */
  refuse(reason: string): void {
    this.phase = 'head';
    this.respondNow({ status: 503, headers: { 'content-type': 'application/json', 'retry-after': '2' }, body: JSON.stringify({ error: reason }) });
  }

  fail(reason: string): void {
    if (this.sink) {
      const sink = this.sink;
      this.sink = undefined;
      try {
        sink.abort(reason);
      } catch {
        /* nothing more to do */
      }
    }
    this.close();
  }

  close(): void {
    if (this.timer) Timer.clear(this.timer);
    this.timer = undefined;
    this.phase = 'done';
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      try {
        socket.close();
      } catch {
        /* already closed by the peer */
      }
    }
    this.server.forget(this);
  }
}

/** Index just past "\r\n\r\n", or -1. */
function findHeadEnd(buffer: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 3 < to; i++) {
    if (buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10) return i + 4;
  }
  return -1;
}

export class HttpServer {
  private readonly table: ConnectionTable<Connection>;
  private listener: Listener | undefined;
  timedOutCount = 0;

  constructor(private readonly options: HttpServerOptions) {
    this.table = new ConnectionTable<Connection>(options);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const server = this;
    this.listener = new Listener({
      port: options.port,
      onReadable(requests: number) {
        while (requests-- > 0) {
          const socket = this.read();
          if (!socket) break;
          server.accept(socket);
        }
      },
    });
  }

  private accept(socket: TCP): void {
    const connection = new Connection(socket, this, this.options);
    const admission = this.table.admit(connection, connection.remote, this.options.nowMs ? this.options.nowMs() : Date.now());
    if (admission.action === 'refuse') {
      connection.refuse(admission.reason);
      return;
    }
    if (admission.evicted) admission.evicted.evict();
    if (admission.action === 'serve') connection.start();
  }

  /** The connection's request is complete: it is no longer idle (never evicted). */
  busy(connection: Connection): void {
    this.table.markBusy(connection);
  }

  forget(connection: Connection): void {
    const next = this.table.release(connection);
    if (next) next.start();
  }

  activeConnections(): number {
    return this.table.size();
  }

  get refusedCount(): number {
    return this.table.refusedCount;
  }

  get evictedCount(): number {
    return this.table.evictedCount;
  }

  get port(): number {
    return this.listener?.port ?? this.options.port;
  }

  close(): void {
    for (const connection of this.table.items()) connection.close();
    (this.listener as unknown as { close(): void } | undefined)?.close();
    this.listener = undefined;
  }
}
