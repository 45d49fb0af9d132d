// The device's HTTP server and WebSocket hub (firmware/moddable/http/*.ts), the real code over
// stand-in sockets and a virtual clock (standin-sockets.ts), in front of the real app core fed a
// real Aidon capture once a (virtual) second: the drip-feed attack of issue 12 (4+ connections
// sending a header byte every 14 s; 0 of 75 requests served before this change), the per-address
// limit with parking, eviction of idle connections, nested JSON, foreign Host/Origin, and the
// WebSocket hub's per-address limit and ping/pong timeout.
/* eslint-disable @typescript-eslint/no-require-imports */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as standin from './standin-sockets';

jest.mock('timer', () => ({ __esModule: true, default: require('./standin-sockets').Timer }), { virtual: true });
jest.mock('embedded:io/socket/listener', () => ({ __esModule: true, default: require('./standin-sockets').FakeListener }), { virtual: true });
jest.mock('crypt', () => ({ Digest: require('../moddable/standin-crypt').Digest }), { virtual: true });
jest.mock('base64', () => ({ __esModule: true, default: { encode: (b: ArrayBuffer) => Buffer.from(b).toString('base64') } }), { virtual: true });

standin.installXsGlobals();
const { HttpServer, defaultHttpServerOptions } = require('../../firmware/moddable/http/http-server');
const { WebSocketHub } = require('../../firmware/moddable/http/websocket-hub');
const { createApp } = require('../../firmware/app/app');

const root = join(__dirname, '..', '..');
function hexFile(path: string): Uint8Array {
  const text = readFileSync(join(root, path), 'utf8')
    .split('\n')
    .map((line) => line.split('#')[0].split('//')[0])
    .join('');
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}
const frames = [
  hexFile('hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-1.hex'),
  hexFile('hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-2.hex'),
];

function startBox() {
  standin.resetTimers();
  let stored: string | undefined;
  let hub: any;
  const app = createApp({
    clock: { nowMs: () => standin.clock.nowMs },
    scheduler: {
      every: (ms: number, callback: () => void) => {
        const id = standin.Timer.repeat(callback, ms);
        return { cancel: () => standin.Timer.clear(id) };
      },
      after: (ms: number, callback: () => void) => {
        const id = standin.Timer.set(callback, ms);
        return { cancel: () => standin.Timer.clear(id) };
      },
    },
    settingsStore: {
      load: () => stored,
      save: (text: string) => {
        stored = text;
      },
    },
    publisher: { broadcast: (m: string) => hub?.broadcast(m), clientCount: () => hub?.clientCount() ?? 0 },
    logger: { info: () => undefined, warn: () => undefined },
    randomBytes: (n: number) => new Uint8Array(randomBytes(n)),
    hostNames: () => ['meterbox.local', '192.168.1.50'],
    options: { passwordIterations: 10 },
  });
  hub = new WebSocketHub(3, () => app.liveMessage(), { perAddress: 2, pingIntervalMs: 20_000 });
  const server = new HttpServer({
    ...defaultHttpServerOptions,
    nowMs: () => standin.clock.nowMs,
    handle: (request: any) => app.handle(request),
    uploadRoute: (method: string, path: string) => app.uploadRoute(method, path),
    beginUpload: (route: any, request: any) => app.beginUpload(route, request),
    upgradePath: '/ws',
    onUpgrade: (request: any, socket: any) => hub.upgrade(request, socket, app.liveRefusal(request)),
  });
  // the meter: one frame a second
  let n = 0;
  standin.Timer.repeat(() => app.onMeterBytes(frames[n++ % 2], standin.clock.nowMs), 1000);
  app.start();
  return { app, server, hub, listener: standin.listener! };
}

const GET_STATUS = 'GET /api/v1/status HTTP/1.1\r\nHost: 192.168.1.50\r\n\r\n';

test('drip-feed: 6 connections from 3 addresses sending a header byte every 14 s; another client gets 75 of 75 answers with live data', async () => {
  const box = startBox();
  await standin.advance(3000);
  const drips = Array.from({ length: 6 }, (_, i) => box.listener.connect(`10.0.0.${1 + (i % 3)}`));
  const dripText = 'GET /api/v1/status HTTP/1.1\r\nHost: 192.168.1.50\r\nX-Drip: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  let step = 0;
  const dripTimer = standin.Timer.repeat(() => {
    // a drip connection closed by the box comes back at once, as an attacker's would
    drips.forEach((peer, i) => {
      if (peer.closed) drips[i] = box.listener.connect(peer.remote);
      drips[i].send(dripText[step % dripText.length]);
    });
    step++;
  }, 14_000);
  let answered = 0;
  const frameCounts: number[] = [];
  for (let i = 0; i < 75; i++) {
    const client = box.listener.connect('10.0.0.99');
    client.send(GET_STATUS);
    await standin.advance(2000);
    if (client.status() === 200) {
      answered++;
      frameCounts.push(JSON.parse(client.body()).frames.frames);
    }
  }
  standin.Timer.clear(dripTimer);
  console.log(
    `device server, drip-feed (6 connections from 3 addresses, 1 byte per 14 s, reconnecting): ${answered}/75 answered over ${75 * 2} s; evicted ${box.server.evictedCount}, timed out ${box.server.timedOutCount}, refused ${box.server.refusedCount}`,
  );
  expect(answered).toBe(75);
  // live data: the frame count kept growing through the attack
  expect(frameCounts[frameCounts.length - 1]).toBeGreaterThan(frameCounts[0] + 100);
  // the drips never got a request through: each was cut by the head deadline or evicted
  expect(box.server.timedOutCount + box.server.evictedCount).toBeGreaterThan(6);
  box.server.close();
});

