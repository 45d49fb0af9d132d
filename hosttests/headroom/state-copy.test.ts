// stepHeadroom copies the caller's state before it works on it: explicitly, object by object, not
// through a JSON round trip (that was 75 % of the engine's time, docs/simulation.md finding 4).
// The copy must be deep wherever the engine writes: rows run a history that fills every nested
// part of the state (split, output, tariff figures, Norwegian days, Belgian quarter), then step a
// deep-frozen copy of it: any write into the caller's objects would throw or show in the JSON.
import type { MeterReading } from '../../decoders/reading';
import type { HeadroomSettings, HeadroomState } from '../../decoders/headroom/index';
import { stepHeadroom } from '../../decoders/headroom/index';
import { T0, dsmr5, hanItFull, hanShort, isoLocal, run, settingsOf } from './readings';

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

type Row = { name: string; settings: HeadroomSettings; frame: (t: number, i: number) => MeterReading; every: number };

const rows: Row[] = [
  {
    name: 'Norway, IT, full and short lists (split, L2 bound, capacity tariff days and hours)',
    settings: settingsOf({ fuseA: 40, gridType: 'IT', tariff: { scheme: 'norway', stepsKwh: [2, 5, 10] } }),
    frame: (t, i) => (i % 4 === 0 ? hanItFull(t, 12 + (i % 7), 9, 4000 + 100 * (i % 5)) : hanShort(t, 4200 + 50 * (i % 3))),
    every: 2500,
  },
  {
    name: 'Belgium, TN, DSMR 5 (quarter-hour average, month peak)',
    settings: settingsOf({ fuseA: 25, tariff: { scheme: 'belgium', targetKw: 2.5 } }),
    frame: (t, i) => ({ ...dsmr5(t, [8 + (i % 3), 4, 3]), averageDemandW: 2000 + i, monthPeakW: 3100 }),
    every: 1000,
  },
  {
    name: 'power limit, TN, HAN short frames without a split yet, then full lists',
    settings: settingsOf({ fuseA: 25, powerLimitKw: 7 }),
    frame: (t, i) => (i < 3 ? hanShort(t, 2000) : { ...dsmr5(t, [6, 6, 6]), protocol: 'dlms', meterTime: isoLocal(t, 60) }),
    every: 2000,
  },
];

describe("the caller's state is left as it was", () => {
  test.each(rows)('$name', (row) => {
    const steps = Array.from({ length: 400 }, (_, i) => ({
      nowMs: T0 + i * row.every,
      reading: row.frame(T0 + i * row.every, i),
      chargerA: [6, 6, 6] as [number, number, number],
    }));
    let { state } = run(row.settings, steps);
    for (let i = 0; i < 20; i++) {
      const t = T0 + (400 + i) * row.every;
      const frozen = deepFreeze(JSON.parse(JSON.stringify(state)) as HeadroomState);
      const before = JSON.stringify(frozen);
      const input = i % 5 === 4 ? { nowMs: t } : { nowMs: t, reading: row.frame(t, 400 + i), chargerA: [6, 6, 6] as [number, number, number] };
      const fromFrozen = stepHeadroom(frozen, input, row.settings);
      expect(JSON.stringify(frozen)).toBe(before);
      // Same answer and next state as from an unfrozen copy.
      expect(fromFrozen).toEqual(stepHeadroom(JSON.parse(before) as HeadroomState, input, row.settings));
      state = fromFrozen.state;
    }
    expect(state.out).toBeDefined();
  });

  test('no JSON round trip per step (the copy is structural)', () => {
    const row = rows[0]!;
    const { state } = run(
      row.settings,
      Array.from({ length: 40 }, (_, i) => ({ nowMs: T0 + i * 2500, reading: row.frame(T0 + i * 2500, i) })),
    );
    const stringify = jest.spyOn(JSON, 'stringify');
    const parse = jest.spyOn(JSON, 'parse');
    try {
      stepHeadroom(state, { nowMs: T0 + 100000, reading: row.frame(T0 + 100000, 40) }, row.settings);
      expect(stringify).not.toHaveBeenCalled();
      expect(parse).not.toHaveBeenCalled();
    } finally {
      stringify.mockRestore();
      parse.mockRestore();
    }
  });
});
