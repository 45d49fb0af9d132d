/**
 * WebSocket live stream (RFC 6455, server side) on sockets handed over by the HTTP server, and the
 * LivePublisher the app core broadcasts through.
 *
 * Frame layout: byte 0 = FIN | opcode (1 text, 8 close, 9 ping, 10 pong); byte 1 = MASK | length
 * (126 -> 16-bit length follows, 127 -> 64-bit); client frames carry a 4-byte mask. Only the
 * control frames matter here: clients do not send data, the box pushes snapshots.
 *
 * Behaviour:
 * - the app decides first (app.liveRefusal: Host, Origin, read access; 421/403/401 with its reason)
 * - at most `maxClients` at once (503) and `perAddress` from one address (429), counted by the app
 *   core's ConnectionTable like the HTTP connections and the PC's WebSocket clients
 * - a ping every `pingIntervalMs`; a client that sent nothing back (no pong) by the next ping is
 *   closed, so a phone that left the Wi-Fi, or a peer that holds a slot and never answers, frees it
 * - a client whose socket cannot take a message keeps only the newest one pending (live data:
 *   older snapshots are worthless), so a slow phone never makes the box buffer without bound.
 */
import type TCP from 'embedded:io/socket/tcp';
import { Digest } from 'crypt';
import Base64 from 'base64';
import Timer from 'timer';
import type { AppRequest, AppResponse } from '../../app/http-types';
import type { LivePublisher } from '../../app/ports';
import { ConnectionTable } from '../../app/lan/connection-table';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptKey(key: string): string {
  const sha1 = new Digest('SHA1');
  sha1.write(key);
  sha1.write(WS_GUID);
  return Base64.encode(sha1.close());
}

export function encodeFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.byteLength;
  const headLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = new Uint8Array(headLength + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = length;
  else if (length < 65536) {
    frame[1] = 126;
    frame[2] = length >> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 127;
    frame[6] = (length >>> 24) & 0xff;
    frame[7] = (length >> 16) & 0xff;
    frame[8] = (length >> 8) & 0xff;
    frame[9] = length & 0xff;
  }
  frame.set(payload, headLength);
  return frame;
}

class Client {
  socket: TCP | undefined;
  private writable = 0;
  /** Bytes of an incoming client frame not yet complete (control frames only; small). */
  private input = new Uint8Array(256);
  private inputLength = 0;
  droppedMessages = 0;
  /** Something (a pong, any frame) came from the client since the last ping. */
  heard = true;

  constructor(
    from: TCP,
    private readonly hub: WebSocketHub,
    handshake: Uint8Array,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const client = this;
    this.socket = new (from.constructor as typeof TCP)({
      from,
      onReadable(count: number) {
        client.onReadable(count);
      },
      onWritable(count: number) {
        client.onWritable(count);
      },
      onError() {
        client.close();
      },
    });
    this.send(handshake);
  }

  private onReadable(count: number): void {
    const socket = this.socket;
    if (!socket) return;
    const bytes = new Uint8Array(socket.read(count) as ArrayBuffer);
    for (let i = 0; i < bytes.byteLength; i++) {
      if (this.inputLength === this.input.byteLength) {
        this.close(); // a frame larger than any control frame: this is not our client
        return;
      }
      this.input[this.inputLength++] = bytes[i] as number;
    }
    this.parseFrames();
  }

  private parseFrames(): void {
    while (this.inputLength >= 2) {
      const b0 = this.input[0] as number;
      const b1 = this.input[1] as number;
      let length = b1 & 0x7f;
      let at = 2;
      if (length === 126) {
        if (this.inputLength < 4) return;
        length = ((this.input[2] as number) << 8) | (this.input[3] as number);
        at = 4;
      } else if (length === 127) {
        this.close();
        return;
      }
      const masked = (b1 & 0x80) !== 0;
      const total = at + (masked ? 4 : 0) + length;
      if (total > this.input.byteLength) {
        this.close();
        return;
      }
      if (this.inputLength < total) return;
      const payload = this.input.slice(at + (masked ? 4 : 0), total);
      if (masked) for (let i = 0; i < payload.byteLength; i++) payload[i] = (payload[i] as number) ^ (this.input[at + (i & 3)] as number);
      this.input.copyWithin(0, total, this.inputLength);
      this.inputLength -= total;
      this.heard = true;
      const opcode = b0 & 0x0f;
      if (opcode === 8) {
        this.send(encodeFrame(8, payload.subarray(0, 2)));
        this.closeAfterSend = true;
        return;
      }
      if (opcode === 9) this.send(encodeFrame(10, payload));
      // text/binary/pong from the client: nothing to do
    }
  }

  closeAfterSend = false;

  /**
   * Queues a frame. Snapshot frames are replaceable: when one is already waiting behind the frame
   * being written, the newer one takes its place. The handshake and control frames always go out.
   */
  send(frame: Uint8Array, replaceable = false): void {
    if (!this.socket) return;
    const last = this.queue.length - 1;
    if (replaceable && last >= 1 && this.replaceable[last]) {
      this.queue[last] = frame;
      this.droppedMessages++;
    } else {
      if (replaceable && this.queue.length >= 4) {
        this.droppedMessages++;
        return;
      }
      this.queue.push(frame);
      this.replaceable.push(replaceable);
    }
    this.pump();
  }

