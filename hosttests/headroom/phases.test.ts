// Per-line headroom, the three-phase and one-phase answers, on TN and IT grids, with 1 and 3
// phases, export, the own charger added back, and currents the meter did not send.
import type { MeterReading } from '../../decoders/reading';
import { createHeadroomState, stepHeadroom } from '../../decoders/headroom/index';
import { T0, dsmr5, hanItFull, hanShort, isoLocal, last, repeatFrames, run, settingsOf } from './readings';

const tn25 = settingsOf({ fuseA: 25, phases: 3, gridType: 'TN', marginA: 2 });
const it40 = settingsOf({ fuseA: 40, phases: 3, gridType: 'IT', marginA: 2 });

/** Let the ramp settle: 60 identical frames one second apart (0.4 A/s: 6 -> 30 A takes 60 s). */
function settle(settings: typeof tn25, make: (t: number) => MeterReading, chargerA?: [number, number, number]) {
  return last(run(settings, repeatFrames(61, 1, T0, make, chargerA)).answers);
}

type Row = {
  name: string;
  settings: typeof tn25;
  reading: (t: number) => MeterReading;
  chargerA?: [number, number, number];
  currentA: (number | undefined)[];
  source: string[];
  headroomA: number[];
  threePhaseA: number;
  onePhaseA: number;
  onePhaseLine: string;
  limitedBy: string;
};

