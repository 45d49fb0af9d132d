// The "Chargers" block of the settings page in headless Chromium (Debian `chromium`, driven by
// playwright-core): switching on the Modbus meter emulation and adding charger pushes is stored
// through PUT /api/v1/settings, a refused entry shows every reason and stores nothing, and each
// output's state (listening, last value sent, last error) is shown from /api/v1/status.
// Needs: chromium (Debian package) at /usr/bin/chromium.
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startHost } from '../../firmware/host/start-host';
import type { RunningHost } from '../../firmware/host/start-host';
import { defaultReplay, ReplaySource } from '../../firmware/host/replay-source';
import { createHostOutputs } from '../../firmware/host/output-args';
import { repoRoot, tempDir, waitFor, CHROMIUM_ARGS, CHROMIUM_PATH } from './helpers';
import { freePort } from '../outputs/fixtures';

let browser: Browser;
let host: RunningHost;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const replay = defaultReplay(repoRoot);
  host = await startHost({
    port: 0,
    host: '127.0.0.1',
    settingsPath: join(tempDir('meterbox-outputs-page-'), 'settings.json'),
    quiet: true,
    passwordIterations: 1000,
    source: new ReplaySource(replay.steps, { ...replay, intervalMs: 400, baud: 0 }),
    outputs: createHostOutputs({ chargers: [] }, '127.0.0.1', () => Date.now()).outputs,
  });
}, 30000);
afterAll(async () => {
  await browser?.close();
  await host?.close();
});

async function loggedIn(): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 1400 } });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  await page.goto(host.url + '/settings');
  await page.waitForSelector('#setup-form:not(.hidden), #login-form:not(.hidden)');
  if (await page.isVisible('#setup-form')) {
    await page.fill('#setup-password', 'outputs page password');
    await page.click('#setup-form button');
  } else {
    await page.fill('#login-password', 'outputs page password');
    await page.click('#login-form button');
  }
  await page.waitForSelector('#logged-in:not(.hidden)');
  return { page, close: () => context.close() };
}

test('Modbus and two chargers set on the page are stored, and their state is shown', async () => {
  const { page, close } = await loggedIn();
  try {
    const port = await freePort();
    await page.check('#modbus-enabled');
    await page.fill('#modbus-port', String(port));
    await page.click('#charger-add');
    await page.fill('#charger-list fieldset[data-i="0"] [data-k="url"]', 'http://127.0.0.1:9/');
    await page.click('#charger-add');
    await page.selectOption('#charger-list fieldset[data-i="1"] [data-k="type"]', 'openevse');
    // the OpenEVSE fields appear for that type only
    expect(await page.isVisible('#charger-list fieldset[data-i="1"] [data-k="maxPowerW"]')).toBe(true);
    expect(await page.isVisible('#charger-list fieldset[data-i="0"] [data-k="maxPowerW"]')).toBe(false);
    await page.fill('#charger-list fieldset[data-i="1"] [data-k="url"]', 'http://127.0.0.1:9');
    await page.selectOption('#charger-list fieldset[data-i="1"] [data-k="mode"]', 'allowance');
    await page.fill('#charger-list fieldset[data-i="1"] [data-k="maxPowerW"]', '11000');
    await page.click('#outputs-save');
    await page.waitForSelector('#outputs-msg.ok');
    const saved = host.app.settings().outputs;
    expect(saved.modbusTcp).toEqual({ enabled: true, port, unitId: 1 });
    expect(saved.chargers).toEqual([
      { type: 'smartevse', url: 'http://127.0.0.1:9', enabled: true },
      { type: 'openevse', url: 'http://127.0.0.1:9', enabled: true, phases: 3, mode: 'allowance', maxPowerW: 11000 },
    ]);
    // state from /api/v1/status: the listener, and the pushes failing against a closed port
    await waitFor('the Modbus state', async () => /listening on port \d+/.test(await page.innerText('#modbus-state')), 10000, 200);
    await waitFor(
      'the push errors',
      async () => /last error .*ECONNREFUSED/.test(await page.innerText('#charger-list fieldset[data-i="0"] [data-state]')),
      15000,
      200,
    );
  } finally {
    await close();
  }
}, 60000);

test('a refused entry shows every reason and stores nothing', async () => {
  const { page, close } = await loggedIn();
  try {
    const before = JSON.stringify(host.app.settings().outputs);
    await page.click('#charger-add');
    const last = (await page.locator('#charger-list fieldset').count()) - 1;
    await page.selectOption(`#charger-list fieldset[data-i="${last}"] [data-k="type"]`, 'goe');
    await page.fill(`#charger-list fieldset[data-i="${last}"] [data-k="url"]`, 'https://goe.local');
    await page.fill('#modbus-port', '70000');
    await page.click('#outputs-save');
    await page.waitForSelector('#outputs-msg.err');
    const text = await page.innerText('#outputs-msg');
    expect(text).toMatch(/port must be a whole number from 1 to 65535/);
    expect(text).toMatch(/plain http/);
    expect(JSON.stringify(host.app.settings().outputs)).toBe(before);
  } finally {
    await close();
  }
}, 60000);
