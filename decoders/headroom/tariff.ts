/**
 * Capacity tariffs: energy bookkeeping by local clock hour / quarter hour, and the power the
 * charger may add without raising the bill.
 *
 * Energy: integrated from import power between frames (trapezoid; gaps over 60 s are not filled
 * in, the register fills them), and replaced by the import register's delta when a register value
 * comes. Norwegian meters send the register only hourly (list 3, stamped hh:00:00): its correction
 * belongs to the hour that ENDS at its time stamp, so corrections go to the hour holding
 * (register time - 1 ms), which may be the hour before the current one (kept open for that).
 * A downward correction lowers the hour but not a day maximum already recorded: on the safe side
 * (the bill is computed from the higher figure, so the budget comes out smaller, never larger).
 *
 * Norway (kapasitetsledd): monthly step = average of the three highest hourly energies, each from
 * a different day. The step threshold defended is the lowest one at or above the month's current
 * average (what is already reached is already paid). This hour may reach
 *   min(T, 3T - a - b)   (a, b: the two highest daily maxima of OTHER days this month),
 * i.e. never above the threshold itself (an early-month hour above T would borrow from later
 * days), and less when the month's two highest days already use more than their share. The rest
 * of the hour's budget spread over the rest of the hour is the average power allowed; the house
 * (without the charger) is taken to keep drawing what it draws now; the difference is the
 * charger's budget.
 *
 * Belgium (Flanders): the quarter-hour average demand is billed on the month's peak. Target
 * = max(targetKw, month peak so far) (a peak already reached costs nothing more). Energy of the
 * quarter so far = the meter's running average demand (1-0:1.4.0) times the elapsed time, or our
 * own integration when the meter does not send it.
 */
import type { MeterReading } from '../reading';
import type { HeadroomSettings } from './settings';
import type { HeadroomState, NorwayTariffState, TariffHeadroom } from './types';
import type { ResolvedCurrents } from './currents';
import { isItGrid } from './currents';
import { wattsToAmps, type ChargerBudget } from './power-limit';
import { localKeys } from './time';

interface Clock {
  utcMs: number;
  offsetMin: number;
}

const MAX_GAP_MS = 60000;
const QUARTER_MS = 900000;

// The reading here is the checked one (decoders/plausibility): every number in it is finite and
// within its range, or absent.

function importPowerW(reading: MeterReading): number | undefined {
  if (reading.powerImportW !== undefined) return reading.powerImportW;
  if (reading.powerExportW !== undefined) return 0;
  let any = false;
  let sum = 0;
  const lines = [reading.l1, reading.l2, reading.l3];
  for (let p = 0; p < 3; p++) {
    const v = lines[p]?.powerImportW;
    if (v !== undefined) {
      sum += v;
      any = true;
    }
  }
  return any ? sum : undefined;
}

/** The import register: the total, or (DSMR, which sends only per-tariff registers) their sum. */
function importRegisterWh(reading: MeterReading): number | undefined {
  if (reading.energyImportWh !== undefined) return reading.energyImportWh;
  const parts = reading.energyImportTariffWh;
  if (parts === undefined || parts.length === 0) return undefined;
  let sum = 0;
  for (let k = 0; k < parts.length; k++) sum += parts[k] as number;
  return sum;
}

function norway(state: HeadroomState): NorwayTariffState {
  if (!state.norway) state.norway = { dayMaxWh: {}, hourEnergyWh: 0 };
  return state.norway;
}

/*
 * The month's day maxima (dayMaxWh, one key per day) are copied on write, not on every step:
 * the state's copy (engine.ts copyState) shares the caller's object, and the first write of a
 * step copies it (ownedDayMax: the object this step made, so later writes of the same step go
 * in place). The caller's state is never written, and an object never changes once a step has
 * returned it: so the three highest other days can be remembered by the object's identity
 * (topOthers), instead of a walk over up to 31 days on every step (~2,000 XS computrons on
 * day 29). Both are run-time module variables (writable on Moddable, unlike preloaded objects);
 * ownedDayMax is cleared at the start of every accountEnergy, the only path that writes.
 */
