// The LAN and browser rules of the PC box, end to end against the real product (`npm start` in a
// child process on 127.0.0.1, source addresses picked from 127.0.0.0/8 to play several LAN
// clients): DNS rebinding (foreign Host), cross-site requests (foreign Origin on POST and on the
// WebSocket, a text/plain claim of an unclaimed box, cross-site wrong logins), nested JSON, slow
// connections (drip-feed), and a rotating-address login flood while a normal client polls status.
// Every loop is bounded in count and time; figures are printed (console.log) for the report.
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { getJson, spawnApp, tempDir, waitFor, type SpawnedApp } from '../e2e/helpers';
import { repoRoot } from '../e2e/helpers';

jest.setTimeout(180_000);

const PASSWORD = 'correct horse battery';
const captures = [
  'hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-1.hex',
  'hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-2.hex',
]
  .map((p) => join(repoRoot, p))
  .join(',');

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One request on a fresh connection from `from`, with the headers exactly as given. */
function send(
  app: SpawnedApp,
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string>; from?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${app.port}`, ...(options.headers ?? {}) };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = httpRequest(
      { host: '127.0.0.1', port: app.port, method, path, agent: false, localAddress: options.from ?? '127.0.0.1', headers, setHost: false },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (data.length < 200_000) data += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
        res.on('error', () => resolve({ status: -1, body: '', headers: {} }));
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy());
    req.on('error', () => resolve({ status: -1, body: '', headers: {} }));
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const json = (a: Answer) => JSON.parse(a.body);
const JSON_TYPE = { 'content-type': 'application/json' };

async function liveFrames(app: SpawnedApp, from = '127.0.0.1'): Promise<number> {
  const r = await send(app, 'GET', '/api/v1/status', { from });
  return r.status === 200 ? json(r).frames.frames : -1;
}

/** The meter data still moves: the frame count grows within a few seconds. */
async function stillLive(app: SpawnedApp, from = '127.0.0.1'): Promise<void> {
  const before = await liveFrames(app, from);
  expect(before).toBeGreaterThan(0);
  await waitFor('more decoded frames', async () => (await liveFrames(app, from)) > before, 10_000, 100);
}

describe('unclaimed box', () => {
  let app: SpawnedApp;
  beforeAll(async () => {
    app = await spawnApp([
      '--capture',
      captures,
      '--interval-ms',
      '150',
      '--replay-baud',
      '0',
      '--settings',
      join(tempDir('meterbox-lan-'), 's.json'),
      '--quiet',
      '--allow-host',
      'meterbox.example.lan',
    ]);
  });
  afterAll(async () => app?.stop());

  test('DNS rebinding: a foreign Host gets 421 with the reason on every kind of route; own names are served', async () => {
    for (const path of ['/api/v1/status', '/api/v1/settings', '/api/v1/wifi/status', '/', '/api']) {
      const r = await send(app, 'GET', path, { headers: { host: 'evil.example' } });
      expect({ path, status: r.status }).toEqual({ path, status: 421 });
      expect(json(r).error).toContain('DNS rebinding');
    }
    expect(
      (await send(app, 'POST', '/api/v1/auth/setup', { body: JSON.stringify({ password: PASSWORD }), headers: { host: 'evil.example:80', ...JSON_TYPE } }))
        .status,
    ).toBe(421);
    for (const host of [
      'localhost',
      `localhost:${app.port}`,
      '127.0.0.1',
      `127.0.0.1:${app.port}`,
      '[::1]:80',
      'meterbox.example.lan',
      'METERBOX.example.lan.',
      'box.localhost',
    ]) {
      const r = await send(app, 'GET', '/api/v1/status', { headers: { host } });
      expect({ host, status: r.status }).toEqual({ host, status: 200 });
    }
    // The rebinding page's WebSocket too.
    const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws`, { headers: { host: 'evil.example' } });
    const code = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => resolve(-1));
    });
    ws.terminate();
    expect(code).toBe(421);
  });

  test('a cross-site text/plain POST cannot claim the box (415), nor a foreign Origin (403); the owner then can', async () => {
    const body = JSON.stringify({ password: 'attacker password' });
    const plain = await send(app, 'POST', '/api/v1/auth/setup', { body, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
    expect(plain.status).toBe(415);
    expect(json(plain).error).toContain('application/json');
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      expect((await send(app, 'POST', '/api/v1/auth/setup', { body, headers: { 'content-type': type } })).status).toBe(415);
    }
    for (const headers of [
      { origin: 'http://evil.example', ...JSON_TYPE },
      { origin: 'null', ...JSON_TYPE },
      { origin: `http://127.0.0.1:${app.port + 1}`, ...JSON_TYPE },
      { 'sec-fetch-site': 'cross-site', ...JSON_TYPE },
    ]) {
      const r = await send(app, 'POST', '/api/v1/auth/setup', { body, headers });
      expect({ headers, status: r.status }).toEqual({ headers, status: 403 });
    }
    expect(json(await send(app, 'GET', '/api/v1/auth/status')).passwordSet).toBe(false);
    // The box's own page (same origin) claims it.
    const own = await send(app, 'POST', '/api/v1/auth/setup', {
      body: JSON.stringify({ password: PASSWORD }),
      headers: { origin: `http://127.0.0.1:${app.port}`, 'sec-fetch-site': 'same-origin', ...JSON_TYPE },
    });
    expect(own.status).toBe(201);
  });

  test('nested JSON: 400 with the reason before any parse, on every state-changing route; live data unaffected', async () => {
    // 4,000 levels (8,000 bytes, under the 8 KiB body limit): what aborts the XS engine
    const deep = '['.repeat(4000) + ']'.repeat(4000);
    const deepObject = '{"a":'.repeat(1000) + '1' + '}'.repeat(1000);
    for (const path of ['/api/v1/auth/login', '/api/v1/auth/setup', '/api/v1/settings', '/api/v1/auth/password', '/api/v1/wifi/connect']) {
      for (const body of [deep, deepObject]) {
        const r = await send(app, path === '/api/v1/settings' ? 'PUT' : 'POST', path, { body, headers: JSON_TYPE });
        expect({ path, status: r.status, error: json(r).error }).toEqual({ path, status: 400, error: 'body nests deeper than 32 levels' });
      }
    }
    // 32 levels are fine for the check (the route then says what it thinks of the content).
    const ok = await send(app, 'POST', '/api/v1/auth/login', { body: '['.repeat(32) + ']'.repeat(32), headers: JSON_TYPE });
    expect(ok.status).toBe(400);
    expect(json(ok).error).toBe('body must be a JSON object');
    await stillLive(app);
  });

  test("WebSocket: a foreign Origin is refused (403), the box's own page and scripts connect", async () => {
    const attempt = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws`, { headers });
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('message', () => {
          resolve(101);
          ws.terminate();
        });
        ws.on('error', () => resolve(-1));
      });
    expect(await attempt({ origin: 'http://evil.example' })).toBe(403);
    expect(await attempt({ origin: 'null' })).toBe(403);
    expect(await attempt({ origin: `http://127.0.0.1:${app.port}` })).toBe(101);
    expect(await attempt({ origin: `http://localhost:${app.port}`, host: `localhost:${app.port}` })).toBe(101);
    expect(await attempt({})).toBe(101);
  });
});

