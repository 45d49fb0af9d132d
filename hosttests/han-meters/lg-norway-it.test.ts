/**
 * Landis+Gyr E350 on a Norwegian IT grid (Klive; amsreader-firmware frames/L&G-E350_Norway.raw):
 * HDLC, OBIS structures with scaler_unit, list id "EMBRIQ_V1_1". The meter measures against L2:
 * it sends U2 = 0 AND IL2 = 0 (next to 31.8 A and 34.3 A, impossible on a 3-wire grid where the
 * three currents sum to zero). Both must come out absent, never 0, and the reading says 3-wire.
 */
import { join } from 'node:path';
import type { MeterReading } from '../../decoders/reading';
import { HdlcSplitter } from '../../decoders/hdlc/hdlc-splitter';
import { MeterStream } from '../../decoders/meter-stream';
import { VECTORS, at, capture, codes, feed } from '../../tools/captures/han-captures';

const DIR = join(VECTORS, 'han', 'amsreader-firmware');

function readingOf(name: string, chunk?: number): MeterReading {
  const rs = feed(new HdlcSplitter(), capture(DIR, name).bytes, chunk);
  expect(codes(rs)).toEqual(['ok']);
  return (rs[0] as { reading: MeterReading }).reading;
}

test('list 2: the values of the frame, L2 current and voltage absent, 3-wire', () => {
  const c = capture(DIR, 'lg-e350-norway-it-list2');
  const r = readingOf(c.name);
  for (const [path, value] of Object.entries(c.sidecar.expected_reading as Record<string, number | string>)) {
    expect({ path, value: at(r, path) }).toEqual({ path, value });
  }
  expect(r.l2).toBeUndefined(); // neither IL2 = 0 nor U2 = 0 survives
  expect(r.threeWire).toBe(true);
  expect(r.phaseCount).toBe(3);
  expect(r.frameKind).toBe('full');
});

test('list 2 byte by byte and through the front: the same reading', () => {
  const whole = readingOf('lg-e350-norway-it-list2');
  expect(readingOf('lg-e350-norway-it-list2', 1)).toEqual(whole);
  const ms = new MeterStream();
  const out: unknown[] = [];
  ms.push(capture(DIR, 'lg-e350-norway-it-list2').bytes, (r) => out.push(r.ok ? r.reading : r.error));
  expect(out).toEqual([whole]);
  expect(ms.detectedFormat()).toBe('hdlc');
});

test('list 1: active power only, a short frame', () => {
  const r = readingOf('lg-e350-norway-it-list1');
  expect(r).toEqual({ protocol: 'dlms', powerImportW: 9460, frameKind: 'short' });
});