let ownedDayMax: Record<string, number> | undefined;

/** The three highest day maxima of the days other than `today` in `days` (o1 >= o2 >= o3). */
interface TopOthers {
  days: Record<string, number>;
  today: string;
  o1: number | undefined;
  o2: number | undefined;
  o3: number | undefined;
}
let topOthers: TopOthers | undefined;

function raiseDayMax(ns: NorwayTariffState, dayKey: string | undefined, wh: number): void {
  if (!dayKey || !ns.monthKey || dayKey.slice(0, 7) !== ns.monthKey) return;
  const old = ns.dayMaxWh;
  const cur = old[dayKey];
  if (!(cur === undefined || wh > cur)) return;
  let days = old;
  if (days !== ownedDayMax) {
    days = { ...old };
    ownedDayMax = days;
    ns.dayMaxWh = days;
  }
  days[dayKey] = wh;
  // Raising today's value leaves the other days' top three as it was; any other day's does not.
  const memo = topOthers;
  if (memo !== undefined && (memo.days === old || memo.days === days)) {
    if (memo.today === dayKey) memo.days = days;
    else topOthers = undefined;
  }
}

/** The three highest day maxima of the other days, remembered for the object (see ownedDayMax). */
function othersTop(days: Record<string, number>, today: string): TopOthers {
  const memo = topOthers;
  if (memo !== undefined && memo.days === days && memo.today === today) return memo;
  // Picked in one pass instead of sorting the month's days.
  let o1: number | undefined;
  let o2: number | undefined;
  let o3: number | undefined;
  for (const day in days) {
    if (day === today) continue;
    const v = days[day] as number;
    if (o1 === undefined || v > o1) {
      o3 = o2;
      o2 = o1;
      o1 = v;
    } else if (o2 === undefined || v > o2) {
      o3 = o2;
      o2 = v;
    } else if (o3 === undefined || v > o3) o3 = v;
  }
  const top: TopOthers = { days, today, o1, o2, o3 };
  topOthers = top;
  return top;
}

/** Move the hour being filled forward to the hour holding `utcMs`. */
function advanceHour(ns: NorwayTariffState, utcMs: number, offsetMin: number): void {
  // The hour start alone first (runs on every step); the calendar keys (a Date and strings) only
  // when the hour has changed.
  // (localHourStartUtcMs written out.)
  if (ns.hourStartUtcMs !== undefined) {
    const offsetMs = offsetMin * 60000;
    if (Math.floor((utcMs + offsetMs) / 3600000) * 3600000 - offsetMs <= ns.hourStartUtcMs) return;
  }
  const k = localKeys(utcMs, offsetMin);
  if (ns.monthKey !== k.monthKey) {
    ns.monthKey = k.monthKey;
    ns.dayMaxWh = {};
    ownedDayMax = ns.dayMaxWh;
  }
  if (ns.hourStartUtcMs !== undefined) {
    ns.prevHourStartUtcMs = ns.hourStartUtcMs;
    ns.prevHourEnergyWh = ns.hourEnergyWh;
    if (ns.hourDayKey !== undefined) ns.prevHourDayKey = ns.hourDayKey;
  }
  ns.hourStartUtcMs = k.hourStartUtcMs;
  ns.hourLabel = k.hourLabel;
  ns.hourDayKey = k.dayKey;
  ns.hourEnergyWh = 0;
}

