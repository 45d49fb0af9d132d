/**
 * Issue 13, defect 1: described lists (a push setup's capture-object descriptors, then one value
 * per descriptor) whose push setup is 0-8:25.9.0 were read one descriptor off. Element 0 of the
 * list is the descriptor array itself (the value of the first descriptor, the push setup's
 * push_object_list) whatever the push setup is called; the code paired descriptors and values
 * right only for 0-6:25.9.0. Real Landis+Gyr E450 / E570 pushes from Switzerland
 * (scs/smartmeter-datacollector, amsreader-firmware #740, #934), each value checked against what
 * the source states.
 */
import { apduReading, expectedPaths, vectorReading, capture, APDUS, VECTORS } from '../../tools/captures/han-captures';
import { join } from 'node:path';

const DC = 'han/smartmeter-datacollector';
const AMS = 'han/amsreader-firmware';

test.each([
  [DC, 'lg-e570-ch-vse2026-load'],
  [DC, 'lg-e570-ch-vse2026'],
  [DC, 'lg-e570-ch-encrypted'],
  [DC, 'lg-e450-ch-vse2026'],
  [DC, 'lg-e450-ch-2022'],
  [DC, 'lg-e450-ch-2021'],
  [AMS, 'lg-e450-ch-gbt-gh740'],
])('%s/%s: every value with its own descriptor', (dir, name) => {
  const reading = vectorReading(dir, name);
  const expected = capture(join(VECTORS, ...dir.split('/')), name).sidecar.expected_reading;
  for (const [actual, wanted] of expectedPaths(reading, expected)) expect(actual).toEqual(wanted);
});

test('the E570 under load: import power 258,874 W as the meter says (was 0 W), export power 0 W (was the L1 voltage)', () => {
  const r = vectorReading(DC, 'lg-e570-ch-vse2026-load');
  expect(r.powerImportW).toBe(258874);
  expect(r.powerExportW).toBe(0);
  expect(r.energyImportWh).toBe(2607383); // was the export register
});

test('the E450 of 2022: export power 0 W (was 25,149,419 W, the import energy register)', () => {
  const r = vectorReading(DC, 'lg-e450-ch-2022');
  expect(r.powerExportW).toBe(0);
  expect(r.powerImportW).toBe(777);
  expect(r.energyImportWh).toBe(25149419);
});

test('a raw E450 push (#934, no link layer): the same pairing', () => {
  const r = apduReading('amsreader-firmware', 'lg-e450-ch-gh934-1');
  const expected = capture(join(APDUS, 'amsreader-firmware'), 'lg-e450-ch-gh934-1').sidecar.expected_reading;
  for (const [actual, wanted] of expectedPaths(r, expected)) expect(actual).toEqual(wanted);
});

test('0-6:25.9.0 push setups (E360, Iskra AM550 in Switzerland) read as before', () => {
  const e360 = vectorReading(DC, 'lg-e360-ch-vse2026');
  expect(e360.powerImportW).toBe(11);
  expect(e360.energyImportWh).toBe(21956);
  const iskra = vectorReading(DC, 'iskra-am550-ch-2020');
  expect(iskra.energyImportWh).toBe(6229669);
  expect(iskra.energyImportTariffWh).toEqual([3097647, 3132022]);
});
