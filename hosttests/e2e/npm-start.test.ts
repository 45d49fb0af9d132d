// `npm start` as a user runs it: with no meter option it replays the bundled real Aidon captures at
// the meter's real cadence (a frame every 2.5 s); `--capture` replays other files at the given
// interval. Both through the real CLI in a child process, on a free port.
import { join } from 'node:path';
import { getJson, repoRoot, spawnApp, tempDir, waitFor } from './helpers';

test('no options: the simulated Aidon meter at its real 2.5 s cadence', async () => {
  const app = await spawnApp(['--settings', join(tempDir('meterbox-start-'), 's.json'), '--quiet']);
  try {
    expect(app.output()).toMatch(/Open http:\/\/localhost:\d+/);
    const arrivals: number[] = [];
    let seen = 0;
    await waitFor('three decoded frames', async () => {
      const s = (await getJson(app.url + '/api/v1/status')).body;
      if (s.frames.frames > seen) {
        seen = s.frames.frames;
        arrivals.push(Date.now());
      }
      return s.frames.frames >= 3 ? s : undefined;
    }, 15000, 100);
    const status = (await getJson(app.url + '/api/v1/status')).body;
    expect(status.link.source).toMatch(/simulated Aidon 6525/);
    expect(status.meter.listId).toBe('AIDON_V0001');
    expect(status.frames.errors).toBe(0);
    // Real cadence: frames are about 2.5 s apart (not a burst).
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
    for (const gap of gaps) expect(gap).toBeGreaterThan(1500);
  } finally {
    await app.stop();
  }
});

test('--capture FILE,FILE --interval-ms: other captures, looping', async () => {
  const files = ['hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt', 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v4_2.txt'].map((f) => join(repoRoot, f));
  const app = await spawnApp(['--capture', files.join(','), '--interval-ms', '200', '--settings', join(tempDir('meterbox-capture-'), 's.json'), '--quiet']);
  try {
    const s = await waitFor('both captures replayed twice', async () => {
      const r = (await getJson(app.url + '/api/v1/status')).body;
      return r.frames.frames >= 4 ? r : undefined;
    }, 10000);
    expect(s.link.source).toContain('telegram_v5.txt, telegram_v4_2.txt');
    expect(s.meter.protocol).toBe('dsmr');
  } finally {
    await app.stop();
  }
});