/** Add energy to the hour holding `atUtcMs` (the current one, or the one before). */
function addHourEnergy(ns: NorwayTariffState, atUtcMs: number, offsetMin: number, wh: number): void {
  advanceHour(ns, atUtcMs, offsetMin);
  const offsetMs = offsetMin * 60000;
  const start = Math.floor((atUtcMs + offsetMs) / 3600000) * 3600000 - offsetMs; // localHourStartUtcMs
  if (start === ns.hourStartUtcMs) {
    ns.hourEnergyWh = Math.max(0, ns.hourEnergyWh + wh);
    raiseDayMax(ns, ns.hourDayKey, ns.hourEnergyWh);
  } else if (start === ns.prevHourStartUtcMs && ns.prevHourEnergyWh !== undefined) {
    ns.prevHourEnergyWh = Math.max(0, ns.prevHourEnergyWh + wh);
    raiseDayMax(ns, ns.prevHourDayKey, ns.prevHourEnergyWh);
  }
  // Older hours are closed: a correction that late is dropped.
}

function addQuarterEnergy(state: HeadroomState, atUtcMs: number, wh: number): void {
  const start = Math.floor(atUtcMs / QUARTER_MS) * QUARTER_MS;
  if (!state.quarter || state.quarter.startUtcMs === undefined || start > state.quarter.startUtcMs) {
    state.quarter = { startUtcMs: start, energyWh: 0 };
  }
  if (start === state.quarter.startUtcMs) state.quarter.energyWh = Math.max(0, state.quarter.energyWh + wh);
}

/** Spread energy over [t0, t1] into hour / quarter buckets, split at their boundaries. */
function addInterval(state: HeadroomState, t0: number, t1: number, wh: number, offsetMin: number, settings: HeadroomSettings): void {
  if (!(t1 > t0) || wh === 0) return;
  const unit = settings.tariff.scheme === 'belgium' ? QUARTER_MS : 3600000;
  let a = t0;
  while (a < t1) {
    // Boundaries of hours in local time fall on whole UTC hours for whole-hour offsets.
    const shifted = a + offsetMin * 60000;
    const next = Math.min(t1, Math.floor(shifted / unit) * unit + unit - offsetMin * 60000);
    const part = (wh * (next - a)) / (t1 - t0);
    if (settings.tariff.scheme === 'belgium') addQuarterEnergy(state, next - 1, part);
    else addHourEnergy(norway(state), next - 1, offsetMin, part);
    a = next;
  }
}

/** Book this frame's energy. `fresh` = a new frame (a repeated one adds no power sample). */
export function accountEnergy(state: HeadroomState, reading: MeterReading, clock: Clock, fresh: boolean, settings: HeadroomSettings): void {
  ownedDayMax = undefined; // a new step: every day-maxima object in the state is someone's (see above)
  const e = state.energy;
  const t = clock.utcMs;
  if (settings.tariff.scheme === 'norway') advanceHour(norway(state), t, clock.offsetMin);
  else if (settings.tariff.scheme === 'belgium') addQuarterEnergy(state, t, 0);

  const p = fresh ? importPowerW(reading) : undefined;
  if (p !== undefined) {
    if (e.lastUtcMs !== undefined && e.lastPowerW !== undefined && t > e.lastUtcMs && t - e.lastUtcMs <= MAX_GAP_MS) {
      const wh = (((e.lastPowerW + p) / 2) * (t - e.lastUtcMs)) / 3600000;
      addInterval(state, e.lastUtcMs, t, wh, clock.offsetMin, settings);
      e.integratedSinceRegisterWh += wh;
    }
    if (e.lastUtcMs === undefined || t > e.lastUtcMs) {
      e.lastUtcMs = t;
      e.lastPowerW = p;
    }
  }

  const reg = importRegisterWh(reading);
  if (reg !== undefined) {
    if (e.lastRegisterWh !== undefined && e.lastRegisterUtcMs !== undefined && t > e.lastRegisterUtcMs) {
      const delta = reg - e.lastRegisterWh;
      // A register going backwards or jumping by more than 1 MWh is a meter swap, not consumption.
      if (delta >= 0 && delta < 1e6) {
        const correction = delta - e.integratedSinceRegisterWh;
        if (correction !== 0) {
          if (settings.tariff.scheme === 'belgium') addQuarterEnergy(state, t - 1, correction);
          else addHourEnergy(norway(state), t - 1, clock.offsetMin, correction);
        }
      }
    }
    if (e.lastRegisterUtcMs === undefined || t > e.lastRegisterUtcMs) {
      e.lastRegisterWh = reg;
      e.lastRegisterUtcMs = t;
      e.integratedSinceRegisterWh = 0;
    }
  }
}

