// Hold-off after a forced drop: once a house load has pushed the answer down by at least the
// hysteresis, it does not rise again for holdOffS, so a cycling load (hob zone, dryer heater)
// that comes back within a minute or two does not meet a charger that has ramped up again.
// Each row: DSMR 5 telegrams every second on 3x25 A TN; the house is 4/2/1 A (answer 21 A
// three-phase once settled), a load on L1 for `loadS` seconds from t = 200 s, then the table's
// load pattern; the answer is read at the listed seconds.
import type { HeadroomSettings } from '../../decoders/headroom/index';
import { T0, dsmr5, run, settingsOf } from './readings';

type Row = {
  name: string;
  settings: HeadroomSettings;
  /** House current on L1 at second s (L2, L3 stay 2 and 1 A). */
  l1A: (s: number) => number;
  /** Expected threePhaseA (and limitedBy) at these seconds. */
  expect: { s: number; threePhaseA: number; limitedBy?: string }[];
};

const tn = (holdOffS: number) => settingsOf({ fuseA: 25, phases: 3, gridType: 'TN', marginA: 2, holdOffS });
const kettle = (from: number, to: number, a: number) => (s: number) => (s >= from && s < to ? 4 + a : 4);

const rows: Row[] = [
  {
    name: '120 s: a 9 A load for 20 s drops the answer 19 -> 10 A; it stays there until the load has been gone 120 s, then ramps',
    settings: tn(120), l1A: kettle(200, 220, 9),
    expect: [
      { s: 199, threePhaseA: 19 },
      { s: 200, threePhaseA: 10 },
      { s: 230, threePhaseA: 10, limitedBy: 'hold-off' },
      { s: 338, threePhaseA: 10, limitedBy: 'hold-off' }, // the load was last seen at 219 s
      { s: 339, threePhaseA: 10.4, limitedBy: 'ramp' },
      { s: 349, threePhaseA: 14.4, limitedBy: 'ramp' },
    ],
  },
  {
    name: '0 (off): the answer ramps up as soon as the load is gone',
    settings: tn(0), l1A: kettle(200, 220, 9),
    expect: [
      { s: 200, threePhaseA: 10 },
      { s: 220, threePhaseA: 10.4, limitedBy: 'ramp' },
      { s: 230, threePhaseA: 14.4, limitedBy: 'ramp' },
    ],
  },
  {
    name: 'a drop smaller than the hysteresis starts no hold-off (hysteresis 2 A, a 1 A drop)',
    settings: settingsOf({ fuseA: 25, phases: 3, gridType: 'TN', marginA: 2, holdOffS: 120, hysteresisA: 2 }), l1A: kettle(200, 220, 1),
    expect: [
      { s: 199, threePhaseA: 19 },
      { s: 200, threePhaseA: 18 },
      { s: 230, threePhaseA: 18, limitedBy: 'ramp' }, // inside the hysteresis band, not a hold-off
    ],
  },
  {
    name: 'a load cycling back within the hold-off keeps it running until it has been gone 120 s',
    settings: tn(120), l1A: (s) => ((s >= 200 && s < 220) || (s >= 290 && s < 300) ? 15 : 4),
    expect: [
      { s: 200, threePhaseA: 8 },
      { s: 290, threePhaseA: 8 },
      { s: 418, threePhaseA: 8, limitedBy: 'hold-off' }, // last seen at 299 s
      { s: 419, threePhaseA: 8.4, limitedBy: 'ramp' },
    ],
  },
  {
    name: 'during a hold-off a further rise of the load still lowers the answer at once',
    settings: tn(120), l1A: (s) => (s >= 200 && s < 210 ? 13 : s >= 250 && s < 260 ? 17 : 4),
    expect: [
      { s: 200, threePhaseA: 10 },
      { s: 250, threePhaseA: 6 },
      { s: 260, threePhaseA: 6, limitedBy: 'hold-off' },
    ],
  },
];

describe('hold-off after a forced drop', () => {
  test.each(rows)('$name', (row) => {
    const last = Math.max(...row.expect.map((e) => e.s));
    const steps = [];
    for (let s = 0; s <= last; s++) {
      const t = T0 + s * 1000;
      steps.push({ nowMs: t + 300, reading: dsmr5(t, [Math.round(row.l1A(s)), 2, 1]) });
    }
    const answers = run(row.settings, steps).answers;
    for (const e of row.expect) {
      const h = answers[e.s]!;
      expect({ s: e.s, threePhaseA: h.threePhaseA }).toEqual({ s: e.s, threePhaseA: e.threePhaseA });
      if (e.limitedBy) expect({ s: e.s, limitedBy: h.limitedBy }).toEqual({ s: e.s, limitedBy: e.limitedBy });
    }
  });
});