test("a browser's parallel requests past 2 per address wait parked and are all answered; the table never passes 4", async () => {
  const box = startBox();
  const requests = Array.from({ length: 4 }, () => box.listener.connect('10.0.0.5'));
  expect(box.server.activeConnections()).toBe(4);
  requests.forEach((peer) => peer.send('GET /api/v1/status HTTP/1.1\r\nHost: meterbox.local\r\n\r\n'));
  await standin.advance(10);
  expect(requests.map((peer) => peer.status())).toEqual([200, 200, 200, 200]);
  // full of idle connections from one address: a newcomer from another evicts the oldest (503 with the reason)
  const idle = Array.from({ length: 4 }, () => box.listener.connect('10.0.0.6'));
  const newcomer = box.listener.connect('10.0.0.7');
  newcomer.send(GET_STATUS);
  await standin.advance(10);
  expect(newcomer.status()).toBe(200);
  expect(idle[2].status()).toBe(503);
  expect(JSON.parse(idle[2].body()).error).toContain('make room');
  box.server.close();
});

test('nested JSON (4,000 levels) is a 400 with the reason before JSON.parse, and data stays live', async () => {
  const box = startBox();
  await standin.advance(2000);
  const body = '['.repeat(4000) + ']'.repeat(4000);
  const client = box.listener.connect('10.0.0.8');
  client.send(`POST /api/v1/auth/login HTTP/1.1\r\nHost: meterbox.local\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
  await standin.advance(100);
  expect(client.status()).toBe(400);
  expect(JSON.parse(client.body()).error).toBe('body nests deeper than 32 levels');
  const before = box.app.snapshot().frames.frames;
  await standin.advance(3000);
  expect(box.app.snapshot().frames.frames).toBeGreaterThan(before);
  box.server.close();
});

test('foreign Host 421; cross-site setup 403; text/plain 415; the box stays unclaimed', async () => {
  const box = startBox();
  const ask = async (text: string) => {
    const peer = box.listener.connect('10.0.0.9');
    peer.send(text);
    await standin.advance(50);
    return peer;
  };
  expect((await ask('GET /api/v1/settings HTTP/1.1\r\nHost: evil.example\r\n\r\n')).status()).toBe(421);
  const body = '{"password":"attacker pw"}';
  expect(
    (
      await ask(
        `POST /api/v1/auth/setup HTTP/1.1\r\nHost: meterbox.local\r\norigin: http://evil.example\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      )
    ).status(),
  ).toBe(403);
  expect(
    (
      await ask(`POST /api/v1/auth/setup HTTP/1.1\r\nHost: meterbox.local\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n\r\n${body}`)
    ).status(),
  ).toBe(415);
  expect(JSON.parse((await ask('GET /api/v1/auth/status HTTP/1.1\r\nHost: meterbox.local\r\n\r\n')).body()).passwordSet).toBe(false);
  box.server.close();
});

describe('WebSocket hub', () => {
  const upgrade = (extra = '') =>
    `GET /ws HTTP/1.1\r\nHost: meterbox.local\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

  test('foreign Origin 403; 2 per address (429), 3 in all (503)', async () => {
    const box = startBox();
    const connect = async (remote: string, extra = '') => {
      const peer = box.listener.connect(remote);
      peer.send(upgrade(extra));
      await standin.advance(10);
      return peer;
    };
    expect((await connect('10.0.1.1', 'Origin: http://evil.example\r\n')).status()).toBe(403);
    const a = [await connect('10.0.1.1', 'Origin: http://meterbox.local\r\n'), await connect('10.0.1.1')];
    expect(a.map((p) => p.status())).toEqual([101, 101]);
    const third = await connect('10.0.1.1');
    expect(third.status()).toBe(429);
    expect(third.body()).toContain('your address');
    expect((await connect('10.0.1.2')).status()).toBe(101);
    expect((await connect('10.0.1.3')).status()).toBe(503);
    expect(box.hub.clientCount()).toBe(3);
    box.server.close();
  });

  test('a client that never answers a ping is closed at the next one; one that answers stays', async () => {
    const box = startBox();
    const silent = box.listener.connect('10.0.2.1');
    silent.send(upgrade());
    const answering = box.listener.connect('10.0.2.2');
    answering.send(upgrade());
    await standin.advance(10);
    expect(box.hub.clientCount()).toBe(2);
    // each ping is answered with a masked pong from `answering` only
    const pong = new Uint8Array([0x8a, 0x80, 1, 2, 3, 4]);
    for (let i = 0; i < 3; i++) {
      await standin.advance(20_000);
      answering.send(pong);
    }
    expect(silent.closed).toBe(true);
    expect(answering.closed).toBe(false);
    expect(box.hub.clientCount()).toBe(1);
    expect(box.hub.silentClosedCount).toBe(1);
    box.server.close();
  });
});