function kwh(wh: number): number {
  return Math.round(wh / 10) / 100;
}

/**
 * The charger's budget under the capacity tariff; or, when the scheme sets no limit now, an
 * explanation (`info`) for the published answer.
 */
export function tariffBudget(
  state: HeadroomState,
  reading: MeterReading,
  clock: Clock | undefined,
  r: ResolvedCurrents,
  chargerW: number,
  settings: HeadroomSettings,
): { budget?: ChargerBudget; info?: TariffHeadroom } {
  const tariff = settings.tariff;
  if (tariff.scheme === 'none') return {};
  const it = isItGrid(settings, reading);
  const n = settings.phases;
  const houseW = (r.netPowerW ?? 0) - chargerW;
  const scheme = tariff.scheme;
  if (!clock) {
    return { info: { scheme, note: 'no calendar (no meter time stamp and the clock is not set): tariff not applied' } };
  }

  if (tariff.scheme === 'norway') {
    const ns = state.norway;
    if (!ns || ns.hourStartUtcMs === undefined || !ns.hourDayKey) return { info: { scheme, note: 'no hour tracked yet' } };
    const today = ns.hourDayKey;
    // The three highest daily maxima of the other days, largest first (o1 >= o2 >= o3).
    const others = othersTop(ns.dayMaxWh, today);
    const o1 = others.o1;
    const o2 = others.o2;
    const o3 = others.o3;
    const todayMax = ns.dayMaxWh[today] ?? ns.hourEnergyWh;
    // The three highest of those and today's, largest first (today's after any equal one): t1..t3,
    // `count` of them (o1..o3 are filled in order, so o2 is set only when o1 is). Scalars instead
    // of an array with push and splice: this runs on every step.
    let t1: number;
    let t2: number | undefined;
    let t3: number | undefined;
    let count: number;
    if (o1 === undefined) {
      t1 = todayMax;
      count = 1;
    } else if (!(o1 >= todayMax)) {
      t1 = todayMax;
      t2 = o1;
      t3 = o2;
      count = o2 === undefined ? 2 : 3;
    } else if (o2 === undefined) {
      t1 = o1;
      t2 = todayMax;
      count = 2;
    } else if (!(o2 >= todayMax)) {
      t1 = o1;
      t2 = todayMax;
      t3 = o2;
      count = 3;
    } else {
      t1 = o1;
      t2 = o2;
      t3 = o3 !== undefined && o3 >= todayMax ? o3 : todayMax;
      count = 3;
    }
    // Summed in the same order as before (0 + t1 + t2 + t3), so the average is the same double.
    let avgWh = 0;
    avgWh += t1;
    if (count > 1) avgWh += t2 as number;
    if (count > 2) avgWh += t3 as number;
    avgWh = avgWh / count;
    let thresholdKwh: number | undefined;
    const steps = tariff.stepsKwh;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i] as number;
      if (avgWh <= s * 1000 + 1e-6) {
        thresholdKwh = s;
        break;
      }
    }
    // kWh with two decimals (kwh() written out: this runs on every step).
    const k1 = Math.round(t1 / 10) / 100;
    const topDaysKwh =
      count === 1
        ? [k1]
        : count === 2
          ? [k1, Math.round((t2 as number) / 10) / 100]
          : [k1, Math.round((t2 as number) / 10) / 100, Math.round((t3 as number) / 10) / 100];
    if (thresholdKwh === undefined) {
      // Already above the highest step: nothing more to save this month.
      return {
        info: {
          scheme,
          hour: ns.hourLabel as string,
          hourEnergyWh: Math.round(ns.hourEnergyWh),
          monthAverageKwh: kwh(avgWh),
          topDaysKwh,
          note: 'the month is above the highest step: no tariff limit',
        },
      };
    }
    const T = thresholdKwh * 1000;
    const a = o1;
    const b = o2;
    // An hour earlier today that already reached more may be matched at no cost.
    const earlierTodayWh = todayMax > ns.hourEnergyWh ? todayMax : 0;
    const hourMaxWh = Math.max(earlierTodayWh, a !== undefined && b !== undefined ? Math.min(T, 3 * T - a - b) : T);
    const remainingWh = hourMaxWh - ns.hourEnergyWh;
    const secondsLeft = Math.max(1, (ns.hourStartUtcMs + 3600000 - clock.utcMs) / 1000);
    const allowedW = remainingWh > 0 ? (remainingWh * 3600) / secondsLeft : 0;
    const budgetW = Math.max(0, allowedW - houseW);
    const amps = wattsToAmps(budgetW, r.voltageV, it, n);
    return {
      budget: {
        kind: 'tariff',
        chargerBudgetW: Math.round(budgetW),
        threePhaseA: amps.threePhaseA,
        onePhaseA: amps.onePhaseA,
        reason: () =>
          `capacity step ${thresholdKwh} kWh/h: ${kwh(Math.max(0, remainingWh))} kWh left this hour (${kwh(ns.hourEnergyWh)} of ${kwh(hourMaxWh)} used)`,
        tariff: {
          scheme,
          threePhaseA: amps.threePhaseA,
          onePhaseA: amps.onePhaseA,
          chargerBudgetW: Math.round(budgetW),
          hour: ns.hourLabel as string,
          hourEnergyWh: Math.round(ns.hourEnergyWh),
          hourBudgetWh: Math.round(hourMaxWh),
          stepKwh: thresholdKwh,
          monthAverageKwh: Math.round(avgWh / 10) / 100,
          topDaysKwh,
        },
      },
    };
  }

  // Belgium.
  const q = state.quarter;
  const start = Math.floor(clock.utcMs / QUARTER_MS) * QUARTER_MS;
  const elapsedS = Math.max(0, (clock.utcMs - start) / 1000);
  let quarterWh = q && q.startUtcMs === start ? q.energyWh : 0;
  let quarterAverageW = elapsedS > 0 ? (quarterWh * 3600) / elapsedS : 0;
  const meterAverageW = reading.averageDemandW;
  if (meterAverageW !== undefined) {
    quarterAverageW = meterAverageW;
    quarterWh = (quarterAverageW * elapsedS) / 3600;
  }
  const monthPeakW = reading.monthPeakW;
  const targetW = Math.max(tariff.targetKw * 1000, monthPeakW ?? 0);
  const remainingWh = targetW / 4 - quarterWh;
  const secondsLeft = Math.max(1, 900 - elapsedS);
  const allowedW = remainingWh > 0 ? (remainingWh * 3600) / secondsLeft : 0;
  const budgetW = Math.max(0, allowedW - houseW);
  const amps = wattsToAmps(budgetW, r.voltageV, it, n);
  const t: ChargerBudget['tariff'] = {
    scheme,
    threePhaseA: amps.threePhaseA,
    onePhaseA: amps.onePhaseA,
    chargerBudgetW: Math.round(budgetW),
    quarterAverageW: Math.round(quarterAverageW),
    targetW: Math.round(targetW),
  };
  // (+ 0: a meter's -0 would round to -0, which JSON writes as 0: the answer must survive JSON.)
  if (monthPeakW !== undefined) t.monthPeakW = Math.round(monthPeakW) + 0;
  return {
    budget: {
      kind: 'tariff',
      chargerBudgetW: Math.round(budgetW),
      threePhaseA: amps.threePhaseA,
      onePhaseA: amps.onePhaseA,
      reason: () =>
        `15-minute demand ${(quarterAverageW / 1000).toFixed(2)} kW against ${(targetW / 1000).toFixed(2)} kW (${monthPeakW !== undefined && monthPeakW > tariff.targetKw * 1000 ? 'month peak' : 'target'})`,
      tariff: t,
    },
  };
}