const rows: Row[] = [
  {
    name: 'TN 3x25 A, house load only',
    settings: tn25,
    reading: (t) => dsmr5(t, [10, 3, 1]),
    currentA: [10, 3, 1],
    source: ['measured', 'measured', 'measured'],
    headroomA: [13, 20, 22],
    threePhaseA: 13,
    onePhaseA: 22,
    onePhaseLine: 'L3',
    limitedBy: 'fuse-l1',
  },
  {
    name: 'TN: the car charging at 10 A three-phase is added back, not counted against itself',
    settings: tn25,
    reading: (t) => dsmr5(t, [20, 13, 11]),
    chargerA: [10, 10, 10],
    currentA: [20, 13, 11],
    source: ['measured', 'measured', 'measured'],
    headroomA: [13, 20, 22],
    threePhaseA: 13,
    onePhaseA: 22,
    onePhaseLine: 'L3',
    limitedBy: 'fuse-l1',
  },
  {
    name: 'TN: 15 A of solar export on L1 counts as 15 A of load (export can vanish, the car stays)',
    settings: tn25,
    reading: (t) => {
      const r = dsmr5(t, [15, 2, 2]);
      return { ...r, powerImportW: 0, powerExportW: 2530, l1: { currentA: 15, voltageV: 230, powerImportW: 0, powerExportW: 3450 } };
    },
    currentA: [15, 2, 2],
    source: ['measured', 'measured', 'measured'],
    headroomA: [8, 21, 21],
    threePhaseA: 8,
    onePhaseA: 21,
    onePhaseLine: 'L2',
    limitedBy: 'fuse-l1',
  },
  {
    name: 'TN: a signed meter current (-8 A) is taken as its magnitude',
    settings: tn25,
    reading: (t) => ({ ...dsmr5(t, [5, 5, 5]), l2: { currentA: -8, voltageV: 230 } }),
    // No power of its own on L2: a whole-ampere reading may hide up to 1 A more.
    currentA: [5, 8, 5],
    source: ['measured', 'measured', 'measured'],
    headroomA: [18, 14, 18],
    threePhaseA: 14,
    onePhaseA: 18,
    onePhaseLine: 'L1',
    limitedBy: 'fuse-l2',
  },
  {
    // Worst case: all of the 2300 W on L2, drawn by a lagging motor (cos 50 deg): 15.6 A.
    name: 'TN: L2 current and power missing, total power known, no split yet: worst case P/(V cos 50) on L2',
    settings: tn25,
    reading: (t) => ({ ...dsmr5(t, [5, 5, 5]), powerImportW: 2300, l2: { voltageV: 230 } }),
    currentA: [5, 15.6, 5],
    source: ['measured', 'estimated', 'measured'],
    headroomA: [18, 7.4, 18],
    threePhaseA: 7.4,
    onePhaseA: 18,
    onePhaseLine: 'L1',
    limitedBy: 'estimated-data',
  },
  {
    // 1380 W is 6 A at unity power factor, 9.3 A from a lagging motor (cos 50 deg).
    name: 'TN: L2 current missing but its own power sent: estimated from P/(V cos 50), the most that power can draw',
    settings: tn25,
    reading: (t) => ({ ...dsmr5(t, [5, 5, 5]), l2: { voltageV: 230, powerImportW: 1380 } }),
    currentA: [5, 9.3, 5],
    source: ['measured', 'estimated', 'measured'],
    headroomA: [18, 13.6, 18],
    threePhaseA: 13.6,
    onePhaseA: 18,
    onePhaseLine: 'L1',
    limitedBy: 'estimated-data',
  },
  {
    name: 'TN: L2 unknown (no current, no power at all): no headroom on L2, never "0 A load"',
    settings: tn25,
    reading: (t) => ({ protocol: 'dsmr', meterTime: isoLocal(t, 60), l1: { currentA: 5 }, l3: { currentA: 4 } }),
    // (Whole amperes without the lines' own power: 1 A may hide above each.)
    currentA: [5, undefined, 4],
    source: ['measured', 'unknown', 'measured'],
    headroomA: [17, 0, 18],
    threePhaseA: 0,
    onePhaseA: 18,
    onePhaseLine: 'L3',
    limitedBy: 'unknown-current',
  },
  {
    name: 'TN one-phase supply 1x40 A',
    settings: settingsOf({ fuseA: 40, phases: 1, marginA: 2 }),
    reading: (t) => ({ protocol: 'dsmr', meterTime: isoLocal(t, 60), powerImportW: 4600, l1: { currentA: 20, voltageV: 230 } }),
    currentA: [20, undefined, undefined],
    source: ['measured', 'unknown', 'unknown'],
    headroomA: [17, 0, 0],
    threePhaseA: 0,
    onePhaseA: 17,
    onePhaseLine: 'L1',
    limitedBy: 'fuse-l1',
  },
  {
    name: 'IT 3x40 A: L2 never reported, bounded by I1 + I3',
    settings: it40,
    reading: (t) => hanItFull(t, 15, 12, 5000),
    currentA: [15, 27, 12],
    source: ['measured', 'bound', 'measured'],
    headroomA: [23, 11, 26],
    threePhaseA: 11,
    onePhaseA: 23,
    onePhaseLine: 'L1-L3',
    limitedBy: 'fuse-l2',
  },
  {
    name: 'IT: a one-phase charger between L1 and L3 at 16 A loads both lines and is added back on both',
    settings: it40,
    reading: (t) => hanItFull(t, 31, 28, 8700),
    chargerA: [16, 0, 16],
    currentA: [31, 27, 28],
    source: ['measured', 'bound', 'measured'],
    headroomA: [23, 11, 26],
    threePhaseA: 11,
    onePhaseA: 23,
    onePhaseLine: 'L1-L3',
    limitedBy: 'fuse-l2',
  },
  {
    name: 'IT: one-phase answer is the min over both lines of the best pair',
    settings: it40,
    reading: (t) => hanItFull(t, 30, 4, 5000),
    // L2 bound 34 -> 4 A free; L1 8 A free; L3 34 A free. Pairs: L1-L2 4, L1-L3 8, L2-L3 4.
    currentA: [30, 34, 4],
    source: ['measured', 'bound', 'measured'],
    headroomA: [8, 4, 34],
    threePhaseA: 0,
    onePhaseA: 8,
    onePhaseLine: 'L1-L3',
    limitedBy: 'minimum-current',
  },
  {
    name: 'IT: meter that does report L2 (measured wins over the bound)',
    settings: it40,
    reading: (t) => ({ ...hanItFull(t, 15, 12, 5000), l2: { currentA: 9, voltageV: 230 } }),
    currentA: [15, 9, 12],
    source: ['measured', 'measured', 'measured'],
    headroomA: [23, 29, 26],
    threePhaseA: 23,
    onePhaseA: 26,
    onePhaseLine: 'L2-L3',
    limitedBy: 'fuse-l1',
  },
  {
    name: 'IT with a fixed charger connection L2-L3',
    settings: settingsOf({ fuseA: 40, gridType: 'IT', chargerLine: 'L2-L3', marginA: 2 }),
    reading: (t) => hanItFull(t, 15, 12, 5000),
    currentA: [15, 27, 12],
    source: ['measured', 'bound', 'measured'],
    headroomA: [23, 11, 26],
    threePhaseA: 11,
    onePhaseA: 11,
    onePhaseLine: 'L2-L3',
    limitedBy: 'fuse-l2',
  },
];

