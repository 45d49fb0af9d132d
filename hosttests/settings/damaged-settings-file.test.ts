/**
 * Every damaged settings file of issue 15 against the real server (startHost: the HTTP server and
 * the FileSettingsStore of `npm start`) on loopback: the file is never overwritten, a byte-exact
 * copy is kept beside it, the damage is reported (GET /api/v1/settings/health, the status
 * snapshot), nobody can claim the box through first setup, and the allowance is held safe.
 * Meter data is a real DSMR 5 telegram (hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt),
 * so the engine would otherwise publish an allowance well above the safe one.
 */
import { verifyPassword } from '../../firmware/app/auth/password-hash';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../firmware/app/app';
import { defaultHeadroomSettings } from '../../decoders/headroom/settings';
import { FileSettingsStore } from '../../firmware/host/file-settings-store';
import { startHost } from '../../firmware/host/start-host';
import type { RunningHost } from '../../firmware/host/start-host';
import { getJson, repoRoot, tempDir } from '../e2e/helpers';

const DSMR = readFileSync(join(repoRoot, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt'));
const PASSWORD = 'owner-password-1';

/** A settings document as the app writes it, with a real hash of PASSWORD (made once by a clean box). */
let goodDoc: Record<string, any>;

async function host(settingsPath: string): Promise<RunningHost> {
  return startHost({ port: 0, host: '127.0.0.1', settingsPath, quiet: true, passwordIterations: 1000 });
}

function feed(h: RunningHost): void {
  for (let i = 0; i < 3; i++) h.app.onMeterBytes(new Uint8Array(DSMR), Date.now());
}

const post = (h: RunningHost, path: string, body: unknown, token?: string) =>
  getJson(h.url.replace('localhost', '127.0.0.1') + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) },
    body: JSON.stringify(body),
  });
const get = (h: RunningHost, path: string, token?: string) =>
  getJson(h.url.replace('localhost', '127.0.0.1') + path, { headers: token ? { authorization: 'Bearer ' + token } : {} });

beforeAll(async () => {
  const dir = tempDir('settings-good-');
  const h = await host(join(dir, 'settings.json'));
  try {
    expect((await post(h, '/api/v1/auth/setup', { password: PASSWORD })).status).toBe(201);
    const login = await post(h, '/api/v1/auth/login', { password: PASSWORD });
    const put = await getJson(h.url.replace('localhost', '127.0.0.1') + '/api/v1/settings', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + login.body.token },
      body: JSON.stringify({ headroom: { fuseA: 16, marginA: 1 }, access: { readOpen: false } }),
    });
    expect(put.status).toBe(200);
  } finally {
    await h.close();
  }
  goodDoc = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'));
  expect(goodDoc.access.passwordHash).toMatch(/^pbkdf2-sha256\$/);
});

function keptCopies(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('settings.json.unreadable-'));
}

