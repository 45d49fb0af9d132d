// Line currents of TN and IT installations, and the largest charger current that fits.
import { lineCurrents, maxChargerA } from '../../tools/simulate/wiring';

const out = new Float64Array(3);

test('TN: a line carries the sum of its phase loads', () => {
  lineCurrents('tn', [10, 0, 3], out);
  expect(Array.from(out)).toEqual([10, 0, 3]);
});

test('IT: a 230 V load between L1 and L2 loads both lines with its full current', () => {
  lineCurrents('it', [10, 0, 0], out);
  expect(out[0]).toBeCloseTo(10, 9);
  expect(out[1]).toBeCloseTo(10, 9);
  expect(out[2]).toBeCloseTo(0, 9);
});

test('IT: a balanced three-phase load of branch current b gives sqrt(3) b per line', () => {
  lineCurrents('it', [10, 10, 10], out);
  for (const a of out) expect(a).toBeCloseTo(10 * Math.sqrt(3), 9);
});

test('IT: two loads on L1 (L1-L2 and L3-L1) add as phasors 120 degrees apart', () => {
  lineCurrents('it', [10, 0, 10], out);
  expect(out[0]).toBeCloseTo(Math.sqrt(300), 9); // not 20 A, not 10 A
});

test('TN three-phase charger: the fullest line decides', () => {
  expect(maxChargerA('tn', [10, 20, 5], [1, 1, 1], 25)).toBeCloseTo(5, 9);
  expect(maxChargerA('tn', [10, 26, 5], [1, 1, 1], 25)).toBe(0);
  // A line the charger does not use does not limit it.
  expect(maxChargerA('tn', [10, 26, 5], [1, 0, 0], 25)).toBeCloseTo(15, 9);
});

test('IT one-phase charger on L1-L2: the largest x that keeps L1 and L2 under the fuse', () => {
  const house = [5, 8, 6];
  const x = maxChargerA('it', house, [1, 0, 0], 40);
  lineCurrents('it', [house[0] + x, house[1], house[2]], out);
  expect(Math.max(out[0], out[1])).toBeCloseTo(40, 6);
  expect(out[0] <= 40 + 1e-6 && out[1] <= 40 + 1e-6).toBe(true);
  // Closed form for L2: (a+x)^2 + (a+x) b + b^2 = F^2.
  const b = house[1];
  const c = house[2];
  const limitFromL2 = (-b + Math.sqrt(4 * 1600 - 3 * b * b)) / 2 - house[0];
  const limitFromL1 = (-c + Math.sqrt(4 * 1600 - 3 * c * c)) / 2 - house[0];
  expect(x).toBeCloseTo(Math.min(limitFromL1, limitFromL2), 6);
});
