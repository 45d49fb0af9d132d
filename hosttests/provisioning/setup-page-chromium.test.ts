/**
 * The whole first-boot Wi-Fi setup in a real browser (Debian's headless Chromium via playwright-core)
 * against `npm start` (firmware/host/main.ts) with the simulated Wi-Fi: open /setup, set the box
 * password, see the scan list, pick a network, type a wrong password and see it refused (AP kept),
 * type the right one and see it connected; then check the box saved it and is in station mode.
 */
import { request as httpRequest } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { getJson, spawnApp, tempDir, waitFor, CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/helpers';
import type { SpawnedApp } from '../e2e/helpers';

const haveChromium = existsSync(CHROMIUM_PATH);
const maybe = haveChromium ? describe : describe.skip;
if (!haveChromium) {
  test('Chromium is installed for the setup page test', () => {
    throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  });
}

maybe('setup page in Chromium with simulated Wi-Fi', () => {
  let app: SpawnedApp;
  let context: BrowserContext;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('setup-chromium-');
    writeFileSync(
      join(dir, 'wifi.json'),
      JSON.stringify({
        connectDelayMs: 400,
        scanDelayMs: 100,
        stationIp: '192.168.1.77',
        macAddress: '24:6f:28:4f:21:a0',
        networks: [
          { ssid: 'Neighbour', rssi: -81, security: 'wpa2', password: 'not-yours-1' },
          { ssid: 'Home', rssi: -50, security: 'wpa2', channel: 6, password: 'correct horse battery' },
          { ssid: 'Cafe', rssi: -66, security: 'open' },
        ],
      }),
    );
    app = await spawnApp(['--settings', join(dir, 'settings.json'), '--ota-dir', join(dir, 'ota'), '--wifi-sim', join(dir, 'wifi.json')]);
    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    page = context.pages()[0] ?? (await context.newPage());
  }, 60000);

  afterAll(async () => {
    await context?.close();
    await app?.stop();
  });

  test("a phone's captive-portal probe, sent with the probe's own Host, is redirected to the setup page (the Host rule lets it through)", async () => {
    const port = Number(new URL(app.url).port);
    const probe = (path: string, host: string) =>
      new Promise<{ status: number; location?: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', setHost: false, agent: false, headers: { host } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
        });
        req.on('error', reject);
        req.end();
      });
    const android = await probe('/generate_204', 'connectivitycheck.gstatic.com');
    expect(android.status).toBe(302);
    expect(android.location).toMatch(/^http:\/\/[0-9.]+\/setup\/$/);
    expect((await probe('/hotspot-detect.html', 'captive.apple.com')).status).toBe(302);
    // Everything else still refuses a foreign Host (DNS rebinding).
    expect((await probe('/api/v1/wifi/status', 'captive.apple.com')).status).toBe(421);
  });

  test('scan, wrong password refused with the AP kept, right password connects and is saved', async () => {
    await page.goto(app.url + '/setup');
    // First boot: the box has no password yet, so the page asks for one before any change.
    await page.locator('#admin-new').fill('box-admin-password');
    await page.locator('#setup-form button[type=submit]').click();
    await page.locator('#access').waitFor({ state: 'hidden' });

    // The scan list, strongest first.
    await page.locator('#networks button').first().waitFor();
    const names = await page.locator('#networks button').evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.ssid));
    expect(names).toEqual(['Home', 'Cafe', 'Neighbour']);
    expect(await page.locator('#state').textContent()).toContain('meterbox-4F21A0');

    await page.locator('#networks button[data-ssid="Home"]').click();
    expect(await page.locator('#ssid').inputValue()).toBe('Home');
    await page.locator('#wifi-password').fill('correct horse battery staple');
    await page.locator('#connect').click();
    await page.locator('#wifi-msg.err').waitFor({ timeout: 15000 });
    const refused = await page.locator('#wifi-msg').textContent();
    expect(refused).toContain('wrong password');
    expect(refused).toContain('access point stays on');
    const during = await getJson(app.url + '/api/v1/wifi/status');
    expect(during.body).toMatchObject({
      mode: 'ap',
      accessPoint: { active: true, ssid: 'meterbox-4F21A0' },
      station: { state: 'idle' },
      test: { state: 'failed', reason: 'wrong password' },
    });
    const before = existsSync(join(dir, 'settings.json')) ? JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) : {};
    expect(before.wifi?.ssid).toBeUndefined();

    await page.locator('#wifi-password').fill('correct horse battery');
    await page.locator('#connect').click();
    await page.locator('#wifi-msg.ok').waitFor({ timeout: 15000 });
    const ok = await page.locator('#wifi-msg').textContent();
    expect(ok).toContain('Connected to "Home" as 192.168.1.77');
    // The name the box really answers to: p1meter- and the AP name's digits (one MAC, as on a device).
    expect(ok).toContain('http://p1meter-4F21A0.local/');
    expect(ok).not.toContain('meterbox.local');
    expect(await page.locator('#state').textContent()).toContain('http://p1meter-4F21A0.local/');
    expect((await getJson(app.url + '/api')).body.serial).toBe('246f284f21a0');

    const after = await getJson(app.url + '/api/v1/wifi/status');
    expect(after.body).toMatchObject({ station: { state: 'connected', ssid: 'Home', ip: '192.168.1.77' }, accessPoint: { active: true } });
    expect(after.body.accessPoint.offInMs).toBeGreaterThan(0);
    expect(JSON.stringify(after.body)).not.toContain('correct horse');
    const saved = await waitFor('the network in the settings file', () => {
      const doc = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'));
      return doc.wifi?.ssid === 'Home' ? doc : undefined;
    });
    expect(saved.wifi).toEqual({ ssid: 'Home', password: 'correct horse battery' });
    expect(app.output()).toContain('wifi: test of "Home" failed: wrong password; nothing saved, access point stays');
  }, 60000);

  test('the name the page gives is one the box serves (Host p1meter-4F21A0.local), unlike a foreign one', async () => {
    const port = Number(new URL(app.url).port);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/status', method: 'GET', setHost: false, agent: false, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status(`p1meter-4F21A0.local:${port}`)).toBe(200);
    expect(await status('P1METER-4f21a0.local.')).toBe(200);
    expect(await status('p1meter-4F21A1.local')).toBe(421);
  });

  test('a change without a session is refused by the central auth', async () => {
    const r = await getJson(app.url + '/api/v1/wifi/connect', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ssid: 'Cafe', password: '' }),
    });
    expect(r.status).toBe(401);
    const f = await getJson(app.url + '/api/v1/wifi/forget', { method: 'POST' });
    expect(f.status).toBe(401);
  });
});
