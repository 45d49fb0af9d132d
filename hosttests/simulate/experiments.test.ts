// The experimental controllers do what docs/simulation.md says they do.
import type { MeterReading } from '../../decoders/reading';
import { engineSettingsFor } from '../../tools/simulate/engine-controller';
import { createHoldOffEngine, createWorstCaseShortFrameEngine } from '../../tools/simulate/experiments';
import { nlTnHouse } from '../../tools/simulate/profiles';

const T0 = Date.UTC(2026, 10, 23, 12);
const charger: [number, number, number] = [16, 16, 16];

function full(lineA: number): MeterReading {
  const phase = { currentA: lineA, voltageV: 230 };
  return { protocol: 'dlms', powerImportW: Math.round(3 * lineA * 230), l1: { ...phase }, l2: { ...phase }, l3: { ...phase }, phaseCount: 3, frameKind: 'full' };
}

test('engine-worst: a one-phase-sized rise seen only as total power pulls the three-phase charger down at once', () => {
  const c = createWorstCaseShortFrameEngine(nlTnHouse, engineSettingsFor(nlTnHouse));
  let a = 0;
  // Settle: house 1 A per line, charger 16 A, for two minutes of full lists.
  for (let s = 0; s <= 120; s += 10) a = c.onFrame(T0 + s * 1000, full(17), charger);
  expect(a).toBeGreaterThanOrEqual(16);
  // A 3 kW hob zone comes on somewhere: a short frame shows 3 kW more.
  const short: MeterReading = { protocol: 'dlms', powerImportW: Math.round(3 * 17 * 230) + 3000, frameKind: 'short' };
  a = c.onFrame(T0 + 122000, short, charger);
  // Worst case: +13 A on a line: 25 - 2 - (1 + 13) = 9 A for the charger.
  expect(a).toBeLessThanOrEqual(9.5);
  expect(a).toBeGreaterThanOrEqual(6);
});

test('engine-holdoff: after a drop it does not rise again for the hold-off time', () => {
  const c = createHoldOffEngine(nlTnHouse, engineSettingsFor(nlTnHouse), 300);
  let a = 0;
  for (let s = 0; s <= 120; s++) a = c.onFrame(T0 + s * 1000, full(17), charger);
  const settled = a;
  // The house goes up by 8 A on every line: the answer drops.
  const dropped = c.onFrame(T0 + 121000, full(25), charger);
  expect(dropped).toBeLessThan(settled);
  // The load goes away again: within 300 s the answer stays at the dropped value...
  let held = 0;
  for (let s = 122; s < 121 + 300; s++) held = Math.max(held, c.onFrame(T0 + s * 1000, full(17), charger));
  expect(held).toBeLessThanOrEqual(dropped);
  // ...and afterwards it rises again.
  let after = 0;
  for (let s = 421; s < 600; s++) after = c.onFrame(T0 + s * 1000, full(17), charger);
  expect(after).toBeGreaterThan(dropped);
});
