// The HTTP API against its contract (docs/api.md), on the real Node server with a replayed real
// telegram: status, settings (auth, validation, nothing changed on error, secrets never echoed),
// diagnostics, HomeWizard fields checked against the capture's independent expected values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHost } from '../../firmware/host/start-host';
import type { RunningHost } from '../../firmware/host/start-host';
import { ReplaySource, readCapture } from '../../firmware/host/replay-source';
import { getJson, liveClient, repoRoot, tempDir, waitFor } from './helpers';

const V5 = join(repoRoot, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt');
const V5_EXPECTED = JSON.parse(readFileSync(V5.replace('.txt', '.json'), 'utf8')).expected_source.parsed;
const BAD_CRC = join(repoRoot, 'hosttests/vectors/p1/node-dsmr-parser/dsmr-5.0-ene-1.txt');

let host: RunningHost;
let settingsPath: string;

beforeAll(async () => {
  settingsPath = join(tempDir('meterbox-api-'), 'settings.json');
  const steps = [
    { name: 'v5', bytes: readCapture(V5) },
    { name: 'bad-crc', bytes: readCapture(BAD_CRC) },
  ];
  host = await startHost({
    port: 0,
    host: '127.0.0.1',
    settingsPath,
    quiet: true,
    passwordIterations: 100,
    source: new ReplaySource(steps, { intervalMs: 200, baud: 0, loopFrom: 0, label: 'test replay' }),
  });
  await waitFor('a decoded frame', async () => (await getJson(host.url + '/api/v1/status')).body.reading);
});
afterAll(async () => {
  await host.close();
});

const put = (path: string, body: unknown, token?: string) =>
  getJson(host.url + path, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const post = (path: string, body: unknown, token?: string) =>
  getJson(host.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) },
    body: JSON.stringify(body),
  });
const stored = () => readFileSync(settingsPath, 'utf8');

test('GET /api/v1/status: versioned snapshot with the decoded reading, headroom, frame statistics, link', async () => {
  const { status, body } = await getJson(host.url + '/api/v1/status');
  expect(status).toBe(200);
  expect(body.apiVersion).toBe(1);
  expect(body.meter.protocol).toBe('dsmr');
  expect(body.reading.powerImportW).toBe(V5_EXPECTED.CURRENT_ELECTRICITY_USAGE.value * 1000);
  expect(typeof body.readingAgeS).toBe('number');
  expect(['ok', 'estimated', 'stale', 'safe-fallback', 'no-data']).toContain(body.headroom.status);
  expect(typeof body.headroom.reason).toBe('string');
  expect(body.headroom.phases.l1.limitA).toBe(25);
  expect(body.frames.frames).toBeGreaterThan(0);
  expect(body.link.state).toBe('ok');
  expect(body.link.sourceKind).toBe('replay');
});

test("GET /api and /api/v1/data: HomeWizard names and units, matching the capture's independent decode", async () => {
  const info = await getJson(host.url + '/api');
  expect(info.body).toMatchObject({ product_type: 'HWE-P1', api_version: 'v1' });
  const { body } = await getJson(host.url + '/api/v1/data');
  expect(body.unique_id).toBe(V5_EXPECTED.EQUIPMENT_IDENTIFIER.value);
  expect(body.smr_version).toBe(50);
  expect(body.total_power_import_t1_kwh).toBeCloseTo(V5_EXPECTED.ELECTRICITY_USED_TARIFF_1.value, 3);
  expect(body.total_power_import_t2_kwh).toBeCloseTo(V5_EXPECTED.ELECTRICITY_USED_TARIFF_2.value, 3);
  expect(body.total_power_export_t1_kwh).toBeCloseTo(V5_EXPECTED.ELECTRICITY_DELIVERED_TARIFF_1.value, 3);
  expect(body.total_power_import_kwh).toBeCloseTo(V5_EXPECTED.ELECTRICITY_USED_TARIFF_1.value + V5_EXPECTED.ELECTRICITY_USED_TARIFF_2.value, 3);
  expect(body.active_power_w).toBeCloseTo((V5_EXPECTED.CURRENT_ELECTRICITY_USAGE.value - V5_EXPECTED.CURRENT_ELECTRICITY_DELIVERY.value) * 1000, 3);
  expect(body.active_tariff).toBe(Number(V5_EXPECTED.ELECTRICITY_ACTIVE_TARIFF.value));
  expect(body.any_power_fail_count).toBe(V5_EXPECTED.SHORT_POWER_FAILURE_COUNT.value);
  expect(body.long_power_fail_count).toBe(V5_EXPECTED.LONG_POWER_FAILURE_COUNT.value);
  // A HAN-only field this DSMR meter does not send stays absent, not 0.
  expect(body).not.toHaveProperty('montly_power_peak_w');
  // Always there (Home Assistant maps v1 names only when wifi_ssid is): on a PC '' and 100.
  expect(body.wifi_ssid).toBe('');
  expect(body.wifi_strength).toBe(100);
});

