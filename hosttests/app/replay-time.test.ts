// ReplayClock: the meter time a replayed frame gets (firmware/app/replay-time.ts), on readings
// decoded from real captures.
import { join } from 'node:path';
import { MeterStream } from '../../decoders/meter-stream';
import type { MeterReading } from '../../decoders/reading';
import { parseWallTime } from '../../decoders/headroom/time';
import { ReplayClock } from '../../firmware/app/replay-time';
import { readCapture } from '../../firmware/host/replay-source';

const root = join(__dirname, '..', '..');
const CET = { utcOffsetMin: 60, dst: 'eu' as const };

function decode(file: string): MeterReading[] {
  const out: MeterReading[] = [];
  new MeterStream({}).push(readCapture(join(root, file)), (r) => {
    if (r.ok) out.push(r.reading);
  });
  return out;
}

test('a stamped DSMR telegram gets the replay instant as local time with its offset', () => {
  const [reading] = decode('hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt');
  expect(reading.meterTime).toBe('2017-01-02T19:20:02+01:00');
  const winter = Date.UTC(2026, 0, 15, 11, 30, 0, 250);
  const summer = Date.UTC(2026, 6, 15, 11, 30, 0, 250);
  const clock = new ReplayClock();
  expect(clock.restamp(reading, winter, CET).meterTime).toBe('2026-01-15T12:30:00.250+01:00');
  expect(clock.restamp(reading, summer, CET).meterTime).toBe('2026-07-15T13:30:00.250+02:00');
  expect(new ReplayClock().restamp(reading, winter, { utcOffsetMin: -300, dst: 'none' }).meterTime).toBe('2026-01-15T06:30:00.250-05:00');
  // The engine reads it back as the same instant.
  const wall = parseWallTime(clock.restamp(reading, summer + 5000, CET).meterTime as string);
  expect(wall && wall.wallMs - (wall.offsetMin as number) * 60000).toBe(summer + 5000);
  // Everything else is the capture's.
  const { meterTime: _a, ...rest } = clock.restamp(reading, summer + 6000, CET);
  const { meterTime: _b, ...original } = reading;
  expect(rest).toEqual(original);
});

test('frames that arrive together get distinct, rising stamps; a frame without a stamp keeps none', () => {
  const readings = decode('hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt');
  const clock = new ReplayClock();
  const at = Date.UTC(2026, 2, 1, 8, 0, 0, 0);
  const stamps = [0, 1, 2].map(() => Date.parse(clock.restamp(readings[0], at, CET).meterTime as string));
  expect(stamps).toEqual([at, at + 1, at + 2]);
  const [short] = decode('hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-1.hex');
  expect(short.meterTime).toBeUndefined();
  expect(clock.restamp(short, at, CET)).toBe(short);
});
