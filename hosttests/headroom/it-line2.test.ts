// The IT L2 estimate (decoders/headroom/it-line2.ts): never above the bound I1 + I3, and never
// below the true L2 for loads the estimate is made for (each 230 V branch between 10 degrees ahead
// of and 50 degrees behind its voltage), either phase order, meter errors within the stated bounds
// (1 % on currents, 2 % on |S|, the value's resolution) and a grid up to 1 degree off 120.
import fc from 'fast-check';
import { CHARGER_L1_L2, CHARGER_L1_L3, CHARGER_L2_L3, CHARGER_THREE_PHASE, estimateItLine2A } from '../../decoders/headroom/it-line2';
import { createHeadroomState, stepHeadroom, validateHeadroomSettings } from '../../decoders/headroom/index';
import type { MeterReading } from '../../decoders/reading';

type C = [number, number];
const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const sub = (a: C, b: C): C => [a[0] - b[0], a[1] - b[1]];
const polar = (m: number, deg: number): C => [m * Math.cos((deg * Math.PI) / 180), m * Math.sin((deg * Math.PI) / 180)];
const abs = (a: C) => Math.hypot(a[0], a[1]);
const conjMul = (v: C, i: C): C => [v[0] * i[0] + v[1] * i[1], v[1] * i[0] - v[0] * i[1]]; // v * conj(i)

/** A house on 3x230 V IT: branch currents (A, degrees behind their voltage) -> what a 2-element meter sends, and the true L2. */
function meterView(
  branches: { a: number; lagDeg: number }[],
  order: 1 | -1,
  skewDeg: [number, number, number],
  err: [number, number, number, number],
  vScale: readonly number[] = [1, 1, 1],
) {
  const V = 230;
  // Branch voltages V12, V23, V31 at 30, -90, 150 degrees (L1-L2-L3) or mirrored, each a little off.
  const vAngle = (order === 1 ? [30, -90, 150] : [-30, 90, -150]).map((d, k) => d + (skewDeg[k] as number));
  const x = branches.map((b, k) => polar(b.a, (vAngle[k] as number) - b.lagDeg));
  const i1 = sub(x[0]!, x[2]!);
  const i2 = sub(x[1]!, x[0]!);
  const i3 = sub(x[2]!, x[1]!);
  let s: C = [0, 0];
  for (let k = 0; k < 3; k++) s = add(s, conjMul(polar(V * (vScale[k] as number), vAngle[k] as number), x[k]!));
  return {
    i1A: Math.round(abs(i1) * (1 + err[0]) * 1000) / 1000,
    i3A: Math.round(abs(i3) * (1 + err[1]) * 1000) / 1000,
    powerW: Math.round(s[0] * (1 + err[2])),
    reactiveVar: Math.round(s[1] * (1 + err[3])),
    trueL2A: abs(i2),
  };
}

const branch = fc.record({ a: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 30, noNaN: true })), lagDeg: fc.double({ min: -10, max: 50, noNaN: true }) });
const house = fc.record({
  branches: fc.tuple(branch, branch, branch),
  order: fc.constantFrom(1 as const, -1 as const),
  skewDeg: fc.tuple(
    fc.double({ min: -0.5, max: 0.5, noNaN: true }),
    fc.double({ min: -0.5, max: 0.5, noNaN: true }),
    fc.double({ min: -0.5, max: 0.5, noNaN: true }),
  ),
  err: fc.tuple(
    fc.double({ min: -0.01, max: 0.01, noNaN: true }),
    fc.double({ min: -0.01, max: 0.01, noNaN: true }),
    fc.double({ min: -0.01, max: 0.01, noNaN: true }),
    fc.double({ min: -0.02, max: 0.02, noNaN: true }),
  ),
});

