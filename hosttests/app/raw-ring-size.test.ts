// The app's ring of recent raw frames is sized by its platform (AppOptions.rawRingSize): the
// device keeps 8 frames instead of the link's default 16, about 4 KB of chunks and 75 XS slots
// fewer on a board without PSRAM (docs/firmware.md, "Memory"); GET /api/v1/diagnostics shows
// that many, the newest last.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../firmware/app/app';
import type { AppOptions } from '../../firmware/app/app';
import { defaultLinkOptions } from '../../firmware/app/meter-link';
import { parseHexText } from '../../decoders/util/hex';

const HAN = parseHexText(readFileSync(join(__dirname, '..', 'vectors', 'han/ams-han-decoder/KFM_001__MA304H3E-1-ok-L121-1.hex'), 'utf8'));

async function recentFrameTimes(options: AppOptions, frames: number): Promise<number[]> {
  let nowMs = 1_790_000_000_000;
  const app = createApp({
    clock: { nowMs: () => nowMs },
    scheduler: { every: () => ({ cancel() {} }), after: () => ({ cancel() {} }) },
    settingsStore: { load: () => undefined, save: () => undefined },
    publisher: { broadcast: () => undefined, clientCount: () => 0 },
    logger: { info: () => undefined, warn: () => undefined },
    randomBytes: (n) => new Uint8Array(n).fill(7),
    options,
  });
  const first = nowMs;
  for (let i = 0; i < frames; i++) {
    nowMs += 1000;
    app.onMeterBytes(HAN, nowMs);
  }
  const response = await app.handle({ method: 'GET', path: '/api/v1/diagnostics', query: {}, headers: {}, body: '' });
  expect(response.status).toBe(200);
  const body = JSON.parse(String(response.body));
  return body.recentFrames.map((f: { timeMs: number }) => (f.timeMs - first) / 1000);
}

test('options.rawRingSize bounds the ring the diagnostics show', async () => {
  expect(await recentFrameTimes({ rawRingSize: 3 }, 5)).toEqual([3, 4, 5]);
});

test('without it, the link default', async () => {
  const times = await recentFrameTimes({}, defaultLinkOptions.rawRingSize + 2);
  expect(times).toHaveLength(defaultLinkOptions.rawRingSize);
  expect(times[times.length - 1]).toBe(defaultLinkOptions.rawRingSize + 2);
});
