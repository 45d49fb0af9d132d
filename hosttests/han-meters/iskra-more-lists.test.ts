/**
 * Issue 13, defect 5: Iskra lists from Slovenia and Croatia that were "not recognised", and the
 * COSEM logical device name (0-0:42.0.0) as the meter id when no 0-0:96.1.x is sent. Real
 * frames from amsreader-firmware #869 and #1072; every value against the sidecar, and the
 * positions against the meters' own arithmetic (tariff registers add up to the total, phases
 * add up to the total power, P <= U x I per phase).
 */
import { join } from 'node:path';
import type { MeterReading } from '../../decoders/reading';
import { APDUS, VECTORS, apduReading, capture, expectedPaths, vectorReading } from '../../tools/captures/han-captures';

const AMS_APDUS = 'amsreader-firmware';

function matchesSidecar(r: MeterReading, sidecar: { expected_reading: Record<string, unknown> }): void {
  for (const [actual, wanted] of expectedPaths(r, sidecar.expected_reading)) expect(actual).toEqual(wanted);
}

test.each(['iskra-am550-energy4-gh869-3', 'iskra-am550-energy4-gh869-4'])('4-item energy list on the wire (%s): meter number, A+, A-', (name) => {
  const r = vectorReading('han/amsreader-firmware', name);
  matchesSidecar(r, capture(join(VECTORS, 'han', 'amsreader-firmware'), name).sidecar);
  expect(r.powerImportW).toBeUndefined();
  expect(r.frameKind).toBe('full');
});

test.each(['iskra-am550-energy4-gh869-7', 'iskra-am550-energy9-gh869-6', 'iskra-am550-1phase-list1-gh869-8', 'iskra-ie5-hr-gh1072-3', 'iskra-ie5-hr-gh1072-4'])(
  '%s: recognised, values as the sidecar states',
  (name) => {
    const r = apduReading(AMS_APDUS, name);
    matchesSidecar(r, capture(join(APDUS, AMS_APDUS), name).sidecar);
  },
);

test('the 4-item list and the 9-item list of the same meter agree (the positions are what we say)', () => {
  const four = apduReading(AMS_APDUS, 'iskra-am550-energy4-gh869-7');
  const nine = apduReading(AMS_APDUS, 'iskra-am550-energy9-gh869-6');
  expect(Math.abs(nine.energyImportWh! - four.energyImportWh!)).toBeLessThanOrEqual(1);
  expect(nine.energyExportWh).toBe(four.energyExportWh);
  expect(nine.energyImportTariffWh![0] + nine.energyImportTariffWh![1]).toBe(nine.energyImportWh);
  expect(nine.energyExportTariffWh![0] + nine.energyExportTariffWh![1]).toBe(nine.energyExportWh);
});

test('IE.5 33-item list: registers and phases add up, P <= U x I on every phase', () => {
  for (const name of ['iskra-ie5-hr-gh1072-3', 'iskra-ie5-hr-gh1072-4']) {
    const r = apduReading(AMS_APDUS, name);
    expect(r.energyImportTariffWh![0] + r.energyImportTariffWh![1]).toBe(r.energyImportWh);
    expect(r.energyExportTariffWh![0] + r.energyExportTariffWh![1]).toBe(r.energyExportWh);
    expect(Math.abs(r.l1!.powerImportW! + r.l2!.powerImportW! + r.l3!.powerImportW! - r.powerImportW!)).toBeLessThanOrEqual(1);
    for (const p of [r.l1!, r.l2!, r.l3!]) expect(p.powerImportW!).toBeLessThanOrEqual(p.voltageV! * p.currentA!);
    expect(r.phaseCount).toBe(3);
  }
});

test('0-0:42.0.0 (logical device name) is the meter id when the list sends no 0-0:96.1.x', () => {
  expect(vectorReading('han/smartmeter-datacollector', 'lg-e570-ch-vse2026-load').meterId).toBe('LGZ1030769231250');
  expect(vectorReading('han/smartmeter-datacollector', 'lg-e360-ch-vse2026').meterId).toBe('LGZ1030163598905');
  expect(vectorReading('han/smartmeter-datacollector', 'iskra-am550-ch-vse2026').meterId).toBe('ISK1030783821282');
  // 0-0:96.1.1 sent as well: that one is the meter id
  expect(vectorReading('han/smartmeter-datacollector', 'lg-e450-ch-vse2026').meterId).toBe('1909113');
});