  private queue: Uint8Array[] = [];
  private replaceable: boolean[] = [];
  private offset = 0;

  private onWritable(count: number): void {
    this.writable = count;
    this.pump();
  }

  private pump(): void {
    const socket = this.socket;
    while (socket && this.queue.length && this.writable > 0) {
      const frame = this.queue[0] as Uint8Array;
      const count = Math.min(this.writable, frame.byteLength - this.offset);
      let result: unknown;
      try {
        result = socket.write(frame.subarray(this.offset, this.offset + count));
      } catch {
        this.close();
        return;
      }
      this.writable = typeof result === 'number' ? result : this.writable - count;
      this.offset += count;
      if (this.offset === frame.byteLength) {
        this.queue.shift();
        this.replaceable.shift();
        this.offset = 0;
      }
    }
    if (!this.queue.length && this.closeAfterSend) this.close();
  }

  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      try {
        socket.close();
      } catch {
        /* closed by the peer */
      }
    }
    this.hub.forget(this);
  }
}

function statusLine(status: number): string {
  switch (status) {
    case 400:
      return '400 Bad Request';
    case 401:
      return '401 Unauthorized';
    case 403:
      return '403 Forbidden';
    case 421:
      return '421 Misdirected Request';
    case 429:
      return '429 Too Many Requests';
    default:
      return '503 Service Unavailable';
  }
}

export interface WebSocketHubOptions {
  perAddress?: number;
  pingIntervalMs?: number;
}

export class WebSocketHub implements LivePublisher {
  private readonly table: ConnectionTable<Client>;
  private readonly pingIntervalMs: number;
  private readonly perAddress: number;
  private pinger: Timer | undefined;
  refusedCount = 0;
  silentClosedCount = 0;

  constructor(
    private readonly maxClients: number,
    private readonly greeting?: () => string,
    options: WebSocketHubOptions = {},
  ) {
    this.perAddress = options.perAddress ?? 2;
    this.table = new ConnectionTable<Client>({ maxConnections: maxClients, perAddress: this.perAddress });
    this.pingIntervalMs = options.pingIntervalMs ?? 20_000;
  }

  /**
   * Completes the upgrade for a request the HTTP server matched (path, method). `refusal` is the
   * app's answer (app.liveRefusal), undefined when it may proceed. Always takes the socket.
   */
  upgrade(request: AppRequest, socket: TCP, refusal: AppResponse | undefined): boolean {
    const key = request.headers['sec-websocket-key'];
    const version = request.headers['sec-websocket-version'];
    let status = 0;
    let reason = '';
    if (!key || version !== '13') {
      status = 400;
      reason = 'not a WebSocket handshake (Sec-WebSocket-Key, version 13)';
    } else if (refusal) {
      status = refusal.status;
      reason = typeof refusal.body === 'string' ? refusal.body : '{"error":"refused"}';
    } else if (this.table.countFor(request.remote) >= this.perAddress) {
      status = 429;
      reason = `{"error":"too many live connections from your address (at most ${this.perAddress})"}`;
    } else if (this.table.size() >= this.maxClients) {
      status = 503;
      reason = '{"error":"busy: every live connection is in use, retry later"}';
    }
    if (status) {
      if (status === 429 || status === 503) this.refusedCount++;
      if (reason.charCodeAt(0) !== 123) reason = JSON.stringify({ error: reason });
      const body = new Uint8Array(ArrayBuffer.fromString(reason));
      const text = `HTTP/1.1 ${statusLine(status)}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${body.byteLength}\r\n\r\n`;
      const client = new Client(socket, this, new Uint8Array(ArrayBuffer.fromString(text)));
      client.send(body);
      client.closeAfterSend = true;
      return false;
    }
    const head = `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${acceptKey(key as string)}\r\n\r\n`;
    const client = new Client(socket, this, new Uint8Array(ArrayBuffer.fromString(head)));
    this.table.admit(client, request.remote, Date.now(), false);
    if (!this.pinger) this.pinger = Timer.repeat(() => this.ping(), this.pingIntervalMs);
    const greeting = this.greeting?.();
    if (greeting !== undefined) client.send(encodeFrame(1, new Uint8Array(ArrayBuffer.fromString(greeting))), true);
    return true;
  }

  /** Closes the clients that stayed silent since the last ping, pings the others. */
  private ping(): void {
    const ping = encodeFrame(9, new Uint8Array(0));
    for (const client of this.table.items()) {
      if (!client.heard) {
        this.silentClosedCount++;
        client.close();
        continue;
      }
      client.heard = false;
      client.send(ping);
    }
  }

  broadcast(message: string): void {
    if (!this.table.size()) return;
    const frame = encodeFrame(1, new Uint8Array(ArrayBuffer.fromString(message)));
    for (const client of this.table.items()) client.send(frame, true);
  }

  clientCount(): number {
    return this.table.size();
  }

  forget(client: Client): void {
    this.table.release(client);
    if (!this.table.size() && this.pinger) {
      Timer.clear(this.pinger);
      this.pinger = undefined;
    }
  }
}