test("the engine's L2 on IT is never above the bound, whatever the four figures and the charger (a property)", () => {
  const s = validateHeadroomSettings({ fuseA: 63, gridType: 'IT' });
  if (!s.ok) throw new Error(s.errors.join('; '));
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 100, noNaN: true }),
      fc.double({ min: 0, max: 100, noNaN: true }),
      fc.integer({ min: -30000, max: 30000 }),
      fc.integer({ min: -20000, max: 20000 }),
      fc.tuple(fc.double({ min: 0, max: 32, noNaN: true }), fc.double({ min: 0, max: 32, noNaN: true }), fc.double({ min: 0, max: 32, noNaN: true })),
      (i1, i3, p, q, charger) => {
        const reading: MeterReading = {
          protocol: 'dlms',
          frameKind: 'full',
          threeWire: true,
          powerImportW: p > 0 ? p : 0,
          powerExportW: p < 0 ? -p : 0,
          reactivePowerImportVar: q > 0 ? q : 0,
          reactivePowerExportVar: q < 0 ? -q : 0,
          l1: { currentA: Math.round(i1 * 1000) / 1000, voltageV: 231 },
          l2: { voltageV: 0 },
          l3: { currentA: Math.round(i3 * 1000) / 1000, voltageV: 229 },
        };
        const h = stepHeadroom(createHeadroomState(), { nowMs: Date.UTC(2026, 10, 23, 12), reading, chargerA: charger }, s.settings).headroom;
        const l = h.phases;
        if (l.l1.currentA === undefined || l.l3.currentA === undefined || l.l2.currentA === undefined) return;
        // The bound over the engine's own L1 and L3 (after the plausibility check), as house parts, with the charger's L2 on top.
        const house = (c: number, own: number) => Math.max(0, c - own);
        const bound = house(l.l1.currentA, charger[0]) + house(l.l3.currentA, charger[2]) + charger[1];
        expect(l.l2.currentA).toBeLessThanOrEqual(Math.round(bound * 10) / 10 + 0.1 + 1e-9);
        expect(['estimated', 'bound']).toContain(l.l2.currentSource);
      },
    ),
    { numRuns: 600 },
  );
});

test('never below the true L2 for loads within the model, either phase order, meter errors, an unequal grid (a property)', () => {
  fc.assert(
    fc.property(house, ({ branches, order, skewDeg, err }) => {
      const m = meterView(branches, order, skewDeg, err);
      const e = estimateItLine2A(m.i1A, m.i3A, m.powerW, m.reactiveVar, 230, 0.001);
      const used = Math.min(m.i1A + m.i3A, e ?? Infinity);
      // (The bound itself rests on the measured I1 and I3: their own 1 % may put it a little below the truth.)
      if (used < m.i1A + m.i3A) expect(used).toBeGreaterThanOrEqual(m.trueL2A - 0.05);
    }),
    { numRuns: 3000 },
  );
});

test('a load between L3 and L1 alone: L2 carries nothing, the bound says twice the load; the estimate is near 0', () => {
  const m = meterView(
    [
      { a: 0, lagDeg: 0 },
      { a: 0, lagDeg: 0 },
      { a: 20, lagDeg: 0 },
    ],
    1,
    [0, 0, 0],
    [0, 0, 0, 0],
  );
  expect(m.trueL2A).toBeCloseTo(0, 9);
  const e = estimateItLine2A(m.i1A, m.i3A, m.powerW, m.reactiveVar, 230, 0.001) as number;
  expect(m.i1A + m.i3A).toBeCloseTo(40, 6);
  expect(e).toBeLessThan(3);
  expect(e).toBeGreaterThanOrEqual(0);
});

test('the same house with the phase order reversed gives the same estimate (a mirror image)', () => {
  const branches = [
    { a: 12, lagDeg: 0 },
    { a: 5, lagDeg: 0 },
    { a: 7, lagDeg: 0 },
  ];
  const a = meterView(branches, 1, [0, 0, 0], [0, 0, 0, 0]);
  const b = meterView(branches, -1, [0, 0, 0], [0, 0, 0, 0]);
  expect(estimateItLine2A(a.i1A, a.i3A, a.powerW, a.reactiveVar, 230, 0.001)).toBeCloseTo(
    estimateItLine2A(b.i1A, b.i3A, b.powerW, b.reactiveVar, 230, 0.001) as number,
    6,
  );
});

test('figures that cannot all hold (|S|/V far above I1 + I3) are not an estimate', () => {
  expect(estimateItLine2A(1, 1, 20000, 0, 230, 0.1)).toBeUndefined();
});

