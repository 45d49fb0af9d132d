/**
 * The pages a person meets, in headless Chromium against `npm start`:
 * - first setup says that live data is open on the LAN and offers to close it (access.readOpen);
 * - the settings page shows that choice to anyone (from the public auth status) and changes it on
 *   its own, after a login, independent of the installation form;
 * - a box whose stored settings are damaged says so on every page: locked (how to unlock), or
 *   repaired (what was lost, with a confirm button that ends the safe allowance).
 */
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, spawnApp, tempDir, CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/helpers';
import type { SpawnedApp } from '../e2e/helpers';

describe('pages in Chromium', () => {
  let context: BrowserContext;
  const apps: SpawnedApp[] = [];
  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
    context = await chromium.launchPersistentContext(join(tempDir('pages-profile-'), 'p'), {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      headless: true,
    });
  }, 60000);
  afterAll(async () => {
    await context?.close();
    for (const a of apps) await a.stop();
  });
  async function start(settingsText?: string): Promise<SpawnedApp> {
    const dir = tempDir('pages-');
    if (settingsText !== undefined) writeFileSync(join(dir, 'settings.json'), settingsText);
    const app = await spawnApp(['--settings', join(dir, 'settings.json'), '--ota-dir', join(dir, 'ota')]);
    apps.push(app);
    return app;
  }

  test('first setup: live data open on the LAN is said, and closing it works', async () => {
    const app = await start();
    const page = await context.newPage();
    await page.goto(app.url + '/setup');
    await page.locator('#read-open-note').getByText('Live data is open on your network').waitFor();
    await page.locator('#admin-new').fill('box-admin-password');
    await page.locator('#read-close').check();
    await page.locator('#setup-form button[type=submit]').click();
    await page.locator('#read-state').getByText('Private: reading live data needs the password too.').waitFor();
    expect((await getJson(app.url + '/api/v1/auth/status')).body.readOpen).toBe(false);
    expect((await getJson(app.url + '/api/v1/status')).status).toBe(401);
    await page.locator('#read-toggle').click();
    await page.locator('#read-msg').getByText('Live data is open on your network.').waitFor();
    expect((await getJson(app.url + '/api/v1/status')).status).toBe(200);
    await page.close();
  }, 60000);

  test('settings page: read access shown before a login, changed on its own after one, kept by the installation form', async () => {
    const app = await start();
    const page = await context.newPage();
    const anonymousStatus = async () => (await getJson(app.url + '/api/v1/status')).status;
    await page.goto(app.url + '/settings');
    await page.locator('#read-state').getByText('Open: anyone on your network can read live data without a password').waitFor();
    expect(await page.locator('#read-open').isChecked()).toBe(true);

    // No password yet: the choice cannot be changed, and the page says what to do.
    await page.locator('#read-private').check();
    await page.locator('#read-save').click();
    await page.locator('#read-msg.err').getByText('No password is set yet').waitFor();
    expect(await page.locator('#read-open').isChecked()).toBe(true); // shows what is stored
    expect(await anonymousStatus()).toBe(200);

    await page.locator('#setup-password').fill('box-admin-password');
    await page.locator('#setup-form button[type=submit]').click();
    await page.locator('#logged-in').waitFor();
    // A refused installation field does not hold back the read-access choice.
    await page.locator('#fuseA').waitFor();
    await page.locator('#fuseA').fill('');
    await page.locator('#save').click();
    await page.locator('#save-msg.err').waitFor();
    await page.locator('#read-private').check();
    await page.locator('#read-save').click();
    await page.locator('#read-msg.ok').getByText('Saved: live data is private now.').waitFor();
    await page.locator('#read-state').getByText('Private: reading live data needs the password too.').waitFor();
    expect((await getJson(app.url + '/api/v1/auth/status')).body.readOpen).toBe(false);
    expect(await anonymousStatus()).toBe(401);

    // Saving the installation form leaves read access as it is.
    await page.locator('#fuseA').fill('20');
    await page.locator('#save').click();
    await page.locator('#save-msg.ok').getByText('Saved.').waitFor();
    expect((await getJson(app.url + '/api/v1/auth/status')).body.readOpen).toBe(false);

    // Another browser, not logged in, is told the box is private.
    const stranger = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    try {
      const other = await stranger.newPage();
      await other.goto(app.url + '/settings');
      await other.locator('#read-state').getByText('Private: reading live data needs the password too.').waitFor();
      expect(await other.locator('#read-private').isChecked()).toBe(true);
    } finally {
      await stranger.close();
    }

    await page.reload();
    await page.locator('#read-private:checked').waitFor();
    await page.locator('#read-open').check();
    await page.locator('#read-save').click();
    await page.locator('#read-msg.ok').getByText('Saved: live data is open on your network.').waitFor();
    expect(await anonymousStatus()).toBe(200);
    await page.close();
  }, 90000);

  test('damaged settings: locked box says how to unlock on every page; a repaired one offers confirm', async () => {
    const locked = await start('{"version":1,"headroom":{"fuseA":20');
    const page = await context.newPage();
    for (const path of ['/', '/settings', '/setup', '/update']) {
      await page.goto(locked.url + path);
      await page.locator('#settings-banner').getByText('Settings could not be read: box locked').waitFor();
      expect(await page.locator('#settings-banner').textContent()).toMatch(/repairs or removes .*settings\.json and restarts/);
    }
    const repaired = await start(JSON.stringify({ version: 1, headroom: { fuseA: 20, marginA: 'x' }, access: { readOpen: true } }));
    await page.goto(repaired.url + '/');
    await page.locator('#settings-banner').getByText('Stored settings were damaged').waitFor();
    expect(await page.locator('#settings-banner').textContent()).toMatch(/headroom\.marginA/);
    await page.locator('#settings-confirm').click();
    await page.locator('#settings-confirm-msg').getByText('Log in on the Settings page first.').waitFor();
    await page.close();
  }, 60000);
});