describe.each([
  ['empty (0 bytes)', () => Buffer.alloc(0), /empty/],
  ['truncated', () => Buffer.from(JSON.stringify(goodDoc).slice(0, 60)), /not valid JSON/],
  ['a trailing comma', () => Buffer.from(JSON.stringify(goodDoc).replace(/}$/, ',}')), /not valid JSON/],
  ['null', () => Buffer.from('null'), /null, not a settings object/],
  ['NUL bytes (a write cut short by a power loss)', () => Buffer.concat([Buffer.from(JSON.stringify(goodDoc).slice(0, 40)), Buffer.alloc(4096)]), /NUL bytes/],
  ['NUL bytes only', () => Buffer.alloc(512), /NUL bytes/],
])('settings file %s', (_name, content, reason) => {
  let dir: string;
  let path: string;
  let bytes: Buffer;
  let h: RunningHost;
  beforeAll(async () => {
    dir = tempDir('settings-damaged-');
    path = join(dir, 'settings.json');
    bytes = content();
    writeFileSync(path, bytes);
    h = await host(path);
    feed(h);
  });
  afterAll(() => h.close());

  test('kept byte for byte beside it, reported, and locked: no first setup, no login', async () => {
    const health = await get(h, '/api/v1/settings/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ state: 'unreadable', locked: true, confirmRequired: true });
    expect(health.body.problems.join(' ')).toMatch(reason);
    expect(health.body.howToUnlock).toMatch(/repairs or removes .*settings\.json and restarts/);
    expect(health.body.keptAs).toBe(join(dir, keptCopies(dir)[0]));
    expect(readFileSync(health.body.keptAs)).toEqual(bytes);

    const setup = await post(h, '/api/v1/auth/setup', { password: 'stranger-password' });
    expect(setup.status).toBe(423);
    expect(setup.body.error).toMatch(/locked/);
    expect((await post(h, '/api/v1/auth/login', { password: PASSWORD })).status).toBe(423);
    expect((await get(h, '/api/v1/auth/status')).body.passwordSet).toBe(true);
    // Whether read access was open cannot be told: closed.
    expect((await get(h, '/api/v1/status')).status).toBe(401);
    expect(readFileSync(path)).toEqual(bytes);
    expect(keptCopies(dir)).toHaveLength(1);
  });

  test('no fuse could be read: 0 A on every allowance, said in the status snapshot', () => {
    const s = h.app.snapshot();
    expect(s.reading).not.toBeNull();
    expect(s.headroom).toMatchObject({ threePhaseA: 0, onePhaseA: 0, limitedBy: 'settings-unconfirmed' });
    for (const p of [s.headroom.phases.l1, s.headroom.phases.l2, s.headroom.phases.l3]) expect(p.headroomA).toBe(0);
    expect(s.settings).toMatchObject({ state: 'unreadable', locked: true });
  });

  test('a restart keeps the same single copy and still does not write the file', async () => {
    await h.close();
    h = await host(path);
    expect(keptCopies(dir)).toHaveLength(1);
    expect(readFileSync(path)).toEqual(bytes);
    expect((await get(h, '/api/v1/settings/health')).body.locked).toBe(true);
  });
});

describe('a directory at the settings path', () => {
  let dir: string;
  let h: RunningHost;
  beforeAll(async () => {
    dir = tempDir('settings-dir-');
    mkdirSync(join(dir, 'settings.json'));
    writeFileSync(join(dir, 'settings.json', 'inside.txt'), 'owner data');
    h = await host(join(dir, 'settings.json'));
  });
  afterAll(() => h.close());

  test('the app runs, reports it, stays locked and leaves the directory as it was', async () => {
    const health = (await get(h, '/api/v1/settings/health')).body;
    expect(health).toMatchObject({ state: 'unreadable', locked: true });
    expect(health.problems.join(' ')).toMatch(/is a directory/);
    expect(health.keptAs).toBeUndefined();
    expect((await post(h, '/api/v1/auth/setup', { password: 'stranger-password' })).status).toBe(423);
    expect(readFileSync(join(dir, 'settings.json', 'inside.txt'), 'utf8')).toBe('owner data');
    feed(h);
    expect(h.app.snapshot().headroom.threePhaseA).toBe(0);
  });
});

describe('readable files with damage in places', () => {
  async function start(doc: unknown) {
    const dir = tempDir('settings-partly-');
    const path = join(dir, 'settings.json');
    const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
    writeFileSync(path, text);
    const h = await host(path);
    feed(h);
    return { dir, path, text, h };
  }

  test('a UTF-8 byte order mark is dropped: everything read, nothing to repair, the password works', async () => {
    const { h, path } = await start('\uFEFF' + JSON.stringify(goodDoc));
    try {
      const health = (await get(h, '/api/v1/settings/health')).body;
      expect(health).toMatchObject({ state: 'ok', locked: false, confirmRequired: false });
      expect(health.notes.join(' ')).toMatch(/byte order mark/);
      expect(h.app.settings().headroom.fuseA).toBe(16);
      expect((await post(h, '/api/v1/auth/login', { password: PASSWORD })).status).toBe(200);
      expect(readFileSync(path, 'utf8').charCodeAt(0)).toBe(0xfeff);
      expect(h.app.snapshot().settings).toBeUndefined();
    } finally {
      await h.close();
    }
  });

  test('an unknown headroom field: the stored fuse stays, the allowance is held at the minimum until the owner confirms', async () => {
    // The app with the real file store and a stepped clock (frames a second apart), confirmed
    // through its own router. The engine's per-line headroom here is 32.5 A: the hold shows on it.
    const doc = JSON.parse(JSON.stringify(goodDoc));
    doc.headroom.fuseA = 35;
    doc.headroom.turboMode = true;
    const dir = tempDir('settings-confirm-');
    const path = join(dir, 'settings.json');
    const text = JSON.stringify(doc);
    writeFileSync(path, text);
    let nowMs = 1_790_000_000_000;
    const app = createApp({
      clock: { nowMs: () => nowMs },
      scheduler: { every: () => ({ cancel() {} }), after: () => ({ cancel() {} }) },
      settingsStore: new FileSettingsStore(path),
      publisher: { broadcast: () => undefined, clientCount: () => 0 },
      logger: { info: () => undefined, warn: () => undefined },
      randomBytes: (n) => new Uint8Array(n).fill(5),
    });
    const frames = (n: number) => {
      for (let i = 0; i < n; i++) {
        nowMs += 1000;
        app.onMeterBytes(new Uint8Array(DSMR), nowMs);
      }
    };
    const call = async (method: string, p: string, body?: unknown, token?: string) => {
      const r = await app.handle({
        method,
        path: p,
        query: {},
        headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        remote: '127.0.0.1',
      });
      return { status: r.status, body: JSON.parse(String(r.body)) };
    };
    frames(10);
    const health = (await call('GET', '/api/v1/settings/health')).body;
    expect(health).toMatchObject({ state: 'repaired', locked: false, confirmRequired: true, storedFuseA: 35 });
    expect(health.problems.join(' ')).toMatch(/headroom\.turboMode/);
    expect(readFileSync(health.keptAs, 'utf8')).toBe(text);
    expect(app.settings().headroom).toMatchObject({ fuseA: 35, marginA: 1 });
    const held = app.snapshot().headroom;
    expect(held.limitedBy).toBe('settings-unconfirmed');
    expect(held.threePhaseA).toBeLessThanOrEqual(6);
    for (const p of [held.phases.l1, held.phases.l2, held.phases.l3]) expect(p.headroomA).toBe(6);

    expect((await call('POST', '/api/v1/settings/confirm', {})).status).toBe(401);
    const token = (await call('POST', '/api/v1/auth/login', { password: PASSWORD })).body.token;
    const confirmed = await call('POST', '/api/v1/settings/confirm', {}, token);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ state: 'ok', confirmRequired: false, keptAs: health.keptAs });
    frames(3);
    const free = app.snapshot().headroom;
    expect(free.limitedBy).not.toBe('settings-unconfirmed');
    for (const p of [free.phases.l1, free.phases.l2, free.phases.l3]) expect(p.headroomA).toBeGreaterThan(30);
    expect(app.snapshot().settings).toBeUndefined();
    const stored = JSON.parse(readFileSync(path, 'utf8'));
    expect(stored.headroom.fuseA).toBe(35);
    expect(stored.headroom.turboMode).toBeUndefined();
    // The password survives the repair (the login above may have re-hashed it at the current
    // iteration count: auth/password-hash.ts needsRehash), so the owner's password still works.
    expect(stored.access.passwordHash).toMatch(/^pbkdf2-sha256\$/);
    expect(await verifyPassword(PASSWORD, stored.access.passwordHash)).toBe(true);
    expect(readFileSync(join(dir, keptCopies(dir)[0]), 'utf8')).toBe(text);
  });

  test('one bad headroom field costs that field alone, not the section', async () => {
    const doc = JSON.parse(JSON.stringify(goodDoc));
    Object.assign(doc.headroom, { fuseA: 20, phases: 1, gridType: 'TN', marginA: 'two', minChargeA: 7, safeCurrentA: 7, holdOffS: 30 });
    const { h } = await start(doc);
    try {
      expect(h.app.settings().headroom).toMatchObject({ fuseA: 20, phases: 1, minChargeA: 7, holdOffS: 30, marginA: defaultHeadroomSettings.marginA });
      const health = (await get(h, '/api/v1/settings/health')).body;
      expect(health.problems).toHaveLength(1);
      expect(health.problems[0]).toMatch(/headroom\.marginA .*its default applies/);
      expect(h.app.snapshot().headroom.threePhaseA).toBeLessThanOrEqual(7);
    } finally {
      await h.close();
    }
  });

  test('a stored fuse that only fits next to a damaged field is not replaced by the larger default: 0 A', async () => {
    const doc = JSON.parse(JSON.stringify(goodDoc));
    Object.assign(doc.headroom, { fuseA: 6, marginA: null, minChargeA: 6, safeCurrentA: 0 });
    const { h } = await start(doc);
    try {
      expect(h.app.settings().headroom.fuseA).toBe(25);
      expect((await get(h, '/api/v1/settings/health')).body).toMatchObject({ storedFuseA: 6, confirmRequired: true });
      const s = h.app.snapshot().headroom;
      expect(s).toMatchObject({ threePhaseA: 0, onePhaseA: 0, limitedBy: 'settings-unconfirmed' });
    } finally {
      await h.close();
    }
  });

  test('a password hash that cannot be read is not "no password": locked, and the file is not touched', async () => {
    const doc = JSON.parse(JSON.stringify(goodDoc));
    doc.access.passwordHash = 12345;
    const { h, path, text } = await start(doc);
    try {
      const health = (await get(h, '/api/v1/settings/health')).body;
      expect(health).toMatchObject({ state: 'repaired', locked: true });
      expect(health.problems.join(' ')).toMatch(/passwordHash cannot be read/);
      expect((await post(h, '/api/v1/auth/setup', { password: 'stranger-password' })).status).toBe(423);
      expect((await post(h, '/api/v1/auth/login', { password: PASSWORD })).status).toBe(423);
      expect(h.app.settings().headroom.fuseA).toBe(16);
      expect(readFileSync(path, 'utf8')).toBe(text);
      expect(existsSync(health.keptAs)).toBe(true);
    } finally {
      await h.close();
    }
  });

  test('damaged meter and access fields cost those fields; read access unreadable is closed', async () => {
    const doc = JSON.parse(JSON.stringify(goodDoc));
    doc.access.readOpen = 'yes';
    doc.meter = { encryptionKey: 'zz', line: { baud: 2400, dataBits: 8, parity: 'even', stopBits: 1 } };
    const { h } = await start(doc);
    try {
      const settings = h.app.settings();
      expect(settings.meter).toEqual({ line: { baud: 2400, dataBits: 8, parity: 'even', stopBits: 1 } });
      expect(settings.access.readOpen).toBe(false);
      const health = (await get(h, '/api/v1/settings/health')).body;
      expect(health).toMatchObject({ state: 'repaired', locked: false, confirmRequired: false });
      expect(health.problems.join(' ')).not.toMatch(/zz/);
      expect((await post(h, '/api/v1/auth/login', { password: PASSWORD })).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