test('a kettle between L3 and L1: the bound counts it twice on L2, the estimate not at all; the L1-L2 charger gets the room', () => {
  const s = validateHeadroomSettings({ fuseA: 40, gridType: 'IT', chargerLine: 'L1-L2' });
  if (!s.ok) throw new Error(s.errors.join('; '));
  // 15 A between L3 and L1 (resistive): I1 = I3 = 15 A, L2 carries nothing; the charger idle.
  const full = (withQ: boolean): MeterReading => {
    const r: MeterReading = {
      protocol: 'dlms',
      frameKind: 'full',
      threeWire: true,
      powerImportW: 3450,
      powerExportW: 0,
      l1: { currentA: 15, voltageV: 230 },
      l2: { voltageV: 0 },
      l3: { currentA: 15, voltageV: 230 },
    };
    if (withQ) {
      r.reactivePowerImportVar = 0;
      r.reactivePowerExportVar = 0;
    }
    return r;
  };
  const answer = (withQ: boolean) => {
    let st = createHeadroomState();
    let h = stepHeadroom(st, { nowMs: Date.UTC(2026, 10, 23, 12), reading: full(withQ) }, s.settings).headroom;
    // A minute of full lists every 10 s: the answer rises to what the lines allow.
    for (let k = 1; k <= 12; k++) {
      const r = stepHeadroom(st, { nowMs: Date.UTC(2026, 10, 23, 12) + k * 10000, reading: full(withQ) }, s.settings);
      st = r.state;
      h = r.headroom;
    }
    return h;
  };
  const bound = answer(false);
  const estimate = answer(true);
  expect(bound.phases.l2.currentSource).toBe('bound');
  expect(bound.phases.l2.currentA).toBe(30);
  expect(estimate.phases.l2.currentSource).toBe('estimated');
  expect(estimate.phases.l2.currentA).toBeLessThan(5);
  // L1 (15 A) now binds the one-phase charger on L1-L2, not L2.
  expect(bound.onePhaseA).toBeLessThanOrEqual(40 - 0.5 - 30 + 0.05);
  expect(estimate.onePhaseA).toBeGreaterThan(bound.onePhaseA + 10);
  expect(estimate.limitedBy).toBe('fuse-l1');
});

// The own charger (it-line2.ts: taken off u and w before the window tests). A one-phase charger on
// branch 0 (L1-L2), 1 (L2-L3) or 2 (L3-L1), or a three-phase one (delta: line current c, c/sqrt(3)
// per branch); resistive to within the estimate's CHARGER_ANGLE (0.1 rad), its report within 2 %.
const WIRING_OF_BRANCH = [CHARGER_L1_L2, CHARGER_L2_L3, CHARGER_L1_L3] as const;
const withCharger = fc.record({
  h: house,
  where: fc.constantFrom(0, 1, 2, 3),
  chargerA: fc.double({ min: 6, max: 32, noNaN: true }),
  angleDeg: fc.double({ min: -5.7, max: 5.7, noNaN: true }),
  reportErr: fc.double({ min: -0.02, max: 0.02, noNaN: true }),
  // Line-to-line voltages up to 1 % apart; the estimate divides by the mean of V12 and V32.
  vScale: fc.tuple(
    fc.double({ min: 0.99, max: 1.01, noNaN: true }),
    fc.double({ min: 0.99, max: 1.01, noNaN: true }),
    fc.double({ min: 0.99, max: 1.01, noNaN: true }),
  ),
});

/** The house's branches with the charger's current added (as a phasor), and what the charger reports. */
function houseAndCharger(c: { h: { branches: { a: number; lagDeg: number }[] }; where: number; chargerA: number; angleDeg: number; reportErr: number }) {
  const three = c.where === 3;
  const perBranch = three ? c.chargerA / Math.sqrt(3) : c.chargerA;
  const branches = c.h.branches.map((b, k) => {
    if (!three && k !== c.where) return b;
    const z = add(polar(b.a, -b.lagDeg), polar(perBranch, -c.angleDeg));
    return { a: abs(z), lagDeg: (-Math.atan2(z[1], z[0]) * 180) / Math.PI };
  });
  return { branches, wiring: three ? CHARGER_THREE_PHASE : WIRING_OF_BRANCH[c.where]!, reportedA: c.chargerA * (1 + c.reportErr) };
}

test('with the own charger known: never below the true L2, either phase order, any wiring, meter errors (a property)', () => {
  fc.assert(
    fc.property(withCharger, (c) => {
      const { branches, wiring, reportedA } = houseAndCharger(c);
      const m = meterView(branches, c.h.order, c.h.skewDeg, c.h.err, c.vScale);
      const e = estimateItLine2A(m.i1A, m.i3A, m.powerW, m.reactiveVar, (230 * (c.vScale[0] + c.vScale[1])) / 2, 0.001, wiring, reportedA);
      const used = Math.min(m.i1A + m.i3A, e ?? Infinity);
      if (used < m.i1A + m.i3A) expect(used).toBeGreaterThanOrEqual(m.trueL2A - 0.05);
    }),
    { numRuns: 4000 },
  );
});