test('GET /api/v1/diagnostics: recent raw frames as hex, error counts by kind', async () => {
  const { body } = await waitFor('a checksum error to be counted', async () => {
    const r = await getJson(host.url + '/api/v1/diagnostics');
    return r.body.frames.errorsByKind.checksum > 0 ? r : undefined;
  });
  expect(body.detectedFormat).toBe('dsmr');
  expect(body.recentFrames.length).toBeGreaterThan(0);
  expect(body.recentFrames.length).toBeLessThanOrEqual(16);
  const good = body.recentFrames.find((f: any) => f.ok);
  expect(good.hex.startsWith('2f ')).toBe(true); // '/' opens a DSMR telegram
  const bad = body.recentFrames.find((f: any) => !f.ok);
  expect(bad.errorCode).toBe('checksum');
  expect(body.hint).toBeNull();
});

test('settings: mutations need a password (set on first use), bad input is 4xx with the reason and changes nothing', async () => {
  const before = await getJson(host.url + '/api/v1/settings');
  expect(before.body.version).toBe(1);
  expect(before.body.access).toEqual({ readOpen: true, passwordSet: false });
  const unauth = await put('/api/v1/settings', { headroom: { fuseA: 32 } });
  expect(unauth.status).toBe(401);
  expect(unauth.body.setupRequired).toBe(true);

  const setup = await post('/api/v1/auth/setup', { password: 'meterbox test pw' });
  expect(setup.status).toBe(201);
  const token = setup.body.token as string;
  expect(setup.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  const fileAfterSetup = stored();
  expect(fileAfterSetup).not.toContain('meterbox test pw');

  for (const [body, reason] of [
    [{ headroom: { fuseA: 0 } }, /fuseA/],
    [{ headroom: { phases: 4 } }, /phases/],
    [{ headroom: { fuseA: 40 }, meter: { encryptionKey: 'xyz' } }, /encryptionKey/],
    [{ colour: 'blue' }, /unknown field "colour"/],
    [{ headroom: { fuseA: 32, turbo: true } }, /turbo/],
    [{ access: { passwordHash: 'x' } }, /password/],
    ['{"headroom": ', /not valid JSON/],
    ['[1,2]', /JSON object/],
  ] as const) {
    const r = await put('/api/v1/settings', body, token);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(reason);
    expect(stored()).toBe(fileAfterSetup);
  }
  const huge = await put('/api/v1/settings', JSON.stringify({ headroom: { fuseA: 32 }, pad: 'x'.repeat(9000) }), token);
  expect(huge.status).toBe(413);
  expect(huge.body.error).toMatch(/8192/);
  expect(stored()).toBe(fileAfterSetup);

  const key = '000102030405060708090a0b0c0d0e0f';
  const ok = await put('/api/v1/settings', { headroom: { fuseA: 32, gridType: 'IT' }, meter: { encryptionKey: key } }, token);
  expect(ok.status).toBe(200);
  expect(ok.body.headroom.fuseA).toBe(32);
  expect(ok.body.meter.encryptionKey).toEqual({ set: true });
  expect(JSON.stringify(ok.body)).not.toContain(key);
  const doc = JSON.parse(stored());
  expect(doc.headroom.fuseA).toBe(32);
  expect(doc.meter.encryptionKey).toBe(key);
  const status = await getJson(host.url + '/api/v1/status');
  expect(status.body.headroom.phases.l1.limitA).toBe(32);
  const shown = await getJson(host.url + '/api/v1/settings');
  expect(JSON.stringify(shown.body)).not.toContain(key);
  expect(JSON.stringify(shown.body)).not.toContain('pbkdf2');
});

test('read access can be closed: then status, data and /ws need a session; /api stays public', async () => {
  const login = await post('/api/v1/auth/login', { password: 'meterbox test pw' });
  expect(login.status).toBe(200);
  const token = login.body.token;
  expect((await put('/api/v1/settings', { access: { readOpen: false } }, token)).status).toBe(200);
  try {
    expect((await getJson(host.url + '/api/v1/status')).status).toBe(401);
    expect((await getJson(host.url + '/api/v1/data')).status).toBe(401);
    expect((await getJson(host.url + '/api')).status).toBe(200);
    expect((await getJson(host.url + '/api/v1/status', { headers: { authorization: 'Bearer ' + token } })).status).toBe(200);
    await expect(liveClient(host.url)).rejects.toThrow(/401/);
  } finally {
    expect((await put('/api/v1/settings', { access: { readOpen: true } }, token)).status).toBe(200);
  }
  const live = await liveClient(host.url);
  await waitFor('a snapshot over the WebSocket', () => live.messages.length > 0);
  live.close();
});

test('unknown endpoints are 404, wrong methods 405, the page is served', async () => {
  expect((await getJson(host.url + '/api/v1/nothing')).status).toBe(404);
  expect((await getJson(host.url + '/api/v1/status', { method: 'DELETE' })).status).toBe(405);
  const page = await fetch(host.url + '/');
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  expect((await fetch(host.url + '/../package.json')).status).toBe(404);
  expect((await fetch(host.url + '/%2e%2e/package.json')).status).toBe(404);
});
