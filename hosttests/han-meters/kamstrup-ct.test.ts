/**
 * Issue 13, defect 4: a Kamstrup meter with current transformers (amsreader-firmware #216, a
 * 250 A fuse site with PV and wind) decoded to 910-940 A per phase, while the same frame's
 * powers allow ~91-94 A: a CT meter's current unit is 0.001 A, not the 0.01 A of Kamstrup's
 * direct meters. The unit is taken from physics: the frame's apparent power
 * sqrt(P^2 + Q^2) = 63.4 kVA must fit under the sum of U x I; 0.001 A gives 64.7 kVA (and
 * 0.0001 A only 6.5 kVA), 0.01 A would claim 647 kVA. Direct meters keep 0.01 A (checked on
 * every Kamstrup capture), and the reading says when the unit was inferred.
 */
import { join } from 'node:path';
import type { MeterReading } from '../../decoders/reading';
import { apduReading, capture, expectedPaths, VECTORS, vectorReading } from '../../tools/captures/han-captures';
import { loadHanVectors, decodeAll } from '../han/vectors';

function apparentVA(r: MeterReading): number {
  let s = 0;
  for (const p of [r.l1, r.l2, r.l3]) if (p?.voltageV !== undefined && p.currentA !== undefined) s += p.voltageV * p.currentA;
  return s;
}

test('the CT meter: ~91-94 A per phase, and the unit is said to be inferred', () => {
  const r = vectorReading('han/amsreader-firmware', 'kamstrup-ct-gh216-1');
  const expected = capture(join(VECTORS, 'han', 'amsreader-firmware'), 'kamstrup-ct-gh216-1').sidecar.expected_reading;
  for (const [actual, wanted] of expectedPaths(r, expected)) expect(actual).toEqual(wanted);
  const s = Math.hypot(r.powerExportW! - r.powerImportW!, r.reactivePowerImportVar! - r.reactivePowerExportVar!);
  expect(apparentVA(r)).toBeGreaterThanOrEqual(s);
  expect(apparentVA(r)).toBeLessThan(1.1 * s);
  expect(r.inferredUnits).toEqual({ currentA: 0.001 });
});

test('every direct Kamstrup capture keeps 0.01 A (and U x I covers its power)', () => {
  const kamstrup = loadHanVectors().filter((v) => /kamstrup/i.test(v.name) && !/ct-gh216/.test(v.name));
  expect(kamstrup.length).toBeGreaterThanOrEqual(8);
  for (const v of kamstrup) {
    for (const res of decodeAll(v)) {
      if (!res.ok) continue;
      const r = res.reading;
      if (r.l1?.currentA === undefined) continue;
      expect({ name: v.name, unit: r.inferredUnits?.currentA ?? 0.01 }).toEqual({ name: v.name, unit: 0.01 });
      expect(apparentVA(r)).toBeGreaterThanOrEqual((r.powerImportW ?? 0) - 1);
    }
  }
  for (const name of ['kamstrup-ch-gh350-2-plaintext', 'kamstrup-dk-gh517-2-plaintext']) {
    const r = apduReading('amsreader-firmware', name);
    expect({ name, unit: r.inferredUnits?.currentA ?? 0.01 }).toEqual({ name, unit: 0.01 });
    expect(apparentVA(r)).toBeGreaterThanOrEqual(Math.max(r.powerImportW ?? 0, r.powerExportW ?? 0));
  }
});