test('knowing the charger only removes candidates: the estimate is never above the one without it (a property)', () => {
  fc.assert(
    fc.property(withCharger, (c) => {
      const { branches, wiring, reportedA } = houseAndCharger(c);
      const m = meterView(branches, c.h.order, c.h.skewDeg, c.h.err);
      const known = estimateItLine2A(m.i1A, m.i3A, m.powerW, m.reactiveVar, 230, 0.001, wiring, reportedA);
      const unknown = estimateItLine2A(m.i1A, m.i3A, m.powerW, m.reactiveVar, 230, 0.001);
      if (unknown === undefined) expect(known).toBeUndefined();
      else if (known !== undefined) expect(known).toBeLessThanOrEqual(unknown + 1e-9);
    }),
    { numRuns: 2000 },
  );
});

test('a 24 A charger on L1-L2 and a house of the simulator: the charger rules out the mirror candidate (19 A lower, still above the true L2)', () => {
  // tools/simulate, no-it seed 1, t = 150440 s (15.8 A on L3-L1): branch currents in phase / lagging, A.
  const house = [
    [1.67, 0.99],
    [5.91, 2.04],
    [15.84, 1.18],
  ] as const;
  const branches = house.map(([p, q], k) => {
    const z: C = [p + (k === 0 ? 24 : 0), -q];
    return { a: abs(z), lagDeg: (-Math.atan2(z[1], z[0]) * 180) / Math.PI };
  });
  const m = meterView(branches, 1, [0, 0, 0], [0, 0, 0, 0]);
  expect(m.trueL2A).toBeCloseTo(30.55, 1);
  // Without the charger, every candidate fits and the largest is above the bound: the bound, 54.5 A.
  const unknown = Math.min(m.i1A + m.i3A, estimateItLine2A(m.i1A, m.i3A, m.powerW, m.reactiveVar, 230, 0.001) ?? Infinity);
  expect(unknown).toBeCloseTo(54.5, 1);
  const known = estimateItLine2A(m.i1A, m.i3A, m.powerW, m.reactiveVar, 230, 0.001, CHARGER_L1_L2, 24) as number;
  expect(known).toBeGreaterThanOrEqual(m.trueL2A);
  expect(known).toBeLessThan(unknown - 15);
  // Through the engine: the charger's reported [24, 24, 0] is where it sits.
  const s = validateHeadroomSettings({ fuseA: 63, gridType: 'IT', chargerLine: 'L1-L2' });
  if (!s.ok) throw new Error(s.errors.join('; '));
  const reading: MeterReading = {
    protocol: 'dlms',
    frameKind: 'full',
    threeWire: true,
    powerImportW: m.powerW,
    powerExportW: 0,
    reactivePowerImportVar: m.reactiveVar,
    reactivePowerExportVar: 0,
    l1: { currentA: m.i1A, voltageV: 230 },
    l2: { voltageV: 0 },
    l3: { currentA: m.i3A, voltageV: 230 },
  };
  // Two full lists 10 s apart, the charger reporting `before` at the first and `now` at the second.
  const t0 = Date.UTC(2026, 10, 23, 12);
  const l2 = (before: [number, number, number], now: [number, number, number]) => {
    const first = stepHeadroom(createHeadroomState(), { nowMs: t0, reading, chargerA: before }, s.settings);
    return stepHeadroom(first.state, { nowMs: t0 + 10000, reading, chargerA: now }, s.settings).headroom.phases.l2;
  };
  const steady = l2([24, 24, 0], [24, 24, 0]);
  expect(steady.currentSource).toBe('estimated');
  expect(steady.currentA as number).toBeLessThan(known + 0.1);
  expect(steady.currentA as number).toBeGreaterThanOrEqual(Math.floor(m.trueL2A * 10) / 10);
  // The first list alone (nothing to say the charger was steady), a charger that changed since the
  // list before (a car ramping: its report and the meter's sample may be seconds apart), figures
  // that fit no one wiring: the charger's part is not taken off, and the bound stands, as without.
  expect(stepHeadroom(createHeadroomState(), { nowMs: t0, reading, chargerA: [24, 24, 0] }, s.settings).headroom.phases.l2.currentSource).toBe('bound');
  expect(l2([16, 16, 0], [24, 24, 0]).currentSource).toBe('bound');
  expect(l2([24, 12, 0], [24, 12, 0]).currentSource).toBe('bound');
});