describe('per-line headroom and the charger answers', () => {
  test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const h = settle(row.settings, row.reading, row.chargerA);
    const lines = [h.phases.l1, h.phases.l2, h.phases.l3];
    expect(lines.map((l) => l.currentA)).toEqual(row.currentA);
    expect(lines.map((l) => l.currentSource)).toEqual(row.source);
    expect(lines.map((l) => l.headroomA)).toEqual(row.headroomA);
    expect(h.threePhaseA).toBe(row.threePhaseA);
    expect(h.onePhaseA).toBe(row.onePhaseA);
    expect(h.onePhaseLine).toBe(row.onePhaseLine);
    expect(h.limitedBy).toBe(row.limitedBy);
    for (const l of lines) expect(l.headroomA).toBeLessThanOrEqual(Math.max(0, l.limitA - row.settings.marginA));
    expect(typeof h.reason).toBe('string');
    expect(h.reason.length).toBeGreaterThan(10);
  });

  test('a phase at the fuse limit gives 0, never negative headroom', () => {
    const h = settle(tn25, (t) => dsmr5(t, [30, 1, 1]));
    expect(h.phases.l1.headroomA).toBe(0);
    expect(h.threePhaseA).toBe(0);
    expect(h.limitedBy).toBe('fuse-l1');
  });

  test('below the minimum charging current the answer is 0 and says why', () => {
    const h = settle(tn25, (t) => dsmr5(t, [19, 19, 19])); // 4 A free
    expect(h.phases.l1.headroomA).toBe(4);
    expect(h.threePhaseA).toBe(0);
    expect(h.limitedBy).toBe('minimum-current');
    expect(h.reason).toMatch(/below the 6 A minimum/);
  });

  test('fractions are floored to 0.1 A (never rounded up into the margin)', () => {
    const h = settle(tn25, (t) => ({ ...dsmr5(t, [10, 3, 1]), l1: { currentA: 10.06, voltageV: 230 } }));
    expect(h.phases.l1.headroomA).toBe(12.9);
    expect(h.phases.l1.currentA).toBe(10.1);
  });
});

