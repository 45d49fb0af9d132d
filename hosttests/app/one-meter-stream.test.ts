// Memory on the device: a MeterStream holds ~33 KB of frame buffers (DSMR, encrypted P1, HDLC,
// M-Bus, bare DLMS), and the instrumented simulator showed the app holding two of them with line
// auto-detection on (the link's and the detector's own: 59 KB of XS chunks each, of 143 KB at boot;
// firmware/moddable/platform/memory-monitor.ts, docs/firmware.md "Memory"). The detector now takes
// the link's results instead of decoding the same bytes again. These tests count the streams the
// app makes and check that detection still finds lines from the shared results.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let streamsMade = 0;
jest.mock('../../decoders/meter-stream', () => {
  const actual = jest.requireActual('../../decoders/meter-stream');
  class CountingMeterStream extends actual.MeterStream {
    constructor(...args: unknown[]) {
      super(...args);
      streamsMade++;
    }
  }
  return { ...actual, MeterStream: CountingMeterStream };
});

// required after the mock (the esbuild transform does not hoist jest.mock above imports)
/* eslint-disable @typescript-eslint/no-require-imports */
const { createApp } = require('../../firmware/app/app') as typeof import('../../firmware/app/app');
const { describeLine } = require('../../firmware/app/line-detection') as typeof import('../../firmware/app/line-detection');
const { LineDetector } = require('../../decoders/autodetect/line-detector') as typeof import('../../decoders/autodetect/line-detector');
const { MeterStream } = require('../../decoders/meter-stream') as typeof import('../../decoders/meter-stream');
const { parseHexText } = require('../../decoders/util/hex') as typeof import('../../decoders/util/hex');
/* eslint-enable @typescript-eslint/no-require-imports */
import type { ByteSource, LineSettings } from '../../firmware/app/ports';
import type { FrameResult } from '../../decoders/frame-result';

const root = join(__dirname, '..', '..');
const HAN = parseHexText(readFileSync(join(root, 'hosttests/vectors/han/ams-han-decoder/KFM_001__MA304H3E-1-ok-L121-1.hex'), 'utf8'));
const ENCRYPTED = parseHexText(readFileSync(join(root, 'hosttests/vectors/han/node-dsmr-parser/encrypted/aidon-example-2-with-aad.hex'), 'utf8'));

function app(lineOverride: LineSettings | 'auto', meterLine: LineSettings, frame: Uint8Array) {
  let nowMs = 1_790_000_000_000;
  const ticks: Array<() => void> = [];
  let line: LineSettings | undefined;
  let onBytes: (b: Uint8Array, t: number) => void = () => undefined;
  const source: ByteSource = {
    kind: 'uart',
    describe: () => 'simulated uart',
    start: (cb) => (onBytes = cb),
    setLineSettings: (s) => (line = s),
    stop: () => undefined,
  };
  const core = createApp({
    clock: { nowMs: () => nowMs },
    scheduler: {
      every: (_ms, cb) => {
        ticks.push(cb);
        return { cancel() {} };
      },
      after: () => ({ cancel() {} }),
    },
    settingsStore: { load: () => undefined, save: () => undefined },
    publisher: { broadcast: () => undefined, clientCount: () => 0 },
    logger: { info: () => undefined, warn: () => undefined },
    randomBytes: (n) => new Uint8Array(n),
    source,
    lineOverride,
  });
  core.start();
  const run = (seconds: number) => {
    for (let s = 0; s < seconds; s++) {
      nowMs += 1000;
      const match = line && describeLine(line) === describeLine(meterLine);
      if (s % 2 === 0) onBytes(match ? frame : frame.map((b, i) => ((b * 7 + i) & 0xff) ^ 0x55), nowMs);
      for (const cb of ticks) cb();
    }
  };
  return { core, run };
}

const KAIFA_LINE: LineSettings = { baud: 2400, dataBits: 8, parity: 'none', stopBits: 1 };

test('with line auto-detection the app keeps one MeterStream, not two', () => {
  streamsMade = 0;
  const { core, run } = app('auto', KAIFA_LINE, HAN);
  expect(streamsMade).toBe(1);
  run(200); // through several wrong candidates to the right one
  expect(core.snapshot().link.line).toBe('2400 8N1');
  expect(core.snapshot().reading).not.toBeNull();
  expect(streamsMade).toBe(1);
});

test('with a fixed line too', () => {
  streamsMade = 0;
  app(KAIFA_LINE, KAIFA_LINE, HAN);
  expect(streamsMade).toBe(1);
});

describe('LineDetector with sharedStream', () => {
  const feedShared = (frame: Uint8Array, options: ConstructorParameters<typeof LineDetector>[0]) => {
    const detector = new LineDetector({ ...options, sharedStream: true });
    const stream = new MeterStream(options?.decoder ?? {});
    const results: FrameResult[] = [];
    stream.push(frame, (r) => {
      results.push(r);
      detector.observe(r);
    });
    return { verdict: detector.feed(frame, 0), results };
  };

  test('makes no stream of its own and finds the format from the results it is given', () => {
    streamsMade = 0;
    const detector = new LineDetector({ sharedStream: true });
    expect(streamsMade).toBe(0);
    detector.tick(0);
    detector.tick(20000); // advancing to the next candidate makes no stream either
    expect(streamsMade).toBe(0);
    expect(feedShared(HAN, {}).verdict).toMatchObject({ kind: 'found', format: 'hdlc' });
  });

  test('an encrypted meter without a key: "encrypted" (the line is right)', () => {
    const { verdict, results } = feedShared(ENCRYPTED, {});
    expect(results.some((r) => !r.ok && r.error.code === 'encrypted-no-key')).toBe(true);
    expect(verdict).toMatchObject({ kind: 'encrypted', format: 'hdlc' });
  });

  test('bytes with no result are noise after noiseBytes, as with its own stream', () => {
    const detector = new LineDetector({ sharedStream: true, noiseBytes: 100 });
    expect(detector.feed(new Uint8Array(60), 0).kind).toBe('listening');
    expect(detector.feed(new Uint8Array(60), 10)).toMatchObject({ kind: 'next', reason: 'noise' });
  });
});
