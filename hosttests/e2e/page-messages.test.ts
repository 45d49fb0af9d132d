// What the page tells a person, in headless Chromium (Debian `chromium`, playwright-core) against the
// real app: a serial port that cannot open is named on the dashboard itself; DSMR energy from
// tariff registers only; a meter that disagrees with the grid or phase settings; the app or the
// box going away (closed, or silent: the process stopped); an empty fuse field refused; API texts
// turned into instructions.
// Needs: chromium at /usr/bin/chromium.
import { join } from 'node:path';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startHost } from '../../firmware/host/start-host';
import type { HostOptions, RunningHost } from '../../firmware/host/start-host';
import { defaultReplay, ReplaySource } from '../../firmware/host/replay-source';
import { captureReplay } from '../../firmware/host/replay-source';
import { SerialSource } from '../../firmware/host/serial-source';
import { getJson, repoRoot, spawnApp, tempDir, CHROMIUM_ARGS, CHROMIUM_PATH } from './helpers';

const AIDON_IT = { version: 1, headroom: { fuseA: 25, phases: 3, gridType: 'IT' } };
const TELEGRAM_V5 = join(repoRoot, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt');
const artifacts = join(repoRoot, 'hosttests', 'artifacts');

let browser: Browser;
const hosts: RunningHost[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  for (const h of hosts) await h.close();
});

async function host(settings: object | undefined, options: Partial<HostOptions> = {}): Promise<RunningHost> {
  const settingsPath = join(tempDir('meterbox-page-'), 'settings.json');
  if (settings) writeFileSync(settingsPath, JSON.stringify(settings));
  const replay = defaultReplay(repoRoot);
  const h = await startHost({
    port: 0,
    host: '127.0.0.1',
    settingsPath,
    quiet: true,
    passwordIterations: 1000,
    source: new ReplaySource(replay.steps, { ...replay, intervalMs: 300, baud: 0 }),
    ...options,
  });
  hosts.push(h);
  return h;
}

async function page(url: string): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  context.setDefaultTimeout(15000);
  const p = await context.newPage();
  await p.goto(url);
  return { page: p, close: () => context.close() };
}

const text = (p: Page, selector: string) => p.locator(selector).innerText();

/**
 * A process and its descendants (tsx runs the app in a child node process). Children are found by
 * the parent pid in /proc/<pid>/stat: /proc/<pid>/task/<pid>/children needs a kernel option that
 * not every CI kernel has.
 */
function processTree(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return [pid, ...children.flatMap(processTree)];
}

test('a serial device that does not exist is named on the dashboard, with what to do', async () => {
  const h = await host(undefined, { source: new SerialSource('/dev/ttyUSB-meterbox-absent', { baud: 2400, dataBits: 8, parity: 'even', stopBits: 1 }) });
  const { page: p, close } = await page(h.url + '/');
  try {
    await p.waitForFunction(() => (document.getElementById('hint')?.textContent ?? '') !== '');
    const hint = await text(p, '#hint');
    expect(hint).toMatch(/^\/dev\/ttyUSB-meterbox-absent does not exist: plug in the meter cable/);
    expect(hint).not.toMatch(/grid company/);
    expect(await text(p, '#status')).toBe('No data');
  } finally {
    await close();
  }
});

test('a DSMR meter that sends only tariff registers: the page shows their total', async () => {
  const replay = captureReplay([TELEGRAM_V5], 300, 0);
  const h = await host(undefined, { source: new ReplaySource(replay.steps, replay) });
  const { page: p, close } = await page(h.url + '/');
  try {
    await p.waitForFunction(() => document.getElementById('meter')?.textContent?.includes('Energy in'));
    const r = (await getJson(h.url + '/api/v1/status')).body.reading;
    expect(r.energyImportWh).toBeUndefined(); // the telegram has 1-0:1.8.1 and 1-0:1.8.2 only
    const [t1, t2] = r.energyImportTariffWh as number[];
    const rows = await p.locator('#meter').innerText();
    expect(rows).toContain(`${((t1 + t2) / 1000).toFixed(1)} kWh (T1 ${(t1 / 1000).toFixed(1)} + T2 ${(t2 / 1000).toFixed(1)})`);
  } finally {
    await close();
  }
});

