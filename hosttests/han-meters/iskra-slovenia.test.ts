/**
 * Slovenian Iskra AM550 lists from real meters (amsreader-firmware issues #615, #869, #956):
 * the ECE lists (one with the breaker as an enum instead of a boolean), Elektro Celje's "UP_3f"
 * list and the 1-phase 9-item list. Every value is checked against the sidecar, and the scales
 * against physics: per-phase powers add up, P+ <= sum of U x I, tariff registers add up.
 */
import { join } from 'node:path';
import type { MeterReading } from '../../decoders/reading';
import { HdlcSplitter } from '../../decoders/hdlc/hdlc-splitter';
import { DlmsApduDecoder } from '../../decoders/dlms/apdu';
import { listToReading } from '../../decoders/dlms/lists/registry';
import { VECTORS, at, capture, codes, feed } from '../../tools/captures/han-captures';

const DIR = join(VECTORS, 'han', 'amsreader-firmware');

function decode(name: string): { reading: MeterReading; shape: string } {
  const bytes = capture(DIR, name).bytes;
  const rs = feed(new HdlcSplitter(), bytes);
  expect(codes(rs)).toEqual(['ok']);
  // the shape that maps it, through the registry (HDLC info field after E6 E7 00, before FCS + flag)
  const llc = bytes.indexOf(0xe6);
  const o = new DlmsApduDecoder().decode(bytes, llc + 3, bytes.length - 3);
  if (o.kind !== 'list') throw new Error('not a notification');
  const m = listToReading(o.list, o.timeIso, o.encrypted);
  if (!m.ok) throw new Error(m.error.message);
  expect(m.reading).toEqual((rs[0] as { reading: MeterReading }).reading);
  return { reading: m.reading, shape: m.shape };
}

const cases: [string, string][] = [
  ['iskra-am550-ece-list1-gh615-1', 'slovenia-ece-list-1'],
  ['iskra-am550-ece-list2-gh615-2', 'slovenia-ece-list-2'],
  ['iskra-am550-ece-list2-gh956-2', 'slovenia-ece-list-2'],
  ['iskra-am550-up3f-gh615-8', 'slovenia-iskra-up3f'],
  ['iskra-am550-1phase-gh869-1', 'slovenia-iskra-1phase'],
];

test.each(cases)('%s: shape %s, the values of the frame', (name, shape) => {
  const r = decode(name);
  expect(r.shape).toBe(shape);
  for (const [path, value] of Object.entries(capture(DIR, name).sidecar.expected_reading as Record<string, number | string>)) {
    expect({ path, value: at(r.reading, path) }).toEqual({ path, value });
  }
  expect(r.reading.manufacturer).toBe('Iskra');
});

function apparentVA(r: MeterReading): number {
  let s = 0;
  for (const p of [r.l1, r.l2, r.l3]) if (p?.voltageV !== undefined && p.currentA !== undefined) s += p.voltageV * p.currentA;
  return s;
}

test('list 1 and UP_3f: currents in 0.01 A fit the power (P <= sum of U x I, overall power factor above 0.5; 0.1 A would make it below 0.1, 0.001 A would break P <= U x I)', () => {
  for (const name of ['iskra-am550-ece-list1-gh615-1', 'iskra-am550-up3f-gh615-8']) {
    const r = decode(name).reading;
    const s = apparentVA(r);
    expect(r.powerImportW!).toBeLessThanOrEqual(s);
    expect(r.powerImportW! / s).toBeGreaterThan(0.5);
    expect(r.powerImportW!).toBeGreaterThan(s / 10); // 0.001 A: S / 10 < P
  }
  const l1 = decode('iskra-am550-ece-list1-gh615-1').reading;
  expect(l1.l1!.powerImportW! + l1.l2!.powerImportW! + l1.l3!.powerImportW!).toBeCloseTo(l1.powerImportW!, -1);
});

test('list 2: totals are the sum of the two tariff registers; breaker enum 1 = connected', () => {
  for (const name of ['iskra-am550-ece-list2-gh615-2', 'iskra-am550-ece-list2-gh956-2']) {
    const r = decode(name).reading;
    expect(r.energyImportTariffWh![0] + r.energyImportTariffWh![1]).toBe(r.energyImportWh);
    expect(r.energyExportTariffWh![0] + r.energyExportTariffWh![1]).toBe(r.energyExportWh);
    expect(r.breakerState).toBe(1);
  }
});

test('1-phase list: one phase, no current sent (absent, not 0)', () => {
  const r = decode('iskra-am550-1phase-gh869-1').reading;
  expect(r.phaseCount).toBe(1);
  expect(r.l1).toEqual({ voltageV: 230.1 });
  expect(r.l2).toBeUndefined();
});
