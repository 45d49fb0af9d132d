// Line currents of TN and IT installations with resistive and reactive loads, and the largest
// charger current that fits.
import { lineCurrents, maxChargerA } from '../../tools/simulate/wiring';

const out = new Float64Array(3);
const none = [0, 0, 0];

test('TN: a line carries the magnitude of its phase load', () => {
  lineCurrents('tn', [10, 0, 3], none, out);
  expect(Array.from(out)).toEqual([10, 0, 3]);
  // 8 A in phase and 6 A lagging (power factor 0.8) is 10 A on the line.
  lineCurrents('tn', [8, 0, 0], [6, 0, 0], out);
  expect(out[0]).toBeCloseTo(10, 9);
});

test('IT: a 230 V load between L1 and L2 loads both lines with its full current', () => {
  lineCurrents('it', [10, 0, 0], none, out);
  expect(out[0]).toBeCloseTo(10, 9);
  expect(out[1]).toBeCloseTo(10, 9);
  expect(out[2]).toBeCloseTo(0, 9);
});

test('IT: a balanced three-phase load of branch current b gives sqrt(3) b per line', () => {
  lineCurrents('it', [10, 10, 10], none, out);
  for (const a of out) expect(a).toBeCloseTo(10 * Math.sqrt(3), 9);
  // Balanced and reactive: the same, with the branch magnitude.
  lineCurrents('it', [8, 8, 8], [6, 6, 6], out);
  for (const a of out) expect(a).toBeCloseTo(10 * Math.sqrt(3), 9);
});

test('IT: two loads on L1 (L1-L2 and L3-L1) add as phasors 120 degrees apart; a lagging one turns the sum', () => {
  lineCurrents('it', [10, 0, 10], none, out);
  expect(out[0]).toBeCloseTo(Math.sqrt(300), 9); // not 20 A, not 10 A
  // L3-L1 purely inductive (10 A lagging 90 degrees): |10 e^(j30) - 10 e^(j(150-90))| = 10 * 2 sin(15 deg).
  lineCurrents('it', [10, 0, 0], [0, 0, 10], out);
  expect(out[0]).toBeCloseTo(20 * Math.sin((15 * Math.PI) / 180), 9);
});

test('TN three-phase charger: the fullest line decides; reactive current leaves less room', () => {
  expect(maxChargerA('tn', [10, 20, 5], none, [1, 1, 1], 25)).toBeCloseTo(5, 9);
  expect(maxChargerA('tn', [10, 26, 5], none, [1, 1, 1], 25)).toBe(0);
  // A line the charger does not use does not limit it.
  expect(maxChargerA('tn', [10, 26, 5], none, [1, 0, 0], 25)).toBeCloseTo(15, 9);
  // 7 A lagging on L1: (10 + x)^2 + 7^2 = 25^2.
  expect(maxChargerA('tn', [10, 0, 0], [7, 0, 0], [1, 0, 0], 25)).toBeCloseTo(24 - 10, 9);
});

test('IT one-phase charger on L1-L2: the largest x that keeps L1 and L2 under the fuse', () => {
  const house = [5, 8, 6];
  const x = maxChargerA('it', house, none, [1, 0, 0], 40);
  lineCurrents('it', [house[0] + x, house[1], house[2]], none, out);
  expect(Math.max(out[0], out[1])).toBeCloseTo(40, 6);
  expect(out[0] <= 40 + 1e-6 && out[1] <= 40 + 1e-6).toBe(true);
  // Closed form for L2: (a+x)^2 + (a+x) b + b^2 = F^2.
  const b = house[1];
  const c = house[2];
  const limitFromL2 = (-b + Math.sqrt(4 * 1600 - 3 * b * b)) / 2 - house[0];
  const limitFromL1 = (-c + Math.sqrt(4 * 1600 - 3 * c * c)) / 2 - house[0];
  expect(x).toBeCloseTo(Math.min(limitFromL1, limitFromL2), 6);
});

test('IT three-phase charger (delta, 1/sqrt(3) A per branch for 1 A per line): x is the line current', () => {
  const w = [1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)];
  expect(maxChargerA('it', none, none, w, 40)).toBeCloseTo(40, 6);
});
