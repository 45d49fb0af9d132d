// If the headroom engine ever throws, the app must not keep publishing the last (possibly high)
// allowance: it publishes 0 A with the reason, and recovers on the next good frame.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppDeps } from '../../firmware/app/app';

let failNext = false;
jest.mock('../../decoders/headroom/index', () => {
  const actual = jest.requireActual('../../decoders/headroom/index');
  return {
    ...actual,
    stepHeadroom: (...args: unknown[]) => {
      if (failNext) {
        failNext = false;
        throw new Error('simulated engine fault');
      }
      return actual.stepHeadroom(...args);
    },
  };
});
// Required (not imported) after the mock: this project's jest transform (esbuild) does not hoist
// jest.mock above import statements, so an import would load the real engine first.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { createApp } = require('../../firmware/app/app') as typeof import('../../firmware/app/app');

const root = join(__dirname, '..', '..');
const DSMR = new Uint8Array(readFileSync(join(root, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt')));

test('an engine fault publishes 0 A with the reason, the next frame recovers', () => {
  let nowMs = 1_790_000_000_000;
  const warnings: string[] = [];
  const deps: AppDeps = {
    clock: { nowMs: () => nowMs },
    scheduler: { every: () => ({ cancel() {} }), after: () => ({ cancel() {} }) },
    settingsStore: { load: () => undefined, save: () => undefined },
    publisher: { broadcast: () => undefined, clientCount: () => 0 },
    logger: { info: () => undefined, warn: (m) => warnings.push(m) },
    randomBytes: (n) => new Uint8Array(n).fill(3),
    options: { passwordIterations: 10 },
  };
  const app = createApp(deps);
  app.start();
  for (let i = 0; i < 30; i++) {
    nowMs += 1000;
    app.onMeterBytes(DSMR, nowMs);
  }
  const before = app.snapshot().headroom;
  expect(before.threePhaseA).toBeGreaterThan(0);

  failNext = true;
  nowMs += 1000;
  app.onMeterBytes(DSMR, nowMs);
  const failed = app.snapshot().headroom;
  expect(failed.threePhaseA).toBe(0);
  expect(failed.onePhaseA).toBe(0);
  expect(failed.limitedBy).toBe('engine-error');
  expect(failed.reason).toMatch(/simulated engine fault/);
  expect(warnings.some((w) => /simulated engine fault/.test(w))).toBe(true);

  nowMs += 1000;
  app.onMeterBytes(DSMR, nowMs);
  expect(app.snapshot().headroom.limitedBy).not.toBe('engine-error');
});
