// The Norwegian step rests on the three highest daily maxima of the month (today's included).
// tariff.ts picks them without sorting (one pass over the other days, remembered per object, and
// today's value put in place by comparisons): checked here against a plain sort over seeded
// months with ties, few days, and today's value anywhere in the order.
import { tariffBudget } from '../../decoders/headroom/tariff';
import type { ResolvedCurrents } from '../../decoders/headroom/currents';
import type { HeadroomState } from '../../decoders/headroom/types';
import { mulberry32 } from '../../tools/simulate/prng';
import { settingsOf } from './readings';

const settings = settingsOf({ tariff: { scheme: 'norway', stepsKwh: [2, 5, 10, 15, 20] } });
const r: ResolvedCurrents = {
  currentA: [1, 1, 1],
  source: ['measured', 'measured', 'measured'],
  loadA: [1, 1, 1],
  hiddenA: [0, 0, 0],
  voltageV: [230, 230, 230],
  allMeasured: true,
  fromSplit: false,
  powerW: 700,
  netPowerW: 700,
};
const kwh = (wh: number) => Math.round(wh / 10) / 100;

function reference(days: Record<string, number>, today: string, hourWh: number): { top: number[]; avg: number } {
  const others = Object.keys(days)
    .filter((d) => d !== today)
    .map((d) => days[d] as number);
  others.sort((a, b) => b - a);
  const todayMax = days[today] ?? hourWh;
  const top = others.slice(0, 3);
  let at = 0;
  while (at < top.length && (top[at] as number) >= todayMax) at++;
  top.splice(at, 0, todayMax);
  top.length = Math.min(top.length, 3);
  let sum = 0;
  for (const v of top) sum += v;
  return { top, avg: sum / top.length };
}

test('the three highest days and their average equal a sort over seeded months', () => {
  const rng = mulberry32(21);
  const hourStart = Date.UTC(2026, 10, 20, 17);
  let checked = 0;
  for (let k = 0; k < 3000; k++) {
    const days: Record<string, number> = {};
    const n = Math.floor(rng() * 8);
    const today = '2026-11-' + String(1 + Math.floor(rng() * 28)).padStart(2, '0');
    for (let i = 0; i < n; i++) {
      const day = '2026-11-' + String(1 + Math.floor(rng() * 28)).padStart(2, '0');
      // Few distinct values, so ties (with today's too) are common.
      days[day] = 500 * Math.floor(rng() * 12);
    }
    const hourWh = 500 * Math.floor(rng() * 12);
    const state = {
      norway: { monthKey: '2026-11', dayMaxWh: days, hourStartUtcMs: hourStart, hourDayKey: today, hourLabel: today + 'T18', hourEnergyWh: hourWh },
    } as unknown as HeadroomState;
    const got = tariffBudget(state, { protocol: 'dlms' } as never, { utcMs: hourStart + 600000, offsetMin: 60 }, r, 0, settings);
    const info = got.budget ? got.budget.tariff : got.info;
    const ref = reference(days, today, hourWh);
    expect(info?.topDaysKwh).toEqual(ref.top.map(kwh));
    expect(info?.monthAverageKwh).toBe(kwh(ref.avg));
    checked++;
  }
  expect(checked).toBe(3000);
});
