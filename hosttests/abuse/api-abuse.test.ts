// The HTTP API and WebSocket of the real app (`npm start` in a child process, 127.0.0.1 only) under
// abuse: floods of requests and connections, WebSocket clients beyond the limit, a client that
// never reads, oversized / malformed / wrongly typed bodies, path traversal, brute-force logins.
// The service must keep serving live data, refuse cleanly (4xx / 429 / 503, never 5xx from a bad
// request, never a crash) and lose no settings. Every loop is bounded.
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { getJson, liveClient, repoRoot, spawnApp, tempDir, waitFor, type SpawnedApp } from '../e2e/helpers';

jest.setTimeout(120_000);

const dir = tempDir('meterbox-abuse-');
const settingsPath = join(dir, 'settings.json');
const PASSWORD = 'correct horse battery';
let app: SpawnedApp;
let token = '';

/** Raw request: the path goes on the wire exactly as given (no URL normalisation). */
function raw(
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
  localAddress = '127.0.0.1',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // agent: false: a fresh connection per request, so a socket the server closed after a 413 is never reused.
    // localAddress: the source address (any of 127.0.0.0/8), so a test can be a different LAN client.
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: app.port,
        method,
        path,
        agent: false,
        localAddress,
        headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers },
      },
      (res) => {
        let data = '';
        res.setEncoding('latin1');
        res.on('data', (d: string) => {
          if (data.length < 1_000_000) data += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Live data still flows: the status snapshot changes within a few seconds. */
async function stillLive(): Promise<void> {
  const before = JSON.stringify((await getJson(`${app.url}/api/v1/status`)).body.reading);
  await waitFor(
    'a newer reading in /api/v1/status',
    async () => {
      const s = await getJson(`${app.url}/api/v1/status`);
      return s.status === 200 && s.body.reading && JSON.stringify(s.body.reading) !== before;
    },
    10_000,
    100,
  );
}

beforeAll(async () => {
  // Two captures with different values, replayed every 150 ms, so "live" is observable quickly.
  const captures = [
    'hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-1.hex',
    'hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-2.hex',
  ]
    .map((p) => join(repoRoot, p))
    .join(',');
  app = await spawnApp(['--capture', captures, '--interval-ms', '150', '--replay-baud', '0', '--settings', settingsPath, '--quiet']);
  const setup = await getJson(`${app.url}/api/v1/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: PASSWORD }),
  });
  expect(setup.status).toBe(201);
  token = setup.body.token;
  const put = await getJson(`${app.url}/api/v1/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ headroom: { fuseA: 32 } }),
  });
  expect(put.status).toBe(200);
  await waitFor('first reading', async () => (await getJson(`${app.url}/api/v1/status`)).body.reading, 10_000);
});

afterAll(async () => {
  await app?.stop();
});

test('a flood of 2,000 requests (50 at a time): every one answered 200 or refused cleanly, data stays live', async () => {
  const statuses = new Map<number, number>();
  const paths = ['/api/v1/status', '/api/v1/history', '/api/v1/data', '/api', '/', '/api/v1/diagnostics'];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < 2000) {
      const i = next++;
      const r = await raw('GET', paths[i % paths.length]).catch(() => ({ status: -1, body: '' }));
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  for (const [status, n] of statuses) {
    expect({ status, ok: status === 200 || status === 429 || status === 503 }).toEqual({ status, ok: true });
    void n;
  }
  expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  await stillLive();
});

test('300 idle connections and 100 half-sent requests (slowloris) from 4 addresses do not stop the service for another client', async () => {
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < 400; i++) {
      const s = connect({ port: app.port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % 4)}` });
      s.on('error', () => undefined);
      if (i >= 300) s.write(`GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
      sockets.push(s);
    }
    await new Promise((r) => setTimeout(r, 300));
    // A client at another address: the table evicts an idle connection for it (connection-table.ts).
    const r = await raw('GET', '/api/v1/status', undefined, {}, '127.0.0.9');
    expect(r.status).toBe(200);
    await stillLive();
  } finally {
    for (const s of sockets) s.destroy();
  }
});

test('WebSocket clients beyond the limits are refused (429 per address, 503 in all); connected ones keep getting snapshots', async () => {
  const opened: WebSocket[] = [];
  const refused: string[] = [];
  try {
    // 40 clients from 20 addresses: 2 per address pass the per-address limit, 16 in all the total one.
    await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) =>
          new Promise<void>((resolve) => {
            const ws = new WebSocket(`${app.url.replace('http', 'ws')}/ws`, { localAddress: `127.0.1.${1 + (i % 20)}` });
            ws.on('open', () => {
              opened.push(ws);
              resolve();
            });
            ws.on('unexpected-response', (_req, res) => {
              refused.push(String(res.statusCode));
              resolve();
            });
            ws.on('error', () => resolve());
          }),
      ),
    );
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.length).toBeLessThan(40);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused).toContain('503');
    for (const code of refused) expect(['429', '503']).toContain(code);
    const first = opened[0];
    let got = 0;
    first.on('message', () => {
      got++;
    });
    await waitFor('snapshots on a connected client during the flood', () => got >= 2, 10_000);
  } finally {
    for (const ws of opened) ws.terminate();
  }
  // Slots come back once the flood is gone.
  await waitFor(
    'a new WebSocket client accepted again',
    async () => {
      try {
        const c = await liveClient(app.url);
        c.close();
        return true;
      } catch {
        return false;
      }
    },
    10_000,
    200,
  );
});

