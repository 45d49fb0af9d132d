// Belgian capacity tariff (15-minute average demand against the month peak or a target) and the
// optional total power limit.
import { createHeadroomState, stepHeadroom } from '../../decoders/headroom/index';
import type { MeterReading } from '../../decoders/reading';
import { T0, dsmr5, last, repeatFrames, run, settingsOf } from './readings';

const be = settingsOf({ fuseA: 40, marginA: 2, tariff: { scheme: 'belgium', targetKw: 2.5 } });
// T0 is 18:00:00 CET, a quarter start.

function fluvius(t: number, a: [number, number, number], extra: Partial<MeterReading> = {}): MeterReading {
  return { ...dsmr5(t, a), ...extra };
}

describe('Belgium', () => {
  test('running average from the meter (1-0:1.4.0) against the month peak (1-0:1.6.0)', () => {
    const t = T0 + 600000; // 18:10, 600 s into the quarter
    const h = stepHeadroom(
      createHeadroomState(),
      {
        nowMs: t + 300,
        reading: fluvius(t, [3, 3, 2.7], { averageDemandW: 2000, monthPeakW: 3000 }),
      },
      be,
    ).headroom;
    const tar = h.tariff!;
    expect(tar.scheme).toBe('belgium');
    expect(tar.targetW).toBe(3000);
    expect(tar.monthPeakW).toBe(3000);
    expect(tar.quarterAverageW).toBe(2000);
    // 750 Wh allowed in the quarter, 333 used, 417 Wh over 300 s = 5000 W; house 8.7 A * 230 V = 2001 W.
    const houseW = Math.round(3 * 230 + 3 * 230 + 2.7 * 230);
    expect(tar.chargerBudgetW).toBeCloseTo(5000 - houseW, -1);
    expect(tar.onePhaseA).toBe(Math.floor(((5000 - houseW) / 230) * 10) / 10);
    expect(tar.threePhaseA).toBe(Math.floor(((5000 - houseW) / 690) * 10) / 10);
    expect(h.reason).toMatch(/month peak/);
  });

  test('a month peak below the target: the target is defended', () => {
    const t = T0 + 60000;
    const h = stepHeadroom(
      createHeadroomState(),
      {
        nowMs: t,
        reading: fluvius(t, [1, 1, 1], { averageDemandW: 500, monthPeakW: 1200 }),
      },
      be,
    ).headroom;
    expect(h.tariff?.targetW).toBe(2500);
  });

  test('without 1-0:1.4.0 the engine integrates the quarter itself, and starts again at :15', () => {
    const steps = repeatFrames(14 * 60 + 1, 1, T0, (t) => fluvius(t, [4, 4, 4])); // 2760 W for 14 min
    const { answers, state } = run(be, steps);
    const mid = last(answers).tariff!;
    expect(mid.quarterAverageW).toBeGreaterThan(2700);
    expect(mid.quarterAverageW).toBeLessThan(2800);
    // 2760 W for 14 min > 2.5 kW target over 15 min already: no budget left.
    expect(mid.chargerBudgetW).toBe(0);
    expect(last(answers).limitedBy).toBe('tariff');
    // The house drops to 690 W at 18:15: a fresh quarter, a budget again.
    const next = run(
      be,
      repeatFrames(60, 1, T0 + 15 * 60000, (t) => fluvius(t, [1, 1, 1])),
      state,
    ).answers;
    expect(last(next).tariff?.quarterAverageW).toBe(690);
    expect(next[1]?.tariff?.chargerBudgetW).toBeGreaterThan(1700);
  });
});

describe('power limit', () => {
  const pl = settingsOf({ fuseA: 25, marginA: 2, powerLimitKw: 11 });

  test('the charger gets the limit minus the house, in amps per phase', () => {
    const a = run(
      pl,
      repeatFrames(61, 1, T0, (t) => dsmr5(t, [10, 10, 6.087])),
    ).answers; // 6000 W
    const h = last(a);
    expect(h.tariff?.scheme).toBe('power-limit');
    expect(h.tariff?.chargerBudgetW).toBe(5000);
    expect(h.threePhaseA).toBe(7.2); // 5000 / 690
    expect(h.limitedBy).toBe('power-limit');
    expect(h.reason).toMatch(/power limit 11 kW: the house uses 6.0 kW/);
    expect(h.onePhaseA).toBe(16.9); // fuse on L3 (23 - 6.087) is below 5000/230
  });

  test("the charger's own power is added back", () => {
    const h = last(
      run(
        pl,
        repeatFrames(61, 1, T0, (t) => dsmr5(t, [17, 17, 13.087]), [7, 7, 7]),
      ).answers,
    );
    expect(h.tariff?.chargerBudgetW).toBe(5000);
  });

  test('solar export makes room', () => {
    const h = last(
      run(
        pl,
        repeatFrames(61, 1, T0, (t) => ({ ...dsmr5(t, [3, 3, 3]), powerImportW: 0, powerExportW: 2000 })),
      ).answers,
    );
    expect(h.tariff?.chargerBudgetW).toBe(13000);
  });

  test('no power in the frame: nothing allowed, and it says why', () => {
    const r: MeterReading = { protocol: 'dsmr', l1: { currentA: 1 }, l2: { currentA: 1 }, l3: { currentA: 1 } };
    const h = stepHeadroom(createHeadroomState(), { nowMs: T0, reading: r }, pl).headroom;
    expect(h.threePhaseA).toBe(0);
    expect(h.tariff?.note).toMatch(/no power/);
  });
});

test('DSMR per-tariff registers (1.8.1 + 1.8.2) correct the quarter when no running average is sent', () => {
  // Power says 690 W but the registers climb 1 Wh per second (3600 W): the registers win.
  const steps = repeatFrames(301, 1, T0, (t) => {
    const i = (t - T0) / 1000;
    return { ...fluvius(t, [1, 1, 1]), energyImportTariffWh: [1000000, 2000000 + i] };
  });
  const h = last(run(be, steps).answers);
  expect(h.tariff?.quarterAverageW).toBeGreaterThan(3550);
  expect(h.tariff?.quarterAverageW).toBeLessThan(3650);
});
