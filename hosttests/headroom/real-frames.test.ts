// Real captures decoded by the project's own decoders, fed to the engine: the decoders' readings
// and the engine agree on what a missing value is. (The engine's other tests build readings by
// hand and do not depend on the decoders; this one is the integration check.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeterStream } from '../../decoders/meter-stream';
import { parseHexText } from '../../decoders/util/hex';
import type { MeterReading } from '../../decoders/reading';
import { createHeadroomState, stepHeadroom } from '../../decoders/headroom/index';
import { settingsOf } from './readings';

const vectors = join(__dirname, '..', 'vectors');

function decode(rel: string): MeterReading[] {
  const raw = readFileSync(join(vectors, rel));
  const bytes = rel.endsWith('.hex') ? parseHexText(raw.toString('utf8')) : new Uint8Array(raw);
  const out: MeterReading[] = [];
  const ms = new MeterStream();
  const take = (r: { ok: boolean; reading?: MeterReading }) => {
    if (r.ok && r.reading) out.push(r.reading);
  };
  ms.push(bytes, take);
  ms.flush(take);
  return out;
}

const NOW = Date.UTC(2026, 10, 23, 17);

test('Aidon 6525 on IT (no L2 current): full list -> L2 estimated under the bound from P, Q, I1, I3; list 1 -> carried on from the split', () => {
  const full = decode('han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1.hex')[0]!;
  const short = decode('han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-1.hex')[0]!;
  expect(full.l2?.currentA).toBeUndefined();
  expect(short.frameKind).toBe('short');
  const s = settingsOf({ fuseA: 50, gridType: 'IT', marginA: 3 });
  const a = stepHeadroom(createHeadroomState(), { nowMs: NOW, reading: full }, s);
  const h = a.headroom;
  expect(h.status).toBe('ok');
  expect([h.phases.l1.currentSource, h.phases.l2.currentSource, h.phases.l3.currentSource]).toEqual(['measured', 'estimated', 'measured']);
  const i1 = full.l1!.currentA!;
  const i3 = full.l3!.currentA!;
  // The capture carries P and Q (the list's reactive export): the estimate is well below the bound.
  expect(full.reactivePowerExportVar).toBeGreaterThan(0);
  expect(h.phases.l2.currentA!).toBeLessThan(i1 + i3 - 2);
  expect(h.phases.l2.currentA!).toBeGreaterThan(0);
  // (currentA is published rounded to 0.1 A, headroomA floored from the unrounded current.)
  expect(Math.abs(h.phases.l2.headroomA - (50 - 3 - h.phases.l2.currentA!))).toBeLessThanOrEqual(0.15);
  const b = stepHeadroom(a.state, { nowMs: NOW + 2500, reading: short }, s).headroom;
  expect(b.status).toBe('estimated');
  expect(b.phases.l1.currentSource).toBe('estimated');
  expect(b.phases.l2.currentSource).toBe('estimated');
  expect(b.phases.l2.currentA).toBe(h.phases.l2.currentA);
  // Power fell from the full list's to the short list's: a fall is not spread (it may all have
  // been one line's), so the estimates keep the measured currents.
  expect(short.powerImportW!).toBeLessThan(full.powerImportW!);
  expect(b.phases.l1.currentA!).toBe(h.phases.l1.currentA!);
  expect(b.phases.l3.currentA!).toBe(h.phases.l3.currentA!);
});

test('Kaifa MA304H3E (IT, sends a small real L2 current): used as measured', () => {
  const full = decode('han/ams-han-decoder/KFM_001__MA304H3E-1-ok-L121-1.hex')[0]!;
  const s = settingsOf({ fuseA: 40, gridType: 'IT', marginA: 2 });
  const h = stepHeadroom(createHeadroomState(), { nowMs: NOW, reading: full }, s).headroom;
  expect(h.phases.l2.currentSource).toBe(full.l2?.currentA ? 'measured' : 'bound');
  expect(h.phases.l1.headroomA).toBe(Math.floor((40 - 2 - full.l1!.currentA!) * 10) / 10);
});

test('Kaifa MA304T4 (IT, star-point voltages ~138 V): power budgets use line-to-line volts', () => {
  const full = decode('han/ams-han-decoder/KFM_001__MA304T4-3-ok-L120-1.hex')[0]!;
  expect(full.l1!.voltageV!).toBeLessThan(180);
  const s = settingsOf({ fuseA: 40, gridType: 'IT', powerLimitKw: 5 });
  const h = stepHeadroom(createHeadroomState(), { nowMs: NOW, reading: full }, s).headroom;
  const budgetW = 5000 - full.powerImportW!;
  const vLL = full.l1!.voltageV! * Math.sqrt(3);
  expect(h.tariff?.onePhaseA).toBeCloseTo(Math.floor((budgetW / vLL) * 10) / 10, 0);
  expect(h.tariff!.onePhaseA).toBeLessThan(budgetW / 200);
});

test('DSMR 5 telegram (TN, all lines measured)', () => {
  const r = decode('p1/ndokter-dsmr_parser/telegram_v5.txt')[0]!;
  const h = stepHeadroom(createHeadroomState(), { nowMs: NOW, reading: r }, settingsOf({ fuseA: 25, marginA: 2 })).headroom;
  expect(h.status).toBe('ok');
  expect([h.phases.l1, h.phases.l2, h.phases.l3].map((l) => l.currentSource)).toEqual(['measured', 'measured', 'measured']);
  // The telegram sends each line's power: the current is never less than the meter's whole amperes.
  expect(h.phases.l3.currentA!).toBeGreaterThanOrEqual(r.l3!.currentA!);
  expect(h.phases.l3.headroomA).toBe(Math.floor((25 - 2 - h.phases.l3.currentA!) * 10 + 1e-6) / 10);
  expect(h.threePhaseA).toBe(6); // first frame: start at the minimum
});

test('Fluvius telegram (Belgium): the month peak above the target is the one defended', () => {
  const r = decode('p1/ndokter-dsmr_parser/telegram_fluvius_v171.txt')[0]!;
  expect(r.monthPeakW).toBeGreaterThan(2500);
  const s = settingsOf({ fuseA: 40, tariff: { scheme: 'belgium', targetKw: 2.5 } });
  const h = stepHeadroom(createHeadroomState(), { nowMs: NOW, reading: r }, s).headroom;
  expect(h.tariff?.targetW).toBe(r.monthPeakW);
  expect(h.tariff?.quarterAverageW).toBe(r.averageDemandW);
});