test('a 3-wire (IT) meter under TN settings, or three phases under one: the banner says so; matching settings: nothing', async () => {
  const wrong = await host({ version: 1, headroom: { fuseA: 25, phases: 1, gridType: 'TN', marginA: 2 } });
  const right = await host(AIDON_IT);
  const a = await page(wrong.url + '/');
  const b = await page(right.url + '/');
  try {
    // The Aidon's full list (every 4th frame) carries the wiring; wait for it.
    await a.page.waitForFunction(() => (document.getElementById('gridwarn')?.textContent ?? '') !== '');
    const warning = await text(a.page, '#gridwarn');
    expect(warning).toContain('Your meter reports a 3-wire supply without neutral (IT, 3×230 V), but Settings say TN');
    expect(warning).toContain('Your meter reports three phases, but Settings say one phase');
    await a.page.screenshot({ path: join(artifacts, 'dashboard-grid-warning.png') });
    await b.page.waitForFunction(() => document.getElementById('meter')?.textContent?.includes('7359992899161110'));
    await b.page.waitForTimeout(1500); // a few more frames, full lists among them
    expect(await b.page.locator('#gridwarn').textContent()).toBe('');
    expect(await b.page.locator('#gridwarn').isVisible()).toBe(false);
  } finally {
    await a.close();
    await b.close();
  }
});

test('the app goes away: the page greys out and says "Disconnected"; it comes back by itself', async () => {
  const h = await host(AIDON_IT);
  const port = h.port;
  const { page: p, close } = await page(h.url + '/');
  try {
    await p.waitForFunction(() => (document.getElementById('three')?.textContent ?? '–') !== '–');
    expect(await p.evaluate(() => document.body.classList.contains('disconnected'))).toBe(false);
    await h.close();
    hosts.splice(hosts.indexOf(h), 1);
    await p.waitForFunction(() => document.getElementById('status')?.textContent === 'Disconnected');
    expect(await text(p, '#reason')).toMatch(/^No answer from meterbox since .*: the values below are the last ones received/);
    expect(await p.evaluate(() => getComputedStyle(document.querySelector('main > section:not(.banner)') as Element).filter)).toContain('grayscale');
    await p.screenshot({ path: join(artifacts, 'dashboard-disconnected.png') });
    // The same app again on the same port: the page reconnects and is live again.
    const again = await host(AIDON_IT, { port });
    expect(again.port).toBe(port);
    await p.waitForFunction(() => !document.body.classList.contains('disconnected'), undefined, { timeout: 20000 });
    expect(await text(p, '#status')).not.toBe('Disconnected');
  } finally {
    await close();
  }
});

test('the box stops answering without closing (process stopped): after the quiet time the page says "Disconnected"', async () => {
  const app = await spawnApp(['--settings', join(tempDir('meterbox-stop-'), 's.json'), '--quiet']);
  const { page: p, close } = await page(app.url + '/');
  try {
    await p.waitForFunction(() => (document.getElementById('three')?.textContent ?? '–') !== '–');
    const tree = processTree(app.proc.pid as number);
    expect(tree.length).toBeGreaterThan(1);
    for (const pid of tree) process.kill(pid, 'SIGSTOP'); // like a box that lost power: the socket stays open, nothing answers
    try {
      await p.waitForFunction(() => document.getElementById('status')?.textContent === 'Disconnected', undefined, { timeout: 40000 });
      expect(await p.evaluate(() => document.body.classList.contains('disconnected'))).toBe(true);
    } finally {
      for (const pid of tree) process.kill(pid, 'SIGCONT');
    }
    await p.waitForFunction(() => !document.body.classList.contains('disconnected'), undefined, { timeout: 30000 });
  } finally {
    await close();
    await app.stop();
  }
}, 90000);

test('an empty fuse field is refused with the reason, and the stored fuse stays; API texts become instructions', async () => {
  const h = await host(AIDON_IT);
  const owner = await page(h.url + '/settings');
  try {
    const p = owner.page;
    await p.waitForSelector('#setup-form:not(.hidden)');
    await p.fill('#setup-password', 'page messages pw');
    await p.click('#setup-form button[type=submit]');
    await p.waitForSelector('#logged-in:not(.hidden)');
    await p.waitForFunction(() => (document.getElementById('fuseA') as HTMLInputElement).value === '25');
    await p.fill('#fuseA', '');
    await p.click('#save');
    await p.waitForSelector('#save-msg.err');
    expect(await text(p, '#save-msg')).toMatch(/^Not saved: Main fuse per phase \(A\) must be a number/);
    expect((await getJson(h.url + '/api/v1/settings')).body.headroom.fuseA).toBe(25);
    // Close live data to the LAN, then look as a stranger: no API paths, an instruction.
    await p.check('#read-private');
    await p.click('#read-save');
    await p.waitForSelector('#read-msg.ok');
  } finally {
    await owner.close();
  }
  const stranger = await page(h.url + '/settings');
  try {
    await stranger.page.waitForSelector('#save-msg.err');
    const shown = await text(stranger.page, '#save-msg');
    expect(shown).toBe('Log in first (Access, at the top of the Settings page).');
    await stranger.page.goto(h.url + '/');
    await stranger.page.waitForFunction(() => document.getElementById('status')?.textContent === 'Login needed to see live data');
    expect(await stranger.page.locator('body').innerText()).not.toMatch(/\/api\/|--line/);
  } finally {
    await stranger.close();
  }
});
