// `npm start` as a user runs it: with no meter option it replays the bundled real Aidon captures at
// the meter's real cadence (a frame every 2.5 s); `--capture` replays other files at the given
// interval. Both through the real CLI in a child process, on a free port.
import { writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { getJson, repoRoot, spawnApp, tempDir, waitFor } from './helpers';

test('no options: the simulated Aidon meter at its real 2.5 s cadence', async () => {
  const app = await spawnApp(['--settings', join(tempDir('meterbox-start-'), 's.json'), '--quiet']);
  try {
    expect(app.output()).toMatch(/Open http:\/\/localhost:\d+/);
    const arrivals: number[] = [];
    let seen = 0;
    await waitFor(
      'three decoded frames',
      async () => {
        const s = (await getJson(app.url + '/api/v1/status')).body;
        if (s.frames.frames > seen) {
          seen = s.frames.frames;
          arrivals.push(Date.now());
        }
        return s.frames.frames >= 3 ? s : undefined;
      },
      15000,
      100,
    );
    const status = (await getJson(app.url + '/api/v1/status')).body;
    expect(status.link.source).toMatch(/simulated Aidon 6525/);
    expect(status.meter.listId).toBe('AIDON_V0001');
    expect(status.frames.errors).toBe(0);
    // Real cadence: frames are about 2.5 s apart (not a burst; measured by polling, so a loaded
    // machine shortens one gap by a poll or two: 1 s still tells a cadence from a burst).
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
    for (const gap of gaps) expect(gap).toBeGreaterThan(1000);
  } finally {
    await app.stop();
  }
});

test('--capture FILE,FILE --interval-ms: other captures, looping', async () => {
  const files = ['hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt', 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v4_2.txt'].map((f) =>
    join(repoRoot, f),
  );
  const app = await spawnApp(['--capture', files.join(','), '--interval-ms', '200', '--settings', join(tempDir('meterbox-capture-'), 's.json'), '--quiet']);
  try {
    const s = await waitFor(
      'both captures replayed twice',
      async () => {
        const r = (await getJson(app.url + '/api/v1/status')).body;
        return r.frames.frames >= 4 ? r : undefined;
      },
      10000,
    );
    expect(s.link.source).toContain('telegram_v5.txt, telegram_v4_2.txt');
    expect(s.meter.protocol).toBe('dsmr');
  } finally {
    await app.stop();
  }
});

test('--capture loops a capture with fresh meter times: the allowance stays up (not the fail-safe 0 A)', async () => {
  // One DSMR 5 telegram with its own time stamp, replayed every 300 ms. Without fresh times every
  // loop repeats the stamp, the engine takes it as a repeated frame, and with these thresholds the
  // answer would be stale after 1 s, at the safe current after 2 s and 0 A after 3 s.
  const dir = tempDir('meterbox-restamp-');
  const settings = join(dir, 's.json');
  writeFileSync(
    settings,
    JSON.stringify({ version: 1, headroom: { fuseA: 25, phases: 3, gridType: 'TN', staleAfterS: 1, safeFallbackAfterS: 2, zeroAfterS: 3 } }),
  );
  const file = join(repoRoot, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt');
  const app = await spawnApp(['--capture', file, '--interval-ms', '300', '--replay-baud', '0', '--settings', settings, '--quiet']);
  try {
    expect(app.output()).toMatch(/meter time = replay time/);
    const first = await waitFor('a decoded frame', async () => {
      const s = (await getJson(app.url + '/api/v1/status')).body;
      return s.frames.frames >= 1 ? s : undefined;
    });
    const times = new Set<string>();
    const started = Date.now();
    let last = first;
    while (Date.now() - started < 5000) {
      last = (await getJson(app.url + '/api/v1/status')).body;
      times.add(last.meter.meterTime);
      expect(last.headroom.status).toBe('ok');
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(last.frames.frames).toBeGreaterThanOrEqual(12);
    expect(last.headroom.threePhaseA).toBeGreaterThan(0);
    // Each looped frame carries the time it was replayed (the capture's own is 2017-01-02T19:20:02).
    expect(times.size).toBeGreaterThanOrEqual(10);
    const stamp = Date.parse(last.meter.meterTime);
    expect(Math.abs(stamp - last.timeMs)).toBeLessThan(5000);
  } finally {
    await app.stop();
  }
});

test('the simulated meter starts with the grid its meter reports (IT); a real source keeps the TN defaults', async () => {
  const dir = tempDir('meterbox-demo-settings-');
  const demo = await spawnApp(['--settings', join(dir, 'demo.json'), '--quiet']);
  try {
    const s = (await getJson(demo.url + '/api/v1/settings')).body;
    expect(s.headroom).toMatchObject({ gridType: 'IT', phases: 3 });
    const status = await waitFor(
      "a full list with the meter's wiring",
      async () => {
        const b = (await getJson(demo.url + '/api/v1/status')).body;
        return b.reading && b.reading.threeWire !== undefined ? b : undefined;
      },
      15000,
      200,
    );
    expect(status.reading.threeWire).toBe(true); // the Aidon says 3-wire: the settings agree
  } finally {
    await demo.stop();
  }
  const capture = join(repoRoot, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt');
  const real = await spawnApp(['--capture', capture, '--settings', join(dir, 'real.json'), '--quiet']);
  try {
    expect((await getJson(real.url + '/api/v1/settings')).body.headroom.gridType).toBe('TN');
  } finally {
    await real.stop();
  }
});

test('--host 0.0.0.0 prints the LAN addresses and warns until an admin password is set', async () => {
  const app = await spawnApp(['--host', '0.0.0.0', '--settings', join(tempDir('meterbox-lan-'), 's.json'), '--quiet']);
  try {
    // spawnApp returns once the "Open" line is out; the lines after it may still be in the pipe.
    await waitFor('the password warning', () => /no admin password is set/.test(app.output()), 5000);
    const out = app.output();
    const expected = Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .filter((a) => !a.internal && a.family === 'IPv4')
      .map((a) => `http://${a.address}:${app.port}`);
    if (expected.length > 0) expect(out).toContain('On the local network: ' + expected.join(' '));
    expect(out).toMatch(/warning: the page is open to the local network and no admin password is set: .* Set it now on http:\/\/localhost:\d+\/settings/);
    const r = await getJson(app.url + '/api/v1/auth/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'a long enough password' }),
    });
    expect(r.status).toBeLessThan(300);
    await waitFor('the app to notice the password', () => /admin password set/.test(app.output()), 5000);
  } finally {
    await app.stop();
  }
  // Loopback only (the default): no LAN line, no warning.
  const local = await spawnApp(['--settings', join(tempDir('meterbox-lan-'), 's.json'), '--quiet']);
  try {
    expect(local.output()).not.toMatch(/On the local network|no admin password/);
  } finally {
    await local.stop();
  }
});
