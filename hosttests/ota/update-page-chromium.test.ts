/**
 * The update page in headless Chromium against `npm start`: log in, upload an image for another
 * project and an unsigned one (refused, reason shown), then a signed one (accepted, restart,
 * confirmed by the page itself with the owner's session: POST /api/v1/firmware/confirm).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { getJson, spawnApp, tempDir, CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/helpers';
import type { SpawnedApp } from '../e2e/helpers';
import { buildTestImage as buildUnsigned } from './esp-image-builder';
import type { TestImageOptions } from './esp-image-builder';
import { makeTestKey } from './test-release-key';

const key = makeTestKey();
const buildTestImage = (o: TestImageOptions) => key.sign(buildUnsigned(o));

const haveChromium = existsSync(CHROMIUM_PATH);

(haveChromium ? describe : describe.skip)('update page in Chromium', () => {
  let app: SpawnedApp;
  let context: BrowserContext;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('update-chromium-');
    app = await spawnApp(['--settings', join(dir, 'settings.json'), '--ota-dir', join(dir, 'ota'), '--ota-public-key', key.publicPath]);
    const r = await getJson(app.url + '/api/v1/auth/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'box-admin-password' }),
    });
    expect(r.status).toBeLessThan(300);
    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  }, 60000);

  afterAll(async () => {
    await context?.close();
    await app?.stop();
  });

  test('wrong image refused with its reason; good image installed and confirmed', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(app.url + '/update');
    await page.locator('#admin-password').fill('box-admin-password');
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#access').waitFor({ state: 'hidden' });
    await page.locator('#state').getByText('0.1.0 in ota_0').waitFor();

    await page.locator('#file').setInputFiles({
      name: 'blink.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(buildTestImage({ version: '2.0.0', projectName: 'blink' })),
    });
    await page.locator('#upload').click();
    await page.locator('#upload-msg.err').waitFor();
    expect(await page.locator('#upload-msg').textContent()).toMatch(/Refused: image is for project "blink", this box runs "meterbox".*untouched/);
    await page.locator('#state').getByText('signed with the release key (ecdsa-p256-v1)').waitFor();

    await page
      .locator('#file')
      .setInputFiles({ name: 'unsigned.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(buildUnsigned({ version: '0.2.0' })) });
    await page.locator('#upload').click();
    await page
      .locator('#upload-msg')
      .getByText(/Refused: image is not signed/)
      .waitFor();

    await page
      .locator('#file')
      .setInputFiles({ name: 'meterbox.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(buildTestImage({ version: '0.2.0' })) });
    await page.locator('#upload').click();
    await page.locator('#upload-msg').getByText('Image 0.2.0 accepted (SHA-256 verified)').waitFor();
    // No meter here: the page itself confirms the new image with the owner's session once it answers.
    await page.locator('#upload-msg').getByText('Firmware 0.2.0 is running and confirmed.').waitFor({ timeout: 15000 });
    const otadata = JSON.parse(readFileSync(join(dir, 'ota', 'otadata.json'), 'utf8'));
    expect(otadata).toEqual({ running: 1, nextBoot: 1, states: ['valid', 'valid'] });
  }, 60000);
});

if (!haveChromium) {
  test('Chromium is installed for the update page test', () => {
    throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  });
}
