// Shared by the output tests: real meter captures (hosttests/vectors, provenance in their .json
// sidecars), re-stamped with a moving meter clock so the engine takes each as new data, and an app
// core with a fake clock driven like the platform drives it (frames, 1 s ticks).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from '../../firmware/app/app';
import type { App, AppDeps } from '../../firmware/app/app';
import type { SnapshotOutput } from '../../firmware/app/outputs/output-port';
import type { SettingsDocument } from '../../firmware/app/settings';
import { readCapture } from '../../firmware/host/replay-source';
import { crc16Arc } from '../../decoders/util/crc16-arc';

const root = join(__dirname, '..', '..');

/** Iskra AM550, DSMR 5.0, NL, importing on all lines, per-line power (ndokter/dsmr_parser TELEGRAM_V5). */
export const DSMR_V5 = new Uint8Array(readFileSync(join(root, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt')));
/** Sagemcom T210-D (Enexis), DSMR 5.0, exporting on all three lines (athombv/node-dsmr-parser). */
export const DSMR_EXPORT = new Uint8Array(readFileSync(join(root, 'hosttests/vectors/p1/node-dsmr-parser/dsmr-5.0-ene-1.txt')));
/** Aidon 6525, Norway IT grid, list 2: I1 and I3, no I2 (ams-han-decoder captures). */
export const AIDON_IT_LIST2 = readCapture(join(root, 'hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1.hex'));

/**
 * The same DSMR telegram with its meter clock (0-0:1.0.0) set to `utcMs` (written as Dutch winter
 * time, flag W) and a new CRC-16/ARC: what the meter sends a second later with the same values.
 */
export function restampDsmr(telegram: Uint8Array, utcMs: number): Uint8Array {
  const text = String.fromCharCode(...telegram);
  const wall = new Date(utcMs + 3600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp =
    two(wall.getUTCFullYear() % 100) +
    two(wall.getUTCMonth() + 1) +
    two(wall.getUTCDate()) +
    two(wall.getUTCHours()) +
    two(wall.getUTCMinutes()) +
    two(wall.getUTCSeconds()) +
    'W';
  const replaced = text.replace(/0-0:1\.0\.0\(\d{12}[SW]\)/, `0-0:1.0.0(${stamp})`);
  if (replaced === text) throw new Error('telegram has no 0-0:1.0.0 line');
  const bang = replaced.lastIndexOf('!');
  const body = Uint8Array.from(replaced.slice(0, bang + 1), (c) => c.charCodeAt(0));
  const crc = crc16Arc(body, 0, body.length).toString(16).toUpperCase().padStart(4, '0');
  return Uint8Array.from(replaced.slice(0, bang + 1) + crc + replaced.slice(bang + 5), (c) => c.charCodeAt(0));
}

export interface Harness {
  app: App;
  now(): number;
  /** Moves the clock on by `ms` in 1 s ticks, as the platform's timer would. */
  advance(ms: number): void;
  /** A restamped DSMR telegram at the current time. */
  feedDsmr(telegram?: Uint8Array): void;
  feed(bytes: Uint8Array): void;
  warnings: string[];
}

export const T0 = Date.UTC(2026, 10, 23, 17, 0, 0);

export function harness(outputs: SnapshotOutput[], change?: (doc: SettingsDocument) => void, startMs = T0): Harness {
  let nowMs = startMs;
  const ticks: Array<() => void> = [];
  let saved: string | undefined;
  const warnings: string[] = [];
  const deps: AppDeps = {
    clock: { nowMs: () => nowMs },
    scheduler: {
      every: (_ms, cb) => {
        ticks.push(cb);
        return { cancel() {} };
      },
      after: () => ({ cancel() {} }),
    },
    settingsStore: {
      load: () => saved,
      save: (t) => {
        saved = t;
      },
    },
    publisher: { broadcast: () => undefined, clientCount: () => 0 },
    logger: { info: () => undefined, warn: (m) => warnings.push(m) },
    randomBytes: (n) => new Uint8Array(n).fill(9),
    options: { passwordIterations: 10 },
    outputs,
  };
  const app = createApp(deps);
  if (change) {
    const r = app.updateSettings((doc) => {
      change(doc);
      return doc;
    });
    if (!r.ok) throw new Error(r.error);
  }
  app.start();
  return {
    app,
    warnings,
    now: () => nowMs,
    advance(ms: number) {
      const end = nowMs + ms;
      while (nowMs < end) {
        nowMs = Math.min(end, nowMs + 1000);
        for (const cb of ticks) cb();
      }
    },
    feedDsmr(telegram = DSMR_V5) {
      app.onMeterBytes(restampDsmr(telegram, nowMs), nowMs);
    },
    feed(bytes: Uint8Array) {
      app.onMeterBytes(bytes, nowMs);
    },
  };
}

/** A TCP port nothing listens on right now (for a listener the test starts itself). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
