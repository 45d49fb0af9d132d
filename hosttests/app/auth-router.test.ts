// Central authentication in the router: every mutating route (ours and the ones other modules add
// through extraRoutes/extraUploadRoutes) needs a session; login is throttled per source and globally.
import { AccessControl, SESSION_COOKIE } from '../../firmware/app/auth/access-control';
import { Router } from '../../firmware/app/router';
import type { AppRequest, AppResponse, UploadSink } from '../../firmware/app/http-types';
import { hostLoginThrottle } from '../../firmware/app/auth/login-throttle';

function setup(readOpen = true) {
  let nowMs = 1_700_000_000_000;
  let hash: string | undefined;
  let counter = 0;
  const access = new AccessControl({
    clock: { nowMs: () => nowMs },
    randomBytes: (n) => new Uint8Array(n).map(() => (counter++ * 37 + 11) & 0xff),
    passwordIterations: 50,
    // the PC's per-source rules; the global window is widened so these sequential tests never meet it
    throttle: { ...hostLoginThrottle, maxPerWindow: 1000 },
    store: {
      passwordHash: () => hash,
      readOpen: () => readOpen,
      savePasswordHash: (h) => {
        hash = h;
        return undefined;
      },
    },
  });
  const router = new Router(access, (r) => (r.path === '/index.html' ? { status: 200, body: 'page' } : undefined));
  for (const route of access.routes()) router.add(route);
  let changed = 0;
  router.add({
    method: 'PUT',
    path: '/api/v1/thing',
    mutates: true,
    handler: () => {
      changed++;
      return { status: 200, body: 'changed' };
    },
  });
  router.add({ method: 'GET', path: '/api/v1/thing', handler: () => ({ status: 200, body: 'read' }) });
  router.add({ method: 'GET', path: '/api/open', public: true, handler: () => ({ status: 200, body: 'open' }) });
  const chunks: number[] = [];
  router.addUpload({
    method: 'POST',
    path: '/api/v1/firmware',
    mutates: true,
    maxBytes: 1000,
    begin: (): UploadSink => ({
      write: (c) => {
        chunks.push(c.length);
      },
      end: () => ({ status: 200 }),
      abort: () => undefined,
    }),
  });
  return {
    router,
    access,
    advance: (ms: number) => {
      nowMs += ms;
    },
    changed: () => changed,
    storedHash: () => hash,
  };
}

