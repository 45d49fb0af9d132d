// The settings page's MQTT / HomeWizard block in headless Chromium (Debian chromium, playwright-core):
// a person sets the broker and the L2 option on the page, the app connects to a real mosquitto,
// the page shows the connection, and the broker password never comes back to the page.
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { startHost } from '../../firmware/host/start-host';
import type { RunningHost } from '../../firmware/host/start-host';
import { getJson, tempDir, CHROMIUM_ARGS, CHROMIUM_PATH } from './helpers';
import { startBroker } from './mosquitto';
import type { Broker } from './mosquitto';

jest.setTimeout(60000);

let browser: Browser;
let host: RunningHost;
let broker: Broker;

beforeAll(async () => {
  broker = await startBroker({ meterbox: 'Page-broker-pw1' });
  host = await startHost({ port: 0, host: '127.0.0.1', settingsPath: join(tempDir('meterbox-page-mqtt-'), 's.json'), quiet: true, passwordIterations: 1000 });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await host?.close();
  await broker?.stop();
});

test('set the broker and the HomeWizard L2 option on the page; connected shown; password stored, never shown', async () => {
  const context = await browser.newContext();
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  try {
    await page.goto(host.url + '/settings');
    await page.fill('#setup-password', 'owner-password-1');
    await page.click('#setup-form button[type=submit]');
    await page.waitForSelector('#logged-in:not(.hidden)');
    await page.waitForFunction(() => /p1meter-[0-9A-F]{6}/.test(document.getElementById('hw-identity')!.textContent ?? ''));
    expect(await page.inputValue('#mqtt-discoveryPrefix')).toBe('homeassistant');
    expect(await page.locator('#mqtt-status').innerText()).toMatch(/MQTT is off/);

    await page.fill('#mqtt-url', broker.url);
    await page.fill('#mqtt-username', 'meterbox');
    await page.fill('#mqtt-password', 'Page-broker-pw1');
    await page.selectOption('#hw-l2', 'omit');
    await page.click('#integrations-save');
    await page.waitForFunction(() => document.getElementById('integrations-msg')!.textContent === 'Saved.');
    await page.waitForFunction(() => /^Connected to mqtt:\/\/127\.0\.0\.1:\d+ \(settings\)/.test(document.getElementById('mqtt-status')!.textContent ?? ''));
    expect(await page.inputValue('#mqtt-password')).toBe('');
    expect(await page.locator('#mqtt-password-state').innerText()).toMatch(/A password is stored \(not shown\)/);
    expect(await page.content()).not.toContain('Page-broker-pw1');

    const settings = (await getJson(host.url + '/api/v1/settings')).body;
    expect(settings.mqtt).toMatchObject({ url: broker.url, username: 'meterbox', password: { set: true }, discoveryPrefix: 'homeassistant', discovery: true });
    expect(settings.homewizard).toEqual({ l2: 'omit' });

    // A refused value: the page shows the reason, nothing is stored.
    await page.fill('#mqtt-baseTopic', 'house/#');
    await page.click('#integrations-save');
    await page.waitForFunction(() => /wildcards/.test(document.getElementById('integrations-msg')!.textContent ?? ''));
    expect((await getJson(host.url + '/api/v1/settings')).body.mqtt).not.toHaveProperty('baseTopic');
  } finally {
    await context.close();
  }
});
