/**
 * OTA through the real HTTP API of `npm start` (firmware/host/main.ts) on loopback, with the
 * file-backed slots: refusals with reasons, an interrupted upload, a good image that is rolled back
 * because it never proves itself, and one that is confirmed. The meter source is a garbage capture
 * so no meter frame can confirm an image behind the test's back; the health deadline is 3 s.
 * Every image is signed with a test release key (test-release-key.ts) the app is started with;
 * signed-images.test.ts covers what happens to unsigned and wrongly signed ones. Reading
 * GET /api/v1/firmware confirms nothing: only a decoded meter frame or the owner's
 * POST /api/v1/firmware/confirm keeps an image.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getJson, spawnApp, tempDir, waitFor } from '../e2e/helpers';
import type { SpawnedApp } from '../e2e/helpers';
import { buildTestImage as buildUnsigned } from './esp-image-builder';
import type { TestImageOptions } from './esp-image-builder';
import { makeTestKey } from './test-release-key';

const key = makeTestKey();
const buildTestImage = (o: TestImageOptions) => key.sign(buildUnsigned(o));

let app: SpawnedApp;
let dir: string;
let token: string;
const otadata = () => JSON.parse(readFileSync(join(dir, 'ota', 'otadata.json'), 'utf8'));
const slotHash = (label: string) =>
  createHash('sha256')
    .update(readFileSync(join(dir, 'ota', `${label}.bin`)))
    .digest('hex');

async function upload(image: Uint8Array, query = '', auth = true) {
  return getJson(app.url + '/api/v1/firmware' + query, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
    body: Buffer.from(image),
  });
}

beforeAll(async () => {
  dir = tempDir('ota-http-');
  const garbage = Buffer.alloc(4000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 37 + 11) & 0x7d; // never 0x7E, never '/': no frame can start
  writeFileSync(join(dir, 'garbage.bin'), garbage);
  app = await spawnApp([
    '--settings',
    join(dir, 'settings.json'),
    '--ota-dir',
    join(dir, 'ota'),
    '--ota-health-deadline-ms',
    '3000',
    '--ota-public-key',
    key.publicPath,
    '--capture',
    join(dir, 'garbage.bin'),
    '--replay-baud',
    '0',
    '--interval-ms',
    '200',
  ]);
  const setup = await getJson(app.url + '/api/v1/auth/setup', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: 'box-admin-password' }),
  });
  expect(setup.status).toBeLessThan(300);
  token = setup.body.token;
}, 30000);

afterAll(async () => {
  await app?.stop();
});

test('upload without a session is refused (401) and nothing is written', async () => {
  const r = await upload(buildTestImage({ version: '1.1.0' }), '', false);
  expect(r.status).toBe(401);
  expect(otadata()).toEqual({ running: 0, nextBoot: 0, states: ['valid', 'empty'] });
});

test.each([
  ['wrong project', buildTestImage({ version: '1.1.0', projectName: 'esp-idf-blink' }), /image is for project "esp-idf-blink", this box runs "meterbox"/],
  ['wrong chip', buildTestImage({ version: '1.1.0', chipId: 0x0009 }), /built for ESP32-S3/],
  ['bad magic', Uint8Array.from(Buffer.from('PK\u0003\u0004 this is a zip, not firmware'.padEnd(400, '.'))), /not an ESP32 app image/],
  ['older version', buildTestImage({ version: '0.0.9' }), /older than running 0.1.0/],
  ['truncated', buildTestImage({ version: '1.1.0' }).subarray(0, 700), /truncated/],
  ['not signed', buildUnsigned({ version: '1.1.0' }), /image is not signed/],
])('%s: refused with the reason, running slot untouched', async (_name, image, reason) => {
  const before = slotHash('ota_0');
  const r = await upload(image);
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  expect(r.body.error).toMatch(reason);
  expect(slotHash('ota_0')).toBe(before);
  expect(otadata()).toMatchObject({ running: 0, nextBoot: 0 });
  const s = await getJson(app.url + '/api/v1/firmware');
  expect(s.body).toMatchObject({ state: 'idle', runningVersion: '0.1.0', lastResult: { outcome: 'rejected' } });
});

test('a connection dropped mid-upload aborts; the boot slot stays', async () => {
  const image = buildTestImage({ version: '1.1.0', segmentSizes: [60000, 40000] });
  await new Promise<void>((resolve) => {
    const req = request(app.url + '/api/v1/firmware', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(image.length), authorization: `Bearer ${token}` },
    });
    req.on('error', () => resolve());
    req.write(image.subarray(0, 30000), () =>
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200),
    );
  });
  const s = await waitFor('the upload to be abandoned', async () => {
    const r = await getJson(app.url + '/api/v1/firmware');
    return r.body.state === 'idle' && r.body.lastResult?.outcome === 'aborted' ? r.body : undefined;
  });
  expect(s.lastResult.reason).toMatch(/interrupted|closed/);
  expect(otadata()).toMatchObject({ running: 0, nextBoot: 0 });
});

test('good image accepted, restarts into trial, no health signal within 3 s: rolled back', async () => {
  const factory = slotHash('ota_0');
  const image = buildTestImage({ version: '1.1.0' });
  const r = await upload(image);
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ ok: true, version: '1.1.0', hashChecked: true });
  expect(readFileSync(join(dir, 'ota', 'ota_1.bin'))).toEqual(Buffer.from(image));
  await waitFor('the restart into the new image', () => otadata().states[1] === 'pending-verify' && otadata().running === 1, 5000);
  await waitFor('the rollback', () => otadata().running === 0, 8000);
  expect(otadata()).toEqual({ running: 0, nextBoot: 0, states: ['valid', 'invalid'] });
  expect(slotHash('ota_0')).toBe(factory);
  const s = await getJson(app.url + '/api/v1/firmware');
  expect(s.body).toMatchObject({ state: 'idle', runningVersion: '0.1.0', lastResult: { outcome: 'rolled-back', version: '1.1.0' } });
  expect(app.output()).toMatch(/not healthy within 3 s: rolling back/);
}, 20000);

test('good image: reading the status confirms nothing, an anonymous confirm is refused, the owner confirms it', async () => {
  const r = await upload(buildTestImage({ version: '1.2.0', fillerSeed: 7 }));
  expect(r.status).toBe(200);
  await waitFor('the restart into the new image', () => otadata().states[1] === 'pending-verify', 5000);
  const trial = await getJson(app.url + '/api/v1/firmware');
  expect(trial.body).toMatchObject({ state: 'pending-verify', runningVersion: '1.2.0' });
  const anonymous = await getJson(app.url + '/api/v1/firmware/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(anonymous.status).toBe(401);
  expect(otadata().states[1]).toBe('pending-verify');
  const confirm = await getJson(app.url + '/api/v1/firmware/confirm', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
  expect(confirm.status).toBe(200);
  const s = await getJson(app.url + '/api/v1/firmware');
  expect(s.body).toMatchObject({
    state: 'idle',
    runningVersion: '1.2.0',
    runningSlot: 'ota_1',
    lastResult: { outcome: 'confirmed', reason: 'healthy (owner)' },
  });
  expect(otadata()).toEqual({ running: 1, nextBoot: 1, states: ['valid', 'valid'] });
  await new Promise((res) => setTimeout(res, 3500));
  expect(otadata().running).toBe(1);
}, 20000);

describe('POST /api/v1/firmware/url: the box pulls the image from a loopback web server', () => {
  let server: Server;
  let base: string;
  const files: Record<string, Uint8Array> = {
    '/blink.bin': buildTestImage({ version: '9.9.9', projectName: 'blink' }),
    '/meterbox-1.3.0.bin': buildTestImage({ version: '1.3.0', fillerSeed: 3 }),
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/latest') {
        res.writeHead(302, { location: '/meterbox-1.3.0.bin' });
        res.end();
        return;
      }
      const body = files[req.url ?? ''];
      if (!body) {
        res.writeHead(404);
        res.end('not here');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
      res.end(Buffer.from(body));
    });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const pull = (body: unknown, auth = true) =>
    getJson(app.url + '/api/v1/firmware/url', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const settled = (outcome: string) =>
    waitFor(`lastResult ${outcome}`, async () => {
      const r = await getJson(app.url + '/api/v1/firmware');
      return r.body.lastResult?.outcome === outcome && r.body.state !== 'receiving' ? r.body : undefined;
    });

  test('refused without a session, and bad URLs are refused', async () => {
    expect((await pull({ url: base + '/latest' }, false)).status).toBe(401);
    expect((await pull({ url: 'ftp://x/y.bin' })).body.error).toMatch(/http:\/\/ or https:\/\//);
    expect((await pull({ url: base + '/latest', extra: 1 })).status).toBe(400);
  });
  test('a wrong image is refused with the reason; a 404 is reported', async () => {
    const running = otadata().running;
    expect((await pull({ url: base + '/blink.bin' })).status).toBe(202);
    expect((await settled('rejected')).lastResult.reason).toMatch(/project "blink"/);
    expect((await pull({ url: base + '/nothing.bin' })).status).toBe(202);
    expect((await settled('aborted')).lastResult.reason).toBe('upload interrupted: download failed: HTTP 404');
    expect(otadata().running).toBe(running);
  });
  test('a good image through a redirect is installed, restarted into and confirmed', async () => {
    expect((await pull({ url: base + '/latest' })).status).toBe(202);
    await waitFor('the restart into 1.3.0', () => otadata().states[otadata().running] === 'pending-verify', 8000);
    await getJson(app.url + '/api/v1/firmware/confirm', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
    const s = await getJson(app.url + '/api/v1/firmware');
    expect(s.body).toMatchObject({ runningVersion: '1.3.0', lastResult: { outcome: 'confirmed' } });
  }, 20000);
});