function req(method: string, path: string, init: Partial<AppRequest> = {}): AppRequest {
  return { method, path, query: {}, headers: {}, remote: '10.0.0.2', ...init };
}
const json = (r: AppResponse) => JSON.parse(String(r.body));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('router + access control', () => {
  test('before any password: mutating routes refuse with setupRequired, reads stay open', async () => {
    const t = setup();
    const r = await t.router.handle(req('PUT', '/api/v1/thing', { body: '{}' }));
    expect(r.status).toBe(401);
    expect(json(r).setupRequired).toBe(true);
    expect(t.changed()).toBe(0);
    expect((await t.router.handle(req('GET', '/api/v1/thing'))).status).toBe(200);
  });

  test('setup sets the password once, returns a token and an HttpOnly SameSite=Strict cookie', async () => {
    const t = setup();
    const r = await t.router.handle(req('POST', '/api/v1/auth/setup', { body: JSON.stringify({ password: 'long enough pw' }) }));
    expect(r.status).toBe(201);
    const token = json(r).token as string;
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    // session token, then the known-browser token (access-control.ts), kept for a year
    expect(r.headers!['set-cookie']).toMatch(new RegExp(`^${SESSION_COOKIE}=${token}\\.[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000$`));
    expect(String(r.body)).not.toContain('long enough pw');
    expect(t.storedHash()).toMatch(/^pbkdf2-sha256\$50\$/);
    const again = await t.router.handle(req('POST', '/api/v1/auth/setup', { body: JSON.stringify({ password: 'other password' }) }));
    expect(again.status).toBe(409);
    expect((await t.router.handle(req('PUT', '/api/v1/thing', { headers: bearer(token) }))).status).toBe(200);
    expect((await t.router.handle(req('PUT', '/api/v1/thing', { headers: { cookie: `x=1; ${SESSION_COOKIE}=${token}` } }))).status).toBe(200);
    expect(t.changed()).toBe(2);
  });

  test('bad setup bodies are 400 with a reason and store nothing', async () => {
    const t = setup();
    for (const body of ['', 'not json', '[]', '{"password":"short"}', '{"password":12345678}', '{"password":"long enough","admin":true}']) {
      const r = await t.router.handle(req('POST', '/api/v1/auth/setup', { body }));
      expect(r.status).toBe(400);
      expect(typeof json(r).error).toBe('string');
    }
    expect(t.storedHash()).toBeUndefined();
  });

  test('wrong or missing tokens are refused; logout ends the session', async () => {
    const t = setup();
    const token = json(await t.router.handle(req('POST', '/api/v1/auth/setup', { body: '{"password":"long enough pw"}' }))).token;
    for (const headers of [{}, bearer('0'.repeat(64)), bearer(''), { cookie: `${SESSION_COOKIE}=nope` }] as Record<string, string>[]) {
      const r = await t.router.handle(req('PUT', '/api/v1/thing', { headers }));
      expect(r.status).toBe(401);
      expect(json(r).loginRequired).toBe(true);
    }
    expect((await t.router.handle(req('POST', '/api/v1/auth/logout', { headers: bearer(token) }))).status).toBe(200);
    expect((await t.router.handle(req('PUT', '/api/v1/thing', { headers: bearer(token) }))).status).toBe(401);
    expect(t.changed()).toBe(0);
  });

  test('login: right password gives a session, wrong gives 401; after 5 failures the source waits, doubling, never locked out', async () => {
    const t = setup();
    await t.router.handle(req('POST', '/api/v1/auth/setup', { body: '{"password":"long enough pw"}' }));
    const ok = await t.router.handle(req('POST', '/api/v1/auth/login', { body: '{"password":"long enough pw"}' }));
    expect(ok.status).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect((await t.router.handle(req('POST', '/api/v1/auth/login', { body: '{"password":"wrong password"}' }))).status).toBe(401);
    }
    const waiting = await t.router.handle(req('POST', '/api/v1/auth/login', { body: '{"password":"long enough pw"}' }));
    expect(waiting.status).toBe(429);
    expect(Number(waiting.headers!['retry-after'])).toBe(2);
    // Another address is not affected.
    expect((await t.router.handle(req('POST', '/api/v1/auth/login', { remote: '10.0.0.3', body: '{"password":"long enough pw"}' }))).status).toBe(200);
    // The wait doubles with each further failure: 2 s, then 4 s ...
    t.advance(2000);
    expect((await t.router.handle(req('POST', '/api/v1/auth/login', { body: '{"password":"wrong again"}' }))).status).toBe(401);
    const longer = await t.router.handle(req('POST', '/api/v1/auth/login', { body: '{"password":"long enough pw"}' }));
    expect(longer.status).toBe(429);
    expect(Number(longer.headers!['retry-after'])).toBe(4);
    // ... but there is always a way in: the right password after the wait, which clears the record.
    t.advance(4000);
    expect((await t.router.handle(req('POST', '/api/v1/auth/login', { body: '{"password":"long enough pw"}' }))).status).toBe(200);
    expect((await t.router.handle(req('POST', '/api/v1/auth/login', { body: '{"password":"wrong password"}' }))).status).toBe(401);
  });

  test('sessions expire after the idle time', async () => {
    const t = setup();
    const token = json(await t.router.handle(req('POST', '/api/v1/auth/setup', { body: '{"password":"long enough pw"}' }))).token;
    t.advance(11 * 3600_000);
    expect((await t.router.handle(req('PUT', '/api/v1/thing', { headers: bearer(token) }))).status).toBe(200);
    t.advance(12 * 3600_000 + 1);
    expect((await t.router.handle(req('PUT', '/api/v1/thing', { headers: bearer(token) }))).status).toBe(401);
  });

  test('changing the password needs the current one and ends other sessions', async () => {
    const t = setup();
    const first = json(await t.router.handle(req('POST', '/api/v1/auth/setup', { body: '{"password":"long enough pw"}' }))).token;
    const wrong = await t.router.handle(
      req('POST', '/api/v1/auth/password', { headers: bearer(first), body: '{"currentPassword":"nope","newPassword":"a new password"}' }),
    );
    expect(wrong.status).toBe(403);
    const r = await t.router.handle(
      req('POST', '/api/v1/auth/password', { headers: bearer(first), body: '{"currentPassword":"long enough pw","newPassword":"a new password"}' }),
    );
    expect(r.status).toBe(200);
    expect((await t.router.handle(req('PUT', '/api/v1/thing', { headers: bearer(first) }))).status).toBe(401);
    expect((await t.router.handle(req('PUT', '/api/v1/thing', { headers: bearer(json(r).token) }))).status).toBe(200);
    expect((await t.router.handle(req('POST', '/api/v1/auth/login', { body: '{"password":"a new password"}' }))).status).toBe(200);
  });

  test('read routes need a session when read access is not open; public routes never do', async () => {
    const t = setup(false);
    expect((await t.router.handle(req('GET', '/api/v1/thing'))).status).toBe(401);
    expect((await t.router.handle(req('GET', '/api/open'))).status).toBe(200);
    const token = json(await t.router.handle(req('POST', '/api/v1/auth/setup', { body: '{"password":"long enough pw"}' }))).token;
    expect((await t.router.handle(req('GET', '/api/v1/thing', { headers: bearer(token) }))).status).toBe(200);
  });

  test('wrong method is 405 with Allow, unknown path 404, static fallback for GET only', async () => {
    const t = setup();
    const r = await t.router.handle(req('DELETE', '/api/v1/thing'));
    expect(r.status).toBe(405);
    expect(r.headers!.allow).toBe('PUT, GET');
    expect((await t.router.handle(req('GET', '/nothing'))).status).toBe(404);
    expect((await t.router.handle(req('GET', '/index.html'))).body).toBe('page');
    expect((await t.router.handle(req('POST', '/index.html'))).status).toBe(404);
  });

  test('upload routes: auth checked before any byte, announced size checked against maxBytes', async () => {
    const t = setup();
    const route = t.router.uploadRoute('POST', '/api/v1/firmware')!;
    const refused = t.router.beginUpload(route, req('POST', '/api/v1/firmware')) as AppResponse;
    expect(refused.status).toBe(401);
    const token = json(await t.router.handle(req('POST', '/api/v1/auth/setup', { body: '{"password":"long enough pw"}' }))).token;
    const big = t.router.beginUpload(route, req('POST', '/api/v1/firmware', { headers: { ...bearer(token), 'content-length': '5000' } })) as AppResponse;
    expect(big.status).toBe(413);
    const sink = t.router.beginUpload(route, req('POST', '/api/v1/firmware', { headers: { ...bearer(token), 'content-length': '10' } }));
    expect('write' in sink).toBe(true);
  });

  test('a handler that throws is a 500, not a crash', async () => {
    const t = setup();
    t.router.add({
      method: 'GET',
      path: '/api/boom',
      public: true,
      handler: () => {
        throw new Error('kaput');
      },
    });
    const r = await t.router.handle(req('GET', '/api/boom'));
    expect(r.status).toBe(500);
    expect(json(r).error).toContain('kaput');
  });
});
