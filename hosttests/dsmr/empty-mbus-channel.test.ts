/**
 * Issue 13, defect 3: an M-Bus channel with nothing connected (Iskra AM550:
 * `0-1:24.2.1(700101010000W)(00000000)`, device type 003 and an empty id, ahead of the real gas
 * meter on channel 2) was read as a gas meter of 0 m3, so whoever takes the first gas sub-meter
 * (the HomeWizard view) reported 0 instead of the real reading. The 1970 stamp with a zero value
 * is the meter's "never captured" placeholder: no value. A channel that then has neither a value
 * nor an id is no sub-meter at all.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { FrameResult } from '../../decoders/frame-result';
import type { MeterReading } from '../../decoders/reading';
import { MeterStream } from '../../decoders/meter-stream';

const P1 = join(__dirname, '..', 'vectors', 'p1');

function reading(file: string, skipChecksum = false): MeterReading {
  const s = new MeterStream({ skipChecksum });
  const out: FrameResult[] = [];
  s.push(new Uint8Array(readFileSync(join(P1, file))), (r) => out.push(r));
  s.flush((r) => out.push(r));
  const ok = out.filter((r) => r.ok) as { reading: MeterReading }[];
  expect(ok).toHaveLength(1);
  return ok[0].reading;
}

test("dsmr-reader's Iskra telegram: the gas meter on channel 2 is the only sub-meter (241.773 m3)", () => {
  const r = reading('dsmr-reader/iskra-am550-empty-mbus-channel.txt', true); // its CRC is made up
  expect(r.subMeters).toEqual([
    { channel: 2, type: 'gas', deviceType: 3, id: '12345678901234567890123456789012', value: 241.773, unit: 'm3', time: '2019-11-08T14:55:05+01:00' },
  ]);
  const firstGas = r.subMeters!.find((m) => m.type === 'gas');
  expect(firstGas?.value).toBe(241.773);
});

test("ndokter's two-M-Bus telegram (CRC checked): channel 1 is empty, channel 2 holds 246.138 m3", () => {
  const r = reading('ndokter-dsmr_parser/telegram_v5_two_mbus.txt');
  expect(r.subMeters?.map((m) => m.channel)).toEqual([2]);
  expect(r.subMeters?.[0].value).toBe(246.138);
});

test('a channel whose meter has an id but was never read keeps its id and has no value (not 0)', () => {
  const text =
    '/ISK5\\2M550E-1012\r\n\r\n1-3:0.2.8(50)\r\n0-0:1.0.0(191108145519W)\r\n1-0:1.7.0(00.189*kW)\r\n' +
    '0-1:24.1.0(003)\r\n0-1:96.1.0(4730303339303031393336393930363139)\r\n0-1:24.2.1(700101010000W)(00000000)\r\n!';
  const s = new MeterStream({ skipChecksum: true });
  const out: FrameResult[] = [];
  s.push(new TextEncoder().encode(`${text}0000\r\n`), (r) => out.push(r));
  s.flush((r) => out.push(r));
  const ok = out.find((r) => r.ok) as { reading: MeterReading };
  expect(ok.reading.subMeters).toEqual([{ channel: 1, type: 'gas', deviceType: 3, id: 'G0039001936990619' }]);
});

test('a real reading of 0 m3 with a real stamp stays 0 (only the 1970 placeholder means "none")', () => {
  const text =
    '/ISK5\\2M550E-1012\r\n\r\n1-3:0.2.8(50)\r\n0-0:1.0.0(191108145519W)\r\n1-0:1.7.0(00.189*kW)\r\n' +
    '0-1:24.1.0(003)\r\n0-1:24.2.1(191108145505W)(00000.000*m3)\r\n!';
  const s = new MeterStream({ skipChecksum: true });
  const out: FrameResult[] = [];
  s.push(new TextEncoder().encode(`${text}0000\r\n`), (r) => out.push(r));
  s.flush((r) => out.push(r));
  const ok = out.find((r) => r.ok) as { reading: MeterReading };
  expect(ok.reading.subMeters?.[0]).toMatchObject({ channel: 1, value: 0, unit: 'm3' });
});
