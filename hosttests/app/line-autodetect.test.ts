// Line auto-detection (meter.line = "auto" / --line auto) through the core with a simulated UART:
// the source only yields clean bytes when set to the meter's real line settings, and garbage
// (what a UART makes of a wrong baud rate or parity) otherwise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../firmware/app/app';
import type { ByteSource, LineSettings } from '../../firmware/app/ports';
import { describeLine } from '../../firmware/app/line-detection';
import { parseHexText } from '../../decoders/util/hex';

const root = join(__dirname, '..', '..');
const DSMR = new Uint8Array(readFileSync(join(root, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt')));
const HAN = parseHexText(readFileSync(join(root, 'hosttests/vectors/han/ams-han-decoder/KFM_001__MA304H3E-1-ok-L121-1.hex'), 'utf8'));

class SimulatedUart implements ByteSource {
  readonly kind = 'uart' as const;
  line: LineSettings | undefined;
  changes: string[] = [];
  private onBytes: (b: Uint8Array, t: number) => void = () => undefined;
  constructor(
    private readonly meterLine: LineSettings,
    private readonly frame: Uint8Array,
  ) {}
  describe() {
    return 'simulated uart';
  }
  start(onBytes: (b: Uint8Array, t: number) => void) {
    this.onBytes = onBytes;
  }
  setLineSettings(s: LineSettings) {
    this.line = s;
    this.changes.push(describeLine(s));
  }
  stop() {}
  /** The meter sends one frame; what arrives depends on whether the UART matches its line. */
  meterSends(nowMs: number) {
    const match = this.line && describeLine(this.line) === describeLine(this.meterLine);
    this.onBytes(match ? this.frame : this.frame.map((b, i) => ((b * 7 + i) & 0xff) ^ 0x55), nowMs);
  }
}

function run(meterLine: LineSettings, frame: Uint8Array) {
  let nowMs = 1_790_000_000_000;
  const ticks: Array<() => void> = [];
  const uart = new SimulatedUart(meterLine, frame);
  const app = createApp({
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
    source: uart,
    lineOverride: 'auto',
  });
  app.start();
  const advance = (seconds: number, meterTalks: boolean) => {
    for (let s = 0; s < seconds; s++) {
      nowMs += 1000;
      if (meterTalks && s % 2 === 0) uart.meterSends(nowMs);
      for (const cb of ticks) cb();
    }
  };
  // The meter sends every 2 s; the detector looks at each candidate for up to 12 s.
  advance(200, true);
  return { app, uart, advance };
}

test.each([
  ['P1 DSMR 5 at 115200 8N1 on an inverted line', { baud: 115200, dataBits: 8, parity: 'none', stopBits: 1, inverted: true } as LineSettings, DSMR],
  ['P1 DSMR 5 at 115200 8N1 through an inverting cable', { baud: 115200, dataBits: 8, parity: 'none', stopBits: 1 } as LineSettings, DSMR],
  ['Kaifa HAN at 2400 8E1', { baud: 2400, dataBits: 8, parity: 'even', stopBits: 1 } as LineSettings, HAN],
  ['Kamstrup-style HAN at 2400 8N1', { baud: 2400, dataBits: 8, parity: 'none', stopBits: 1 } as LineSettings, HAN],
])('auto-detection finds %s and stays there', (_name, meterLine, frame) => {
  const { app, uart } = run(meterLine, frame);
  const s = app.snapshot();
  expect(s.link.lineMode).toBe('auto');
  expect(s.link.line).toBe(describeLine(meterLine));
  expect(describeLine(uart.line!)).toBe(describeLine(meterLine));
  expect(s.reading).not.toBeNull();
  expect(s.link.state).toBe('ok');
  // Once locked it does not wander off: the last change was to the right line.
  expect(uart.changes[uart.changes.length - 1]).toBe(describeLine(meterLine));
  const diag = s.link;
  expect(diag.line).toBe(describeLine(meterLine));
});

test('a kept line that stops delivering frames is searched again', () => {
  const { app, uart, advance } = run({ baud: 2400, dataBits: 8, parity: 'none', stopBits: 1 }, HAN);
  expect(app.snapshot().link.line).toBe('2400 8N1');
  const changesBefore = uart.changes.length;
  advance(58, false); // the last frame came 1 s before this: 59 s of silence so far
  expect(uart.changes.length).toBe(changesBefore);
  advance(2, false);
  // The search restarted from the first candidate.
  expect(uart.changes.length).toBe(changesBefore + 1);
  expect(uart.changes[uart.changes.length - 1]).toBe('2400 8E1');
  expect(app.snapshot().link.line).toBe('2400 8E1 (searching)');
});
