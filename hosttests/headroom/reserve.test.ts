// The reserve after a load went off (settings.holdOffS): the room a load leaves is kept back for
// holdOffS, so a cycling load (hob zone, dryer heater, kettle) that comes back finds its room still
// free and the set point does not move at all while it cycles; only that load's size is kept back.
// Each row: DSMR 5 telegrams every second on 3x25 A TN, margin 2 A; the house is L1 (below) / 2 /
// 1 A, so L1 binds; the answer is read at the listed seconds.
import type { HeadroomSettings } from '../../decoders/headroom/index';
import { T0, dsmr5, hanItFull, hanShort, run, settingsOf } from './readings';

type Row = {
  name: string;
  settings: HeadroomSettings;
  /** House current on L1 at second s. */
  l1A: (s: number) => number;
  /** Expected threePhaseA (and limitedBy) at these seconds. */
  expect: { s: number; threePhaseA: number; limitedBy?: string }[];
};

const tn = (holdOffS: number) => settingsOf({ fuseA: 25, phases: 3, gridType: 'TN', marginA: 2, holdOffS });
const load =
  (from: number, to: number, a: number, base = 4) =>
  (s: number) =>
    s >= from && s < to ? base + a : base;

const rows: Row[] = [
  {
    name: '60 s: a 9 A load for 20 s drops the answer 19 -> 10 A; when it goes, its 8.5 A are kept back 60 s, then the rise goes 2 A per 5 s',
    settings: tn(60),
    l1A: load(200, 220, 9),
    expect: [
      { s: 199, threePhaseA: 19 },
      { s: 200, threePhaseA: 10 },
      { s: 230, threePhaseA: 10, limitedBy: 'hold-off' },
      { s: 279, threePhaseA: 10, limitedBy: 'hold-off' }, // the load went at 220 s
      { s: 280, threePhaseA: 10, limitedBy: 'ramp' }, // room again, but at most one rise every 5 s
      { s: 284, threePhaseA: 12, limitedBy: 'ramp' },
      { s: 289, threePhaseA: 14, limitedBy: 'ramp' },
    ],
  },
  {
    name: '0 (off): the answer rises 5 s after the load is gone',
    settings: tn(0),
    l1A: load(200, 220, 9),
    expect: [
      { s: 200, threePhaseA: 10 },
      { s: 220, threePhaseA: 10, limitedBy: 'ramp' },
      { s: 224, threePhaseA: 12, limitedBy: 'ramp' },
      { s: 229, threePhaseA: 14, limitedBy: 'ramp' },
    ],
  },
  {
    name: 'a load cycling back within holdOffS takes its room back: the answer does not move at all while it cycles',
    settings: tn(60),
    l1A: (s) => ((s >= 200 && s < 220) || (s >= 250 && s < 260) ? 15 : 4),
    expect: [
      { s: 200, threePhaseA: 8 },
      { s: 220, threePhaseA: 8, limitedBy: 'hold-off' },
      { s: 250, threePhaseA: 8 }, // back: no drop, its room was kept
      { s: 260, threePhaseA: 8, limitedBy: 'hold-off' }, // gone again: kept back again
      { s: 319, threePhaseA: 8, limitedBy: 'hold-off' },
      { s: 324, threePhaseA: 10, limitedBy: 'ramp' },
    ],
  },
  {
    name: 'during a reserve a further rise of the load still lowers the answer at once',
    settings: tn(60),
    l1A: (s) => (s >= 200 && s < 210 ? 13 : s >= 250 && s < 260 ? 17 : 4),
    expect: [
      { s: 200, threePhaseA: 10 },
      { s: 210, threePhaseA: 10, limitedBy: 'hold-off' },
      { s: 250, threePhaseA: 6 },
      { s: 260, threePhaseA: 6, limitedBy: 'hold-off' },
    ],
  },
  {
    name: 'only the step that went is kept back: room that comes slowly (the base load falling 0.4 A/s) is used at once',
    settings: tn(60),
    l1A: (s) => (s >= 200 && s < 220 ? 17 : s < 230 ? 8 : s < 240 ? 8 - 0.4 * (s - 229) : 4),
    expect: [
      { s: 199, threePhaseA: 15 },
      { s: 200, threePhaseA: 6 },
      { s: 229, threePhaseA: 6, limitedBy: 'hold-off' }, // 15 A free, 8.5 A kept back
      { s: 254, threePhaseA: 10.5, limitedBy: 'hold-off' }, // 19 A free, still 8.5 A kept back
      { s: 285, threePhaseA: 12.5, limitedBy: 'ramp' }, // the reserve ran out at 280 s
    ],
  },
];

