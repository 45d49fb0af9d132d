// The page in headless Chromium (Debian `chromium`, driven by playwright-core): live values change
// as frames arrive, a setting changed on the settings page persists across an app restart, and
// screenshots of the dashboard (desktop and phone width) go to hosttests/artifacts/.
// Needs: chromium (Debian package) at /usr/bin/chromium.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { startHost } from '../../firmware/host/start-host';
import type { RunningHost } from '../../firmware/host/start-host';
import { defaultReplay, ReplaySource } from '../../firmware/host/replay-source';
import { repoRoot, tempDir, CHROMIUM_ARGS, CHROMIUM_PATH } from './helpers';

const artifacts = join(repoRoot, 'hosttests', 'artifacts');

function start(settingsPath: string): Promise<RunningHost> {
  const replay = defaultReplay(repoRoot);
  // The real cadence is 2.5 s; a test runs it faster so values change within a few seconds.
  return startHost({
    port: 0,
    host: '127.0.0.1',
    settingsPath,
    quiet: true,
    passwordIterations: 1000,
    source: new ReplaySource(replay.steps, { ...replay, intervalMs: 400, baud: 0 }),
  });
}

let browser: Browser;
let host: RunningHost;
const dir = tempDir('meterbox-browser-');
const settingsPath = join(dir, 'settings.json');

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  host = await start(settingsPath);
});
afterAll(async () => {
  await browser?.close();
  await host?.close();
});

async function freshPage(viewport = { width: 1100, height: 900 }) {
  // A fresh context is a fresh profile: no cookies, no cache.
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  context.setDefaultTimeout(10000);
  return { context, page: await context.newPage() };
}

test('the dashboard shows live values that change as frames arrive', async () => {
  const { context, page } = await freshPage();
  try {
    await page.goto(host.url + '/');
    await page.waitForFunction(() => document.querySelectorAll('.phase').length === 3, undefined, { timeout: 10000 });
    const readNet = () => page.locator('#net').innerText();
    await page.waitForFunction(() => (document.getElementById('net')?.textContent ?? '–') !== '–', undefined, { timeout: 10000 });
    const first = await readNet();
    await page.waitForFunction((before) => document.getElementById('net')?.textContent !== before, first, { timeout: 10000 });
    expect(await readNet()).not.toBe(first);
    // The IT-grid Aidon reports no L2 current: the page must not show it as 0 A.
    const l2 = await page.locator('[data-phase="l2"] .detail').innerText();
    expect(l2).not.toMatch(/^0\.0 A/);
    expect(await page.locator('[data-phase="l1"] .tag').innerText()).toMatch(/measured|estimated/);
    await page.waitForFunction(() => document.querySelectorAll('#spark polyline').length === 2, undefined, { timeout: 10000 });
    await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('the dashboard is readable at phone width', async () => {
  const { context, page } = await freshPage({ width: 390, height: 844 });
  try {
    await page.goto(host.url + '/');
    await page.waitForFunction(() => (document.getElementById('three')?.textContent ?? '–') !== '–', undefined, { timeout: 10000 });
    // Nothing wider than the screen (no sideways scrolling on a phone).
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(artifacts, 'dashboard-phone.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('a setting changed on the settings page persists across an app restart', async () => {
  const { context, page } = await freshPage({ width: 390, height: 844 });
  try {
    await page.goto(host.url + '/settings');
    await page.waitForSelector('#setup-form:not(.hidden)');
    await page.fill('#setup-password', 'browser test pw');
    await page.click('#setup-form button[type=submit]');
    await page.waitForSelector('#logged-in:not(.hidden)');
    await page.waitForFunction(() => (document.getElementById('fuseA') as HTMLInputElement).value === '25');
    await page.fill('#fuseA', '35');
    await page.selectOption('#gridType', 'IT');
    await page.click('details:has(#advanced) > summary');
    await page.fill('#riseIntervalS', '10');
    await page.selectOption('#chargerPhases', '1');
    await page.click('#save');
    await page.waitForSelector('#save-msg.ok');
    // A refused value shows the reason and changes nothing.
    await page.fill('#fuseA', '0');
    await page.click('#save');
    await page.waitForSelector('#save-msg.err');
    expect(await page.locator('#save-msg').innerText()).toMatch(/^Not saved: Main fuse per phase \(A\) 0: /);
  } finally {
    await context.close();
  }

  await host.close();
  host = await start(settingsPath);

  const again = await freshPage({ width: 390, height: 844 });
  try {
    await again.page.goto(host.url + '/settings');
    await again.page.waitForSelector('#login-form:not(.hidden)');
    await again.page.waitForFunction(() => (document.getElementById('fuseA') as HTMLInputElement).value !== '');
    expect(await again.page.inputValue('#fuseA')).toBe('35');
    expect(await again.page.inputValue('#gridType')).toBe('IT');
    expect(await again.page.inputValue('#riseIntervalS')).toBe('10');
    expect(await again.page.inputValue('#chargerPhases')).toBe('1');
    await again.page.goto(host.url + '/');
    await again.page.waitForFunction(() => (document.querySelector('[data-phase="l1"] .detail')?.textContent ?? '').indexOf('of 35 A') >= 0, undefined, {
      timeout: 10000,
    });
  } finally {
    await again.context.close();
  }
});

test('the diagnostics page lists recent frames as hex', async () => {
  const { context, page } = await freshPage();
  try {
    await page.goto(host.url + '/diagnostics');
    await page.waitForSelector('.hex', { timeout: 10000 });
    expect(await page.locator('.hex').first().innerText()).toMatch(/^7e a[0-7] /); // HDLC flag, then frame format type 0xA (the low bits carry the length)
  } finally {
    await context.close();
  }
});