describe('short frames: per-line currents estimated from total power', () => {
  const hanTn = settingsOf({ fuseA: 32, phases: 3, gridType: 'TN', marginA: 2 });
  const tnFull = (t: number, a: [number, number, number], w: number): MeterReading => ({
    protocol: 'dlms',
    listId: 'AIDON_V0001',
    frameKind: 'full',
    meterTime: isoLocal(t, 60),
    powerImportW: w,
    l1: { currentA: a[0], voltageV: 230 },
    l2: { currentA: a[1], voltageV: 230 },
    l3: { currentA: a[2], voltageV: 230 },
  });

  test('a rise goes onto every line whole (it may sit on any one); status says estimated', () => {
    const s1 = stepHeadroom(createHeadroomState(), { nowMs: T0, reading: tnFull(T0, [10, 5, 5], 4600) }, hanTn);
    const s2 = stepHeadroom(s1.state, { nowMs: T0 + 2000, reading: hanShort(T0 + 2000, 6900) }, hanTn);
    const h = s2.headroom;
    expect(h.status).toBe('estimated');
    // +2300 W: up to 15.6 A (a lagging motor, cos 50 deg) on any line.
    expect([h.phases.l1.currentA, h.phases.l2.currentA, h.phases.l3.currentA]).toEqual([25.6, 20.6, 20.6]);
    expect([h.phases.l1.currentSource, h.phases.l2.currentSource, h.phases.l3.currentSource]).toEqual(['estimated', 'estimated', 'estimated']);
    expect(h.phases.l1.headroomA).toBe(4.4); // 32 A - 25.6 A - 2 A margin
  });

  test("the own charger's change goes exactly to its lines, only the rest is added", () => {
    const s1 = stepHeadroom(createHeadroomState(), { nowMs: T0, reading: tnFull(T0, [10, 5, 5], 4600) }, hanTn);
    // The charger started at 6 A three-phase: +4140 W, all of it the charger.
    const s2 = stepHeadroom(s1.state, { nowMs: T0 + 2000, reading: hanShort(T0 + 2000, 4600 + 4140), chargerA: [6, 6, 6] }, hanTn);
    const h = s2.headroom;
    expect([h.phases.l1.currentA, h.phases.l2.currentA, h.phases.l3.currentA]).toEqual([16, 11, 11]);
    // Headroom unchanged: the car is not counted against itself.
    expect([h.phases.l1.headroomA, h.phases.l2.headroomA, h.phases.l3.headroomA]).toEqual([20, 25, 25]);
  });

  test('a power drop is not spread: every line keeps its last measured current', () => {
    const s1 = stepHeadroom(createHeadroomState(), { nowMs: T0, reading: tnFull(T0, [10, 5, 5], 4600) }, hanTn);
    const s2 = stepHeadroom(s1.state, { nowMs: T0 + 2000, reading: hanShort(T0 + 2000, 0) }, hanTn);
    const p = s2.headroom.phases;
    expect([p.l1.currentA, p.l2.currentA, p.l3.currentA]).toEqual([10, 5, 5]);
  });

  test('no measured split yet: each line is assumed to carry all of the power', () => {
    const s = stepHeadroom(createHeadroomState(), { nowMs: T0, reading: hanShort(T0, 2300) }, hanTn);
    // 2300 W on each line, drawn at worst by a lagging motor (cos 50 deg): 15.6 A.
    expect([s.headroom.phases.l1.currentA, s.headroom.phases.l2.currentA, s.headroom.phases.l3.currentA]).toEqual([15.6, 15.6, 15.6]);
    expect(s.headroom.status).toBe('estimated');
  });

  test('a split older than safeFallbackAfterS is not used (worst case instead)', () => {
    const s1 = stepHeadroom(createHeadroomState(), { nowMs: T0, reading: tnFull(T0, [10, 0, 0], 2300) }, hanTn);
    const s2 = stepHeadroom(s1.state, { nowMs: T0 + 40000, reading: hanShort(T0 + 40000, 2300) }, hanTn);
    expect([s2.headroom.phases.l1.currentA, s2.headroom.phases.l2.currentA, s2.headroom.phases.l3.currentA]).toEqual([15.6, 15.6, 15.6]);
  });

  test('IT short frame: every line + dP / (V cos 50) (a one-phase load between two lines), L2 carried on from the full list, under the bound', () => {
    const s1 = stepHeadroom(createHeadroomState(), { nowMs: T0, reading: hanItFull(T0, 15, 12, 5000, [230, 230, 230]) }, it40);
    const s2 = stepHeadroom(s1.state, { nowMs: T0 + 2000, reading: hanShort(T0 + 2000, 7300) }, it40);
    const p = s2.headroom.phases;
    // dP = 2300 W -> up to +15.6 A on L1 and on L3 (the load may sit between L1 and L3 and lag
    // by 50 deg: both carry 15.6 A more).
    expect(p.l1.currentA).toBe(30.6);
    expect(p.l3.currentA).toBe(27.6);
    // L2 was bounded at 27 A in the full list; the rise may sit on L2 too (+15.6 A), not twice.
    expect(p.l2.currentSource).toBe('estimated');
    expect(p.l2.currentA).toBe(42.6);
    expect(s2.headroom.status).toBe('estimated');
    expect(s2.headroom.threePhaseA).toBe(0);
  });

  test('estimated frames may lower the answer but never raise it', () => {
    let st = run(
      hanTn,
      repeatFrames(6, 10, T0, (t) => tnFull(t, [20, 20, 20], 13800)),
    ).state;
    const before = stepHeadroom(st, { nowMs: T0 + 60000 }, hanTn).headroom.threePhaseA;
    expect(before).toBe(10);
    // Load drops a lot on short frames: the answer holds.
    const s = stepHeadroom(st, { nowMs: T0 + 62000, reading: hanShort(T0 + 62000, 2000) }, hanTn);
    expect(s.headroom.threePhaseA).toBe(before);
    expect(s.headroom.limitedBy).toBe('estimated-data');
    // Load rises on short frames: the answer falls at once.
    st = s.state;
    const up = stepHeadroom(st, { nowMs: T0 + 64000, reading: hanShort(T0 + 64000, 17000) }, hanTn);
    expect(up.headroom.threePhaseA).toBeLessThan(before);
  });
});