describe('reserve after a load went off', () => {
  test.each(rows)('$name', (row) => {
    const last = Math.max(...row.expect.map((e) => e.s));
    const steps = [];
    for (let s = 0; s <= last; s++) {
      const t = T0 + s * 1000;
      steps.push({ nowMs: t + 300, reading: dsmr5(t, [row.l1A(s), 2, 1]) });
    }
    const answers = run(row.settings, steps).answers;
    for (const e of row.expect) {
      const h = answers[e.s]!;
      expect({ s: e.s, threePhaseA: h.threePhaseA }).toEqual({ s: e.s, threePhaseA: e.threePhaseA });
      if (e.limitedBy) expect({ s: e.s, limitedBy: h.limitedBy }).toEqual({ s: e.s, limitedBy: e.limitedBy });
    }
  });
});

// HAN on IT: a full list every 10 s, a power-only list 1 between. The house is 3 A on L1 and L3
// (L2 bounded by I1 + I3 = 6 A); a 4 A heater between L1 and L3 (920 W) is on 100-140 s and again
// from 171 s, when only list 1 shows it for 9 s. Default margin 0.5 A, 3x40 A.
describe('reserve on a meter with short lists', () => {
  const settings = settingsOf({ fuseA: 40, phases: 3, gridType: 'IT', holdOffS: 60 });
  const answersFor = (heaterOn: (s: number) => boolean, extraFrom171A: number) => {
    const steps = [];
    for (let s = 0; s <= 200; s += 2) {
      const t = T0 + s * 1000;
      const a = 3 + (heaterOn(s) ? 4 : 0) + (s >= 171 ? extraFrom171A : 0);
      const powerW = 1380 + (heaterOn(s) ? 920 : 0) + (s >= 171 ? 460 * extraFrom171A : 0);
      steps.push({ nowMs: t + 300, reading: s % 10 === 0 ? hanItFull(t, a, a, powerW) : hanShort(t, powerW) });
    }
    const answers = run(settings, steps).answers;
    return (s: number) => ({ s, threePhaseA: answers[s / 2]!.threePhaseA, limitedBy: answers[s / 2]!.limitedBy });
  };
  const cycling = (s: number) => (s >= 100 && s < 140) || s >= 171;

  test('the heater coming back shows first on list 1: it takes its room out of the reserve there too, the answer does not move', () => {
    // (Before, list 1 lowered the answer by the heater's 4 A on top of the reserve: 25.5 -> 21.9 A,
    // and the next full list raised it again.)
    const at = answersFor(cycling, 0);
    expect(at(98)).toEqual({ s: 98, threePhaseA: 33.5, limitedBy: 'fuse-l2' }); // 40 - 0.5 - 6
    expect(at(100)).toEqual({ s: 100, threePhaseA: 25.5, limitedBy: 'fuse-l2' }); // L2 bound 14 A
    expect(at(150)).toEqual({ s: 150, threePhaseA: 25.5, limitedBy: 'hold-off' }); // the heater's room kept
    for (const s of [172, 174, 176, 178]) expect(at(s)).toEqual({ s, threePhaseA: 25.5, limitedBy: 'hold-off' });
    expect(at(180)).toEqual({ s: 180, threePhaseA: 25.5, limitedBy: 'fuse-l2' });
  });

  test('a rise larger than the reserve still lowers the answer at once on list 1', () => {
    // From 171 s the heater and 5 A more on L1 and L3: list 1 sees +3220 W, 14 A at unity power
    // factor and up to 21.8 A if it lags by 50 deg, on every line: L2 6 + 21.8 = 27.8 A, room
    // 39.5 - 27.8 = 11.6 A (the voltages are 229-231 V).
    const at = answersFor(cycling, 5);
    expect(at(170)).toEqual({ s: 170, threePhaseA: 25.5, limitedBy: 'hold-off' });
    expect(at(172).threePhaseA).toBeCloseTo(11.6, 1);
    expect(at(172).limitedBy).toBe('fuse-l2');
    // The full list at 180 s: L2 bound 24 A, room 15.5 A, reached by the ramp from 11.6 A.
    expect(at(180)).toEqual({ s: 180, threePhaseA: 14.8, limitedBy: 'ramp' });
  });
});