describe('claimed box under attack', () => {
  let app: SpawnedApp;
  let token = '';
  beforeAll(async () => {
    app = await spawnApp([
      '--capture',
      captures,
      '--interval-ms',
      '150',
      '--replay-baud',
      '0',
      '--settings',
      join(tempDir('meterbox-lan-'), 's.json'),
      '--quiet',
    ]);
    const setup = await getJson(`${app.url}/api/v1/auth/setup`, { method: 'POST', body: JSON.stringify({ password: PASSWORD }) });
    expect(setup.status).toBe(201);
    token = setup.body.token;
    await waitFor('first frames', async () => (await liveFrames(app)) > 0, 10_000);
  });
  afterAll(async () => app?.stop());

  test('cross-site wrong logins are refused before any check and never lock the owner out', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await send(app, 'POST', '/api/v1/auth/login', {
        body: JSON.stringify({ password: `guess ${i}` }),
        headers: { origin: 'http://evil.example', ...JSON_TYPE },
      });
      expect(r.status).toBe(403);
    }
    const owner = await send(app, 'POST', '/api/v1/auth/login', {
      body: JSON.stringify({ password: PASSWORD }),
      headers: { origin: `http://127.0.0.1:${app.port}`, ...JSON_TYPE },
    });
    expect(owner.status).toBe(200);
  });

  test('drip-feed: connections from 3 addresses sending a header byte every 14 s hold nothing; another client gets every answer', async () => {
    const drips: Socket[] = [];
    const timers: NodeJS.Timeout[] = [];
    let dripClosed = 0;
    const dripAnswers: string[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const socket = connect({ port: app.port, host: '127.0.0.1', localAddress: `127.0.3.${1 + (i % 3)}` });
        socket.on('error', () => undefined);
        socket.on('close', () => {
          dripClosed++;
        });
        let answer = '';
        socket.on('data', (d) => {
          answer += d;
        });
        socket.on('end', () => dripAnswers.push(answer.split('\r\n')[0]));
        socket.write('G');
        const text = 'ET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: ' + 'a'.repeat(100);
        let at = 0;
        timers.push(
          setInterval(() => {
            if (!socket.destroyed) socket.write(text[at++ % text.length]);
          }, 14_000),
        );
        drips.push(socket);
      }
      await new Promise((r) => setTimeout(r, 500));
      // 75 requests from another address while the drips are held, over ~16 s (past one drip step)
      let answered = 0;
      const startedMs = Date.now();
      for (let i = 0; i < 75; i++) {
        const r = await send(app, 'GET', '/api/v1/status', { from: '127.0.0.1', timeoutMs: 5000 });
        if (r.status === 200) answered++;
        await new Promise((done) => setTimeout(done, 200));
      }
      console.log(
        `drip-feed (12 connections, 3 addresses, 1 byte per 14 s): ${answered}/75 requests answered in ${Date.now() - startedMs} ms; drip connections closed by the box: ${dripClosed}/12`,
      );
      expect(answered).toBe(75);
      // The head deadline (10 s) closed every drip connection although bytes kept coming.
      expect(dripClosed).toBe(12);
      for (const line of dripAnswers) expect(line).toBe('HTTP/1.1 408 Request Timeout');
      await stillLive(app);
    } finally {
      timers.forEach(clearInterval);
      drips.forEach((s) => s.destroy());
    }
  });

  test('a rotating-address login flood: the normal client gets >= 95 % of its status polls, the owner with a known browser gets in', async () => {
    // The owner logged in before from this browser: its cookie carries the known-browser token.
    const before = await send(app, 'POST', '/api/v1/auth/login', { body: JSON.stringify({ password: PASSWORD }), headers: JSON_TYPE, from: '127.0.0.1' });
    expect(before.status).toBe(200);
    const cookie = String(before.headers['set-cookie']).split(';')[0];

    let stop = false;
    const tally = new Map<number, number>();
    let next = 0;
    const attacker = async (): Promise<void> => {
      while (!stop) {
        const n = next++;
        const from = `127.0.${10 + (Math.floor(n / 250) % 200)}.${1 + (n % 250)}`; // a new address each try
        const r = await send(app, 'POST', '/api/v1/auth/login', {
          body: JSON.stringify({ password: `guess ${n}` }),
          headers: JSON_TYPE,
          from,
          timeoutMs: 5000,
        });
        tally.set(r.status, (tally.get(r.status) ?? 0) + 1);
      }
    };
    const attackers = Array.from({ length: 24 }, attacker);
    await new Promise((r) => setTimeout(r, 500));

    let answered = 0;
    const latencies: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = Date.now();
      const r = await send(app, 'GET', '/api/v1/status', { from: '127.0.0.1', timeoutMs: 2000 });
      latencies.push(Date.now() - t0);
      if (r.status === 200) answered++;
      await new Promise((done) => setTimeout(done, 100));
    }
    // The owner, with the known-browser cookie, during the flood.
    let ownerStatus = 0;
    for (let i = 0; i < 10 && ownerStatus !== 200; i++) {
      const r = await send(app, 'POST', '/api/v1/auth/login', {
        body: JSON.stringify({ password: PASSWORD }),
        headers: { ...JSON_TYPE, cookie },
        from: '127.0.0.1',
      });
      ownerStatus = r.status;
      if (r.status !== 200) await new Promise((done) => setTimeout(done, 1000));
    }
    stop = true;
    await Promise.all(attackers);
    latencies.sort((a, b) => a - b);
    const figures = {
      polls: 100,
      answered,
      p50Ms: latencies[50],
      p95Ms: latencies[95],
      maxMs: latencies[99],
      loginAttempts: next,
      loginAnswers: Object.fromEntries(tally),
      ownerWithKnownBrowser: ownerStatus,
    };
    console.log('rotating-address login flood: ' + JSON.stringify(figures));
    expect(answered).toBeGreaterThanOrEqual(95);
    expect(ownerStatus).toBe(200);
    // Most attempts never reached PBKDF2: refused at once by the global limit.
    expect(tally.get(503) ?? 0).toBeGreaterThan(tally.get(401) ?? 0);
    // The owner's session was never touched.
    expect((await getJson(`${app.url}/api/v1/settings`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await stillLive(app);
  });
});