test('one-phase IT supply wired L1-L2: the single reported current is the one that counts', () => {
  const s1 = settingsOf({ fuseA: 32, phases: 1, gridType: 'IT', chargerLine: 'L1-L2', marginA: 2 });
  const h = last(
    run(
      s1,
      repeatFrames(61, 1, T0, (t) => ({ protocol: 'dlms', meterTime: isoLocal(t, 60), powerImportW: 2300, l1: { currentA: 10, voltageV: 230 } })),
    ).answers,
  );
  expect(h.onePhaseA).toBe(20);
  expect(h.onePhaseLine).toBe('L1-L2');
  expect(h.threePhaseA).toBe(0);
});

test('IT: an L2 of exactly 0 A beside loaded lines is "not measured" (bound), a small real value is used', () => {
  const zero = settle(it40, (t) => ({ ...hanItFull(t, 15, 12, 5000), l2: { currentA: 0, voltageV: 230 } }));
  expect(zero.phases.l2.currentSource).toBe('bound');
  expect(zero.phases.l2.currentA).toBe(27);
  const small = settle(it40, (t) => ({ ...hanItFull(t, 15, 12, 5000), l2: { currentA: 0.045, voltageV: 230 } }));
  expect(small.phases.l2.currentSource).toBe('measured');
  // TN: 0 A on L2 is an idle line, nothing odd.
  const tn = settle(tn25, (t) => dsmr5(t, [5, 0, 5]));
  expect(tn.phases.l2.currentSource).toBe('measured');
  expect(tn.phases.l2.headroomA).toBe(23);
});

test('values that are not numbers (NaN power, a 0 V voltage) count as not sent', () => {
  const h = settle(tn25, (t) => ({
    ...dsmr5(t, [5, 5, 5]),
    powerImportW: Number.NaN,
    l2: { currentA: Number.NaN, powerImportW: 1150 },
    l3: { currentA: 4, voltageV: 0 },
  }));
  expect(h.phases.l2.currentSource).toBe('estimated'); // from its own 1150 W at the nominal 230 V, lagging at worst (cos 50 deg)
  expect(h.phases.l2.currentA).toBe(7.8);
  expect(h.phases.l3.currentSource).toBe('measured');
  expect(h.threePhaseA).toBe(15.2); // L2 at 7.8 A: 25 - 7.8 - 2 margin; L3 at 4 A and 1 A a whole-ampere reading without its line's power may hide
  expect(h.plausibility?.some((f) => f.startsWith('l2.currentA NaN'))).toBe(true);
});

test('impossible values (a 1e9 A current, a 5 kV voltage) make the whole frame implausible: 0 A, and the reason says why', () => {
  const h = settle(tn25, (t) => ({
    ...dsmr5(t, [5, 5, 5]),
    l2: { currentA: 1e9, voltageV: 5000, powerImportW: 1150 },
  }));
  expect([h.phases.l1.currentSource, h.phases.l2.currentSource, h.phases.l3.currentSource]).toEqual(['implausible', 'implausible', 'implausible']);
  expect(h.phases.l2.currentA).toBeUndefined();
  expect(h.threePhaseA).toBe(0);
  expect(h.onePhaseA).toBe(0);
  expect(h.limitedBy).toBe('implausible-data');
  expect(h.plausibility?.some((f) => f.includes('four times the 25 A fuse'))).toBe(true);
});
