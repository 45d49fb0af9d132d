// The reserve after a load went off (settings.holdOffS): the room a load leaves is kept back for
// holdOffS, so a cycling load (hob zone, dryer heater, kettle) that comes back finds its room still
// free and the set point does not move at all while it cycles; only that load's size is kept back.
// Each row: DSMR 5 telegrams every second on 3x25 A TN, margin 2 A; the house is L1 (below) / 2 /
// 1 A, so L1 binds; the answer is read at the listed seconds.
import type { HeadroomSettings } from '../../decoders/headroom/index';
import { T0, dsmr5, run, settingsOf } from './readings';

type Row = {
  name: string;
  settings: HeadroomSettings;
  /** House current on L1 at second s. */
  l1A: (s: number) => number;
  /** Expected threePhaseA (and limitedBy) at these seconds. */
  expect: { s: number; threePhaseA: number; limitedBy?: string }[];
};

const tn = (holdOffS: number) => settingsOf({ fuseA: 25, phases: 3, gridType: 'TN', marginA: 2, holdOffS });
const load = (from: number, to: number, a: number, base = 4) => (s: number) => (s >= from && s < to ? base + a : base);

const rows: Row[] = [
  {
    name: '60 s: a 9 A load for 20 s drops the answer 19 -> 10 A; when it goes, its 8.5 A are kept back 60 s, then the rise goes 2 A per 5 s',
    settings: tn(60), l1A: load(200, 220, 9),
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
    settings: tn(0), l1A: load(200, 220, 9),
    expect: [
      { s: 200, threePhaseA: 10 },
      { s: 220, threePhaseA: 10, limitedBy: 'ramp' },
      { s: 224, threePhaseA: 12, limitedBy: 'ramp' },
      { s: 229, threePhaseA: 14, limitedBy: 'ramp' },
    ],
  },
  {
    name: 'a load cycling back within holdOffS takes its room back: the answer does not move at all while it cycles',
    settings: tn(60), l1A: (s) => ((s >= 200 && s < 220) || (s >= 250 && s < 260) ? 15 : 4),
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
    settings: tn(60), l1A: (s) => (s >= 200 && s < 210 ? 13 : s >= 250 && s < 260 ? 17 : 4),
    expect: [
      { s: 200, threePhaseA: 10 },
      { s: 210, threePhaseA: 10, limitedBy: 'hold-off' },
      { s: 250, threePhaseA: 6 },
      { s: 260, threePhaseA: 6, limitedBy: 'hold-off' },
    ],
  },
  {
    name: 'only the step that went is kept back: room that comes slowly (the base load falling 0.4 A/s) is used at once',
    settings: tn(60), l1A: (s) => (s >= 200 && s < 220 ? 17 : s < 230 ? 8 : s < 240 ? 8 - 0.4 * (s - 229) : 4),
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
