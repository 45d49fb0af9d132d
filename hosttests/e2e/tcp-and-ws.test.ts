// Network serial bridge source (--tcp) against a local TCP server on 127.0.0.1, including a
// reconnect; and the WebSocket publisher dropping a client that stopped reading without
// slowing the others.
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { readCapture } from '../../firmware/host/replay-source';
import { WsPublisher } from '../../firmware/host/ws-publisher';
import { getJson, repoRoot, spawnApp, tempDir, waitFor } from './helpers';

const DSMR = readCapture(join(repoRoot, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt'));

describe('--tcp source', () => {
  let bridge: Server;
  const sockets: Socket[] = [];
  let app: Awaited<ReturnType<typeof spawnApp>>;

  beforeAll(async () => {
    bridge = createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
    });
    bridge.listen(0, '127.0.0.1');
    await once(bridge, 'listening');
    const port = (bridge.address() as AddressInfo).port;
    app = await spawnApp(['--tcp', `127.0.0.1:${port}`, '--settings', join(tempDir('meterbox-tcp-'), 's.json'), '--quiet']);
  });
  afterAll(async () => {
    await app?.stop();
    for (const s of sockets) s.destroy();
    bridge.close();
  });

  test('telegrams streamed by the bridge are decoded; after the bridge drops the connection the app reconnects', async () => {
    await waitFor('the app to connect', () => sockets.length === 1, 5000);
    sockets[0].write(DSMR.subarray(0, 100));
    sockets[0].write(DSMR.subarray(100));
    const first = await waitFor(
      'one decoded telegram',
      async () => {
        const s = (await getJson(app.url + '/api/v1/status')).body;
        return s.frames.frames === 1 ? s : undefined;
      },
      3000,
    );
    expect(first.link.source).toBe(`tcp 127.0.0.1:${(bridge.address() as AddressInfo).port}`);
    expect(first.reading.protocol).toBe('dsmr');
    sockets[0].destroy();
    await waitFor('the app to reconnect', () => sockets.length === 2, 5000);
    sockets[1].write(DSMR);
    await waitFor('a second decoded telegram', async () => (await getJson(app.url + '/api/v1/status')).body.frames.frames === 2, 3000);
  });
});

describe('WebSocket publisher', () => {
  test('a client that stops reading is dropped; a reading client gets every message', async () => {
    const server = createHttpServer();
    const publisher = new WsPublisher(server, { refusal: () => undefined, greeting: () => 'hello', maxBufferedBytes: 64 * 1024 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    try {
      // A raw client that completes the handshake, then never reads again.
      const stalled = connect(port, '127.0.0.1');
      await once(stalled, 'connect');
      stalled.write(
        `GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      await once(stalled, 'data');
      stalled.pause();
      let stalledClosed = false;
      stalled.on('close', () => {
        stalledClosed = true;
      });
      stalled.on('error', () => undefined);

      const good = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      let received = 0;
      good.on('message', () => {
        received++;
      });
      await once(good, 'open');
      await waitFor('both clients registered', () => publisher.clientCount() === 2, 2000);

      const message = 'x'.repeat(20000);
      let sent = 0;
      // Broadcast in bursts, yielding to the event loop like real frame arrivals do.
      await waitFor(
        'the stalled client to be dropped',
        async () => {
          for (let i = 0; i < 20; i++) {
            publisher.broadcast(message);
            sent++;
          }
          await new Promise((r) => setImmediate(r));
          return publisher.droppedCount() > 0 ? true : undefined;
        },
        20000,
        0,
      );
      // Once it reads again it finds the server closed its side.
      stalled.resume();
      await waitFor('the stalled socket to close', () => stalledClosed, 5000);
      expect(publisher.clientCount()).toBe(1);
      // +1: the greeting.
      await waitFor('the reading client to get every message', () => received === sent + 1, 10000);
      good.close();
    } finally {
      publisher.close();
      server.close();
    }
  });

  test('a client that no longer answers pings is dropped', async () => {
    const server = createHttpServer();
    const publisher = new WsPublisher(server, { refusal: () => undefined, greeting: () => 'hello', pingIntervalMs: 100 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    try {
      // ws clients answer pings automatically; a raw socket that never reads does not.
      const silent = connect(port, '127.0.0.1');
      await once(silent, 'connect');
      silent.write(
        `GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      silent.on('error', () => undefined);
      const live = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      await once(live, 'open');
      await waitFor('both connected', () => publisher.clientCount() === 2, 2000);
      await waitFor('the silent client to be dropped', () => publisher.clientCount() === 1, 2000);
      // The answering client is still there after several intervals.
      await new Promise((r) => setTimeout(r, 350));
      expect(publisher.clientCount()).toBe(1);
      expect(live.readyState).toBe(WebSocket.OPEN);
      live.close();
      silent.destroy();
    } finally {
      publisher.close();
      server.close();
    }
  });

  test('upgrades on other paths are refused', async () => {
    const server = createHttpServer();
    const publisher = new WsPublisher(server, { refusal: () => undefined, greeting: () => 'hello' });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/other`);
    const error = await new Promise<Error>((resolve) => ws.once('error', resolve));
    expect(error.message).toMatch(/404/);
    publisher.close();
    server.close();
  });
});