test('a WebSocket client that never reads does not hold up one that does', async () => {
  // A raw upgrade whose socket is paused: it never reads a byte of what the server pushes.
  const slow = connect(app.port, '127.0.0.1');
  slow.on('error', () => undefined);
  slow.write(
    'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  slow.pause();
  const live = await liveClient(app.url);
  try {
    const start = live.messages.length;
    await waitFor('the reading client keeps receiving', () => live.messages.length >= start + 5, 10_000);
  } finally {
    live.close();
    slow.destroy();
  }
});

test('oversized and lying bodies: 413, nothing stored', async () => {
  const big = JSON.stringify({ headroom: { fuseA: 40 }, pad: 'x'.repeat(100_000) });
  const r1 = await raw('PUT', '/api/v1/settings', big, { 'content-type': 'application/json', authorization: `Bearer ${token}` }).catch(() => ({
    status: -1,
    body: '',
  }));
  expect([413, -1]).toContain(r1.status); // -1: the server may close the socket after its 413
  const r2 = await raw('POST', '/api/v1/auth/login', undefined, { 'content-type': 'application/json', 'content-length': '999999999' }).catch(() => ({
    status: -1,
    body: '',
  }));
  expect([413, 400, -1]).toContain(r2.status);
  const s = await getJson(`${app.url}/api/v1/settings`);
  expect(s.body.headroom.fuseA).toBe(32);
});

test('malformed bodies and wrong content types: 4xx, nothing stored, no 5xx', async () => {
  const auth = { authorization: `Bearer ${token}` };
  const bodies: Array<[string, string]> = [
    ['{"headroom": {"fuseA": 40}', 'application/json'], // cut short
    ['[1,2,3]', 'application/json'], // not an object
    ['null', 'application/json'],
    ['{"headroom": {"fuseA": "forty"}}', 'application/json'], // wrong type
    ['{"headroom": {"fuseA": 1e309}}', 'application/json'], // Infinity
    ['{"__proto__": {"polluted": true}, "headroom": {"fuseA": 40}}', 'application/json'],
    ['['.repeat(5000) + ']'.repeat(5000), 'application/json'], // deep nesting
    ['fuseA=40', 'application/x-www-form-urlencoded'],
    ['{"headroom": {"fuseA": 40}}', 'text/plain'],
    ['\u0000\u00ff\u00fe garbage', 'application/octet-stream'],
  ];
  for (const [body, type] of bodies) {
    const r = await raw('PUT', '/api/v1/settings', body, { 'content-type': type, ...auth });
    expect({ body: body.slice(0, 40), type, status: r.status, clean: (r.status >= 400 && r.status < 500) || r.status === 200 }).toEqual({
      body: body.slice(0, 40),
      type,
      status: r.status,
      clean: true,
    });
    expect(r.status).toBeLessThan(500);
  }
  // Only a valid JSON object can have changed anything, and none of the above was one with a valid
  // fuse except the form/text variants; whatever the app decided for those, no 5xx and no pollution.
  const s = await getJson(`${app.url}/api/v1/settings`);
  expect([32, 40]).toContain(s.body.headroom.fuseA);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  // Put the known value back for the later checks.
  const put = await getJson(`${app.url}/api/v1/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ headroom: { fuseA: 32 } }),
  });
  expect(put.status).toBe(200);
  await stillLive();
});

test('path traversal in every encoding: never a file outside the web root', async () => {
  const paths = [
    '/../../etc/passwd',
    '/../../../../../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/..%2f..%2f..%2fetc%2fpasswd',
    '/%252e%252e/%252e%252e/etc/passwd',
    '/..\\..\\etc\\passwd',
    '/..%5c..%5cetc%5cpasswd',
    '/static/../../../etc/passwd',
    '/./.././../etc/passwd',
    '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
    '//etc/passwd',
    '/index.html/../../package.json',
    '/..%00/etc/passwd',
    '/settings.json',
    '/' + encodeURIComponent(settingsPath),
  ];
  const secrets = [readFileSync('/etc/passwd', 'latin1').split('\n')[0], '"devDependencies"', 'pbkdf2-sha256$'];
  for (const p of paths) {
    const r = await raw('GET', p).catch(() => ({ status: -1, body: '' }));
    expect(r.status).toBeLessThan(500);
    for (const s of secrets) expect({ path: p, leaked: r.body.includes(s) }).toEqual({ path: p, leaked: false });
  }
});

test('brute-force logins from one address: 5 tries, then a growing wait (429), live data keeps flowing, an existing session still works', async () => {
  const login = (password: string) => getJson(`${app.url}/api/v1/auth/login`, { method: 'POST', body: JSON.stringify({ password }) });
  // 5 wrong passwords are checked (the global limit may ask to come back a moment later: 503)
  let wrong = 0;
  for (let i = 0; wrong < 5 && i < 40; i++) {
    const r = await login(`wrong-${i}-guess`);
    expect([401, 503]).toContain(r.status);
    if (r.status === 401) wrong++;
    else await new Promise((done) => setTimeout(done, 1000 * Number(r.headers.get('retry-after'))));
  }
  expect(wrong).toBe(5);
  // Then the address waits before its next try; even the right password is refused now (no oracle).
  for (let i = 0; i < 5; i++) {
    const r = await login(`wrong-again-${i}`);
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  }
  const during = await login(PASSWORD);
  expect(during.status).toBe(429);
  // Reads are unaffected; an existing session still works.
  await stillLive();
  const s = await getJson(`${app.url}/api/v1/settings`, { headers: { authorization: `Bearer ${token}` } });
  expect(s.status).toBe(200);
});

test('after all of it: settings intact in the API and on disk, the service still live', async () => {
  const s = await getJson(`${app.url}/api/v1/settings`);
  expect(s.body.headroom.fuseA).toBe(32);
  const onDisk = JSON.parse(readFileSync(settingsPath, 'utf8'));
  expect(onDisk.headroom.fuseA).toBe(32);
  expect(typeof onDisk.access.passwordHash).toBe('string');
  await stillLive();
});
