// The SDM630 register image (firmware/app/outputs/sdm630-registers.ts) built from the app's real
// snapshots of real captures: what is served, in which unit and sign, and what is served when the
// meter did not send a value or the answer is past the fail-safe ladder.
import { buildSdm630Image, readSdm630Registers, SDM630_REGISTERS as R, totalEnergyWh } from '../../firmware/app/outputs/sdm630-registers';
import type { Sdm630Image } from '../../firmware/app/outputs/sdm630-registers';
import { AIDON_IT_LIST2, DSMR_EXPORT, DSMR_V5, harness } from './fixtures';

function float(image: Sdm630Image, register: number): number {
  const bytes = readSdm630Registers(image, register, 2);
  if (!bytes) throw new Error('register outside the map: ' + register);
  return new DataView(bytes.buffer, bytes.byteOffset).getFloat32(0, false);
}

describe('SDM630 register image', () => {
  test('DSMR 5 (Iskra, importing): voltages, engine currents as magnitudes, per-line and total power, energy as the sum of the tariff registers', () => {
    const h = harness([]);
    h.feedDsmr(DSMR_V5);
    const snap = h.app.snapshot();
    const r = snap.reading!;
    const image = buildSdm630Image(snap, 230);
    expect(image.live).toBe(true);
    expect(float(image, R.voltageL1)).toBeCloseTo(r.l1!.voltageV!, 3);
    expect(float(image, R.voltageL3)).toBeCloseTo(r.l3!.voltageV!, 3);
    // the engine's current, which it publishes rounded to 0.1 A (so at most 0.05 A from the meter's)
    for (const [reg, phase, engine] of [
      [R.currentL1, r.l1!, snap.headroom.phases.l1],
      [R.currentL2, r.l2!, snap.headroom.phases.l2],
      [R.currentL3, r.l3!, snap.headroom.phases.l3],
    ] as const) {
      expect(float(image, reg)).toBeCloseTo(engine.currentA!, 5);
      expect(Math.abs(float(image, reg) - phase.currentA!)).toBeLessThanOrEqual(0.05 + 1e-6);
    }
    expect(float(image, R.powerL1)).toBe(r.l1!.powerImportW! - r.l1!.powerExportW!);
    expect(float(image, R.powerL3)).toBe(r.l3!.powerImportW! - r.l3!.powerExportW!);
    expect(float(image, R.totalPower)).toBe(r.powerImportW! - r.powerExportW!);
    // 1-0:1.8.1 000004.426 + 1-0:1.8.2 000002.399 kWh; export 2.444 + 0
    expect(float(image, R.importEnergy)).toBeCloseTo(6.825, 3);
    expect(float(image, R.exportEnergy)).toBeCloseTo(2.444, 3);
    expect(float(image, R.totalEnergy)).toBeCloseTo(9.269, 3);
    // sum and average of the served currents
    const sum = float(image, R.currentL1) + float(image, R.currentL2) + float(image, R.currentL3);
    expect(float(image, R.sumCurrent)).toBeCloseTo(sum, 4);
    expect(float(image, R.averageCurrent)).toBeCloseTo(sum / 3, 4);
    // not sent by a DSMR meter: NaN, not 0
    expect(Number.isNaN(float(image, R.frequency))).toBe(true);
    expect(Number.isNaN(float(image, R.totalReactivePower))).toBe(true);
    expect(Number.isNaN(float(image, R.totalPowerFactor))).toBe(true);
  });

  test('exporting lines (Sagemcom T210-D): current magnitude, the direction in the line power, as SmartEVSE reads an SDM630', () => {
    const h = harness([]);
    h.feedDsmr(DSMR_EXPORT);
    const snap = h.app.snapshot();
    const r = snap.reading!;
    const image = buildSdm630Image(snap, 230);
    for (const [cur, pow, phase] of [
      [R.currentL1, R.powerL1, r.l1!],
      [R.currentL2, R.powerL2, r.l2!],
      [R.currentL3, R.powerL3, r.l3!],
    ] as const) {
      expect(float(image, cur)).toBeGreaterThan(0);
      expect(float(image, pow)).toBe(-phase.powerExportW!);
      expect(float(image, pow)).toBeLessThan(0);
    }
    expect(float(image, R.totalPower)).toBe(-r.powerExportW!);
  });

  test("Norwegian IT grid (Aidon list 2, no L2 current): L2 is the engine's bound, never 0; per-line power from |I| x U", () => {
    const h = harness([], (doc) => {
      doc.headroom.gridType = 'IT';
      doc.headroom.fuseA = 40;
    });
    h.feed(AIDON_IT_LIST2);
    const snap = h.app.snapshot();
    expect(snap.reading!.l2?.currentA).toBeUndefined();
    const image = buildSdm630Image(snap, 230);
    const l2 = float(image, R.currentL2);
    expect(l2).toBeGreaterThan(0);
    expect(l2).toBeCloseTo(snap.headroom.phases.l2.currentA!, 4);
    expect(image.currentFrom).toEqual(['meter', 'meter', 'meter']);
    // HAN list 2 carries no per-line power: |I| x U, positive (a line not measured is never export)
    expect(float(image, R.powerL2)).toBeCloseTo(l2 * float(image, R.voltageL2), 1);
    expect(float(image, R.powerL1)).toBeGreaterThan(0);
  });

  test('past the fail-safe ladder every line is served as the fuse rating with a positive power; no data yet too', () => {
    const h = harness([], (doc) => {
      doc.headroom.fuseA = 35;
    });
    const before = buildSdm630Image(h.app.snapshot(), 230);
    expect(before.live).toBe(false);
    expect(before.currentA).toEqual([35, 35, 35]);
    h.feedDsmr(DSMR_EXPORT);
    expect(buildSdm630Image(h.app.snapshot(), 230).live).toBe(true);
    h.advance(31_000); // default safeFallbackAfterS 30
    const snap = h.app.snapshot();
    expect(snap.headroom.status).toBe('safe-fallback');
    const image = buildSdm630Image(snap, 230);
    expect(image.live).toBe(false);
    expect(image.currentFrom).toEqual(['fuse-rating', 'fuse-rating', 'fuse-rating']);
    for (const [cur, pow, volt] of [
      [R.currentL1, R.powerL1, R.voltageL1],
      [R.currentL2, R.powerL2, R.voltageL2],
      [R.currentL3, R.powerL3, R.voltageL3],
    ]) {
      expect(float(image, cur)).toBe(35);
      expect(float(image, pow)).toBeCloseTo(35 * float(image, volt), 1);
    }
    // the export the meter last saw is not served as a surplus any more
    expect(float(image, R.totalPower)).toBeGreaterThan(0);
  });

  test('1-phase supply: L2 and L3 are 0 V, 0 A, 0 W (lines that do not exist)', () => {
    const h = harness([], (doc) => {
      doc.headroom.phases = 1;
    });
    h.feedDsmr(DSMR_V5);
    const image = buildSdm630Image(h.app.snapshot(), 230);
    expect(float(image, R.currentL1)).toBeGreaterThan(0);
    for (const reg of [R.currentL2, R.currentL3, R.voltageL2, R.voltageL3, R.powerL2, R.powerL3]) expect(float(image, reg)).toBe(0);
    expect(image.currentFrom).toEqual(['meter', 'no-line', 'no-line']);
  });

  test('DSMR 2.2 without voltages: the nominal voltage', () => {
    const h = harness([]);
    h.feedDsmr(DSMR_V5);
    const snap = h.app.snapshot();
    for (const l of ['l1', 'l2', 'l3'] as const) delete snap.reading![l]!.voltageV;
    const image = buildSdm630Image(snap, 231.5);
    expect(float(image, R.voltageL1)).toBe(231.5);
    expect(float(image, R.voltageL3)).toBe(231.5);
  });

  test('reads: inside the two windows any start and length; outside, undefined (exception 02)', () => {
    const h = harness([]);
    h.feedDsmr(DSMR_V5);
    const image = buildSdm630Image(h.app.snapshot(), 230);
    expect(readSdm630Registers(image, 0, 0x50)!.length).toBe(160);
    expect(readSdm630Registers(image, 0x0156, 0x16)!.length).toBe(44);
    expect(readSdm630Registers(image, 0x4f, 2)).toBeUndefined();
    expect(readSdm630Registers(image, 0x0100, 2)).toBeUndefined();
    expect(readSdm630Registers(image, 0x0154, 4)).toBeUndefined();
    // an odd start gives the raw halves, as a real meter's register file would
    expect(Array.from(readSdm630Registers(image, 7, 1)!)).toEqual(Array.from(readSdm630Registers(image, 6, 2)!.slice(2)));
  });

  test('total energy: the meter total, else the sum of complete tariff registers, else absent', () => {
    expect(totalEnergyWh(5000, [1, 2])).toBe(5000);
    expect(totalEnergyWh(undefined, [4426, 2399])).toBe(6825);
    expect(totalEnergyWh(undefined, [4426, NaN])).toBeUndefined();
    expect(totalEnergyWh(undefined, [])).toBeUndefined();
    expect(totalEnergyWh(undefined, undefined)).toBeUndefined();
  });
});
