/**
 * Issue 13, defect 2: lists that send per-phase voltage and current without a scaler_unit gave
 * no voltage or current at all. Now:
 * - where the maker documents the units they are applied: Kaifa's KFM_001 lists (0.1 V, 1 mA)
 *   also when they come as OBIS name/value pairs (Sweden, MA304H4);
 * - where units differ by model (Landis+Gyr E360 sends 0.1 V, E450 and E570 1 V; E570 amperes,
 *   E450 hundredths) they are inferred from physics and the reading says so
 *   (`inferredUnits`): the voltage is the one scale that puts it near the nominal voltage,
 *   the current the one scale that satisfies |P| <= U x I where the next smaller one cannot;
 * - where physics cannot tell the units apart the values stay absent and the reading says so
 *   (`unknownUnits`); a 0 is 0 in every unit.
 * The readings are compared with what the sources state (sidecars).
 */
import { join } from 'node:path';
import { capture, expectedPaths, vectorReading, VECTORS, onlyReading } from '../../tools/captures/han-captures';
import { decodeRawApdu } from '../../decoders/dlms/raw-apdu';
import type { MeterReading } from '../../decoders/reading';

const DC = 'han/smartmeter-datacollector';
const AMS = 'han/amsreader-firmware';

function checkSidecar(dir: string, name: string): MeterReading {
  const r = vectorReading(dir, name);
  for (const [actual, wanted] of expectedPaths(r, capture(join(VECTORS, ...dir.split('/')), name).sidecar.expected_reading)) expect(actual).toEqual(wanted);
  return r;
}

test("Kaifa MA304H4 (Sweden), OBIS pairs without scaler_unit: Kaifa's documented 0.1 V and 1 mA", () => {
  const r = checkSidecar(AMS, 'kaifa-ma304h4-se-gh242-1');
  expect(r.l1).toMatchObject({ voltageV: 232.2, currentA: 0.032 });
  expect(r.inferredUnits).toBeUndefined(); // documented, not inferred
  expect(r.unknownUnits).toBeUndefined();
});

test.each([
  ['lg-e360-ch-vse2026', 0.1, 0.01],
  ['lg-e570-ch-vse2026-load', 1, 1],
  ['iskra-am550-ch-vse2026', 0.1, 0.01],
])('%s: voltage unit %p and current unit %p inferred, said so, values as the source states', (name, volt, amp) => {
  const r = checkSidecar(DC, name);
  expect(r.inferredUnits).toEqual({ voltageV: volt, currentA: amp });
  // physics holds for what we report
  let va = 0;
  for (const p of [r.l1, r.l2, r.l3]) va += (p?.voltageV ?? 0) * (p?.currentA ?? 0);
  expect(va).toBeGreaterThanOrEqual(r.powerImportW! + r.powerExportW!);
});

test('totals only and current on several phases (E450 CH, #740 and VSE 2026): 0.001 A ruled out, 0.01 A vs 0.1 A not told apart: absent, and said so', () => {
  const gh740 = checkSidecar(AMS, 'lg-e450-ch-gbt-gh740');
  expect(gh740.unknownUnits).toEqual(['currentA']);
  expect(gh740.l1).toBeUndefined();
  const vse = checkSidecar(DC, 'lg-e450-ch-vse2026');
  expect(vse.inferredUnits).toEqual({ voltageV: 1 });
  expect(vse.unknownUnits).toEqual(['currentA']);
  expect(vse.l1).toEqual({ voltageV: 236 });
  expect(vse.l3).toEqual({ voltageV: 0, currentA: 0 }); // 0 is 0 A in any unit
});

test('all-zero currents are 0 A whatever the unit: no inference needed, none claimed', () => {
  const r = checkSidecar(DC, 'lg-e570-ch-vse2026');
  expect(r.inferredUnits).toEqual({ voltageV: 1 });
  expect([r.l1?.currentA, r.l2?.currentA, r.l3?.currentA]).toEqual([0, 0, 0]);
});

/** A built list: { 0-6:25.9.0 descriptors for U1 and I1 and P+, then the values } (values from the E360 capture). */
function describedList(u: number, i: number, p: number): Uint8Array {
  const desc = (cls: number, name: number[], attr: number) => [0x02, 0x04, 0x12, 0x00, cls, 0x09, 0x06, ...name, 0x0f, attr, 0x12, 0x00, 0x00];
  const items = [desc(40, [0, 6, 25, 9, 0, 255], 2), desc(3, [1, 0, 32, 7, 0, 255], 2), desc(3, [1, 0, 31, 7, 0, 255], 2), desc(3, [1, 0, 1, 7, 0, 255], 2)];
  return Uint8Array.from([
    0x0f,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    0x02,
    0x04,
    0x01,
    0x04,
    ...items.flat(),
    0x12,
    u >> 8,
    u & 0xff,
    0x12,
    i >> 8,
    i & 0xff,
    0x06,
    0,
    0,
    p >> 8,
    p & 0xff,
  ]);
}

test("a current physics cannot pin (P = 0, or P far below every unit's U x I) stays absent and the reading says so", () => {
  for (const p of [0, 3]) {
    const r = onlyReading(decodeRawApdu(describedList(2357, 40, p)));
    expect(r.l1?.voltageV).toBe(235.7);
    expect(r.l1?.currentA).toBeUndefined();
    expect(r.unknownUnits).toEqual(['currentA']);
    expect(r.inferredUnits).toEqual({ voltageV: 0.1 });
  }
  // the same list under load pins it: 900 W at 235.7 V needs 3.8 A; raw 400 is 4.00 A in 0.01 A
  const loaded = onlyReading(decodeRawApdu(describedList(2357, 400, 900)));
  expect(loaded.l1?.currentA).toBe(4);
  expect(loaded.inferredUnits).toEqual({ voltageV: 0.1, currentA: 0.01 });
});

test('a voltage no scale brings near the nominal voltage is left absent, not guessed', () => {
  const r = onlyReading(decodeRawApdu(describedList(600, 400, 900))); // 600 V, 60.0 V or 6.00 V: none is a phase voltage
  expect(r.l1?.voltageV).toBeUndefined();
  expect(r.unknownUnits).toContain('voltageV');
});
