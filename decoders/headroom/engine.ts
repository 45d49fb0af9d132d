/**
 * The headroom step: (previous state, new frame or timer tick, settings) -> (answer, next state).
 * Pure: no timers, no globals, no clock of its own (time comes in as input.nowMs and the meter's
 * own time stamps). The state is plain JSON and is copied, never mutated in place.
 *
 * Per frame first the plausibility check (decoders/plausibility): impossible values out,
 * contradictions resolved to the larger current; everything below reads the checked frame.
 * Per fresh frame:
 *   1. line currents: measured, estimated or bounded (currents.ts), never a missing one as 0 A;
 *   2. per line: headroomA = limit - margin - (current - own charger current), never below 0;
 *   3. budgets that cap the charger as a whole: power limit, capacity tariff (W -> A);
 *   4. targets: three-phase = min over lines and budgets; one-phase = best line (TN) or best
 *      pair of lines (IT, where a one-phase charger sits between two lines and loads both);
 *   5. regulation (regulate.ts): down at once, up gradually (one rise per riseIntervalS), a
 *      reserve for a load that went off;
 *   6. the minimum charging current: below it the answer is 0.
 * Without a fresh frame the last answer is held while it is young, then the fail-safe ladder:
 *   age <= staleAfterS: held as is; <= safeFallbackAfterS: held, status 'stale';
 *   <= zeroAfterS: at most safeCurrentA, status 'safe-fallback'; beyond: 0 A, status 'no-data'.
 * Age is counted from the arrival of the last frame with new data, plus how far that frame's own
 * time stamp lagged behind the usual transport delay (a bridge that delivers old frames late).
 */
import type { MeterReading } from '../reading';
import type { HeadroomSettings } from './settings';
import type { CurrentSource, Headroom, HeadroomInput, HeadroomState, HeadroomStatus, OutputState, PhaseHeadroom, TariffHeadroom } from './types';
import { checkReading, type PlausibilityCheck } from '../plausibility/index';
import { isWallClock } from '../plausibility/ranges';
import { chargerPowerW, framePower, hasLoadData, isItGrid, resolveCurrents, type ResolvedCurrents } from './currents';
import { regulateOutput, type OutputStep, type OutputTrack } from './regulate';
import { floorTenth, roundTenth } from './rounding';
import { powerLimitBudget, type ChargerBudget } from './power-limit';
import { localOffsetMin, parseWallTime, wallToUtc, type ClockSettings } from './time';
import { accountEnergy, tariffBudget } from './tariff';

export function createHeadroomState(): HeadroomState {
  return { version: 1, lagMs: 0, voltageV: [null, null, null], energy: { integratedSinceRegisterWh: 0 } };
}

const LINE_NAMES = ['L1', 'L2', 'L3'];
/** limitedBy for a fuse-bound line (no toLowerCase per step). */
const FUSE_LIMITS = ['fuse-l1', 'fuse-l2', 'fuse-l3'];

/** A line (TN: a === b) or pair of lines (IT: a and b) a one-phase charger may use. */
interface Candidate {
  line: string;
  a: number;
  b: number;
}
// The usual candidate lists, built once and only read (the wired chargerLine case builds its own).
const ONE_PHASE_SUPPLY: readonly Candidate[] = [{ line: 'L1', a: 0, b: 0 }];
const TN_LINES: readonly Candidate[] = [
  { line: 'L1', a: 0, b: 0 },
  { line: 'L2', a: 1, b: 1 },
  { line: 'L3', a: 2, b: 2 },
];
const IT_PAIRS: readonly Candidate[] = [
  { line: 'L1-L2', a: 0, b: 1 },
  { line: 'L1-L3', a: 0, b: 2 },
  { line: 'L2-L3', a: 1, b: 2 },
];
/** A meter clock jump larger than this is a clock correction, not a delayed frame. */
const CLOCK_STEP_MS = 10 * 60 * 1000;
/** How fast the transport-delay baseline follows a lasting increase, ms per frame. */
const SKEW_CREEP_MS = 50;

/**
 * A copy of the caller's state, or a fresh one when what came in is not a state of this version
 * (restored from storage after an update, corrupted): starting over costs a ramp-up, a bad state
 * could cost the fuse.
 *
 * The caller's state is never changed. The copy is shallow: nested objects and arrays (out,
 * split, voltageV) are shared with the caller's state and never written in place; the engine
 * puts a new object in their place when it changes one (computeFresh, lowerForAge). A deep copy
 * per step was a fifth of a held step under XS. The capacity-tariff bookkeeping (tariff.ts)
 * writes into energy, norway and quarter in place, so those are copied when a tariff is set
 * (all but norway.dayMaxWh, which tariff.ts copies on its first write of a step).
 * A field added to HeadroomState that holds an object must follow one of the two rules; the
 * state-copy test steps a deep-frozen state, so a write into the caller's objects fails it.
 */
function copyState(s: HeadroomState, settings: HeadroomSettings): HeadroomState {
  // (x - x === 0: Number.isFinite for a number, without the call.)
  const ok =
    s !== null &&
    typeof s === 'object' &&
    s.version === 1 &&
    typeof s.lagMs === 'number' &&
    s.lagMs - s.lagMs === 0 &&
    Array.isArray(s.voltageV) &&
    s.voltageV.length === 3 &&
    s.energy !== null &&
    typeof s.energy === 'object' &&
    typeof s.energy.integratedSinceRegisterWh === 'number';
  if (!ok) return createHeadroomState();
  const c: HeadroomState = { ...s };
  if (settings.tariff.scheme !== 'none') {
    c.energy = { ...s.energy };
    // dayMaxWh stays shared: tariff.ts copies it on its first write of the step (raiseDayMax).
    if (s.norway) c.norway = { ...s.norway };
    if (s.quarter) c.quarter = { ...s.quarter };
  }
  return c;
}

function copyTariff(t: TariffHeadroom): TariffHeadroom {
  const c: TariffHeadroom = { ...t };
  if (t.topDaysKwh) c.topDaysKwh = t.topDaysKwh.slice();
  return c;
}

/** No charger current given: shared, never written (the engine copies it when it keeps it). */
const NO_CHARGER: readonly number[] = [0, 0, 0];

function sanitizeCharger(c: [number, number, number] | undefined): readonly number[] {
  if (!c) return NO_CHARGER;
  const out = new Array<number>(0, 0, 0);
  for (let p = 0; p < 3; p++) {
    const v = c[p];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[p] = v;
  }
  return out;
}

export interface FrameClock {
  /** The frame's instant, UTC ms, and the local offset in force. */
  utcMs: number;
  offsetMin: number;
  /** True when the instant came from the meter's own time stamp. */
  fromMeter: boolean;
}

/** The frame's instant: the meter's own time (with its offset, or local by the settings' rule), else arrival. */
export function frameClock(reading: MeterReading | undefined, nowMs: number, state: HeadroomState, clock: ClockSettings): FrameClock | undefined {
  const wall = reading && reading.meterTime ? parseWallTime(reading.meterTime) : undefined;
  if (wall) {
    if (wall.offsetMin !== undefined) return { utcMs: wall.wallMs - wall.offsetMin * 60000, offsetMin: wall.offsetMin, fromMeter: true };
    let hint: number | undefined;
    if (isWallClock(nowMs)) hint = nowMs;
    else if (state.lastUtcMs !== undefined && state.lastFreshMs !== undefined) hint = state.lastUtcMs + (nowMs - state.lastFreshMs);
    const r = wallToUtc(wall.wallMs, clock, hint);
    return { utcMs: r.utcMs, offsetMin: r.offsetMin, fromMeter: true };
  }
  // A frame without a time stamp from a meter that stamps other frames (Aidon list 1 between
  // stamped lists): put it on the meter's clock through the transport-delay baseline, so energy
  // intervals do not jump between two clocks that may be minutes apart.
  if (state.skewBaseMs !== undefined) {
    const utcMs = nowMs - state.skewBaseMs;
    return { utcMs, offsetMin: localOffsetMin(utcMs, clock), fromMeter: false };
  }
  if (!isWallClock(nowMs)) return undefined;
  return { utcMs: nowMs, offsetMin: localOffsetMin(nowMs, clock), fromMeter: false };
}

/**
 * One step. `reading` in the result is the frame as checked (decoders/plausibility: without what
 * failed), when the input had one: what the caller may publish as the frame.
 */
export function stepHeadroom(
  previous: HeadroomState,
  input: HeadroomInput,
  settings: HeadroomSettings,
): { headroom: Headroom; state: HeadroomState; reading?: MeterReading } {
  const state = copyState(previous, settings);
  const nowMs = input.nowMs;
  const charger = input.chargerA ? sanitizeCharger(input.chargerA) : NO_CHARGER;
  // Everything below reads the checked frame: impossible values gone, contradictions resolved.
  const check = input.reading ? checkReading(input.reading, settings, nowMs) : undefined;
  const reading = check ? check.reading : undefined;
  const clock = frameClock(reading, nowMs, state, settings);

  let fresh = false;
  let timeBaseMs = nowMs;
  const previousLagMs = state.lagMs;
  // The frame's power, read once: it decides whether the frame brings load data, and the
  // currents are worked out from it.
  const power = reading ? framePower(reading) : undefined;
  if (reading && check && hasLoadData(check, power)) {
    fresh = true;
    if (clock && clock.fromMeter) {
      const last = state.lastMeterUtcMs;
      // The same time stamp again (or a little backwards) is a repeated frame, not new data;
      // unless it is the other kind of list stamped in the same second (a short and a full one).
      const otherKind = clock.utcMs === last && reading.frameKind !== state.lastFrameKind;
      if (last !== undefined && clock.utcMs <= last && last - clock.utcMs < CLOCK_STEP_MS && !otherKind) fresh = false;
      if (fresh) {
        const skew = nowMs - clock.utcMs;
        const base = state.skewBaseMs;
        const rebase = base === undefined || skew < base || skew - base > CLOCK_STEP_MS;
        if (rebase) state.skewBaseMs = skew;
        // The box and meter clocks drift apart (ppm) and the box clock may be stepped forward a
        // little: the baseline creeps up by SKEW_CREEP_MS per frame, so a persistent offset is
        // absorbed over time while a sudden lag (a stalled bridge) still shows at once.
        else state.skewBaseMs = (state.skewBaseMs as number) + Math.min(SKEW_CREEP_MS, skew - (state.skewBaseMs as number));
        state.lagMs = skew - (state.skewBaseMs as number);
        timeBaseMs = clock.utcMs + (state.skewBaseMs as number);
        state.lastMeterUtcMs = clock.utcMs;
      }
    } else if (fresh) {
      state.lagMs = 0;
    }
  }

  // Energy bookkeeping for capacity tariffs runs on every frame that brings power or energy.
  if (reading && clock && settings.tariff.scheme !== 'none') accountEnergy(state, reading, clock, fresh, settings);
  if (clock && fresh) state.lastUtcMs = clock.utcMs;

  if (!check) return { headroom: held(state, nowMs, settings), state };
  if (!fresh) return { headroom: held(state, nowMs, settings), state, reading: check.reading };

  // Frames that resume after a silence start from what the ladder allowed during it, even when
  // no timer step ran in between to lower the held answer.
  if (state.out && state.lastFreshMs !== undefined) lowerForAge(state, (nowMs - state.lastFreshMs + previousLagMs) / 1000, settings);
  state.lastFreshMs = nowMs;
  if (check.reading.frameKind !== undefined) state.lastFrameKind = check.reading.frameKind;
  else delete state.lastFrameKind;
  const headroom = computeFresh(state, check, power, charger, timeBaseMs, clock, settings);
  return { headroom, state, reading: check.reading };
}

/** The one-phase candidates for these settings (a wired chargerLine builds its own). */
function candidatesFor(settings: HeadroomSettings, it: boolean): readonly Candidate[] {
  if (settings.chargerLine) {
    const name = settings.chargerLine;
    // A one-phase supply has one current whatever the wiring is called (IT single-phase is L1-L2).
    const a = settings.phases === 1 ? 0 : Number(name[1]) - 1;
    const b = settings.phases === 1 ? 0 : name.length > 2 ? Number(name[4]) - 1 : a;
    return [{ line: name, a, b }];
  }
  if (settings.phases === 1) return ONE_PHASE_SUPPLY;
  return it ? IT_PAIRS : TN_LINES;
}

/** The output's regulation track from the last output state. */
function trackOf(out: OutputState | undefined, three: boolean): OutputTrack {
  if (!out) return { valueA: 0, rising: false };
  // (One literal each, absent fields as undefined: regulateOutput reads an undefined field as an
  // absent one, and XS builds the object once instead of changing its shape per field added.)
  if (three) {
    const until = out.reserveThreeA !== undefined ? out.reserveThreeUntilMs : undefined;
    return {
      valueA: out.threePhaseA,
      rising: out.risingThree === true,
      riseFromMs: out.riseFromThreeMs,
      fuseA: out.fuseThreeA,
      reserveA: until !== undefined ? out.reserveThreeA : undefined,
      reserveUntilMs: until,
    };
  }
  const until = out.reserveOneA !== undefined ? out.reserveOneUntilMs : undefined;
  return {
    valueA: out.onePhaseA,
    rising: out.risingOne === true,
    riseFromMs: out.riseFromOneMs,
    fuseA: out.fuseOneA,
    reserveA: until !== undefined ? out.reserveOneA : undefined,
    reserveUntilMs: until,
  };
}

function computeFresh(
  state: HeadroomState,
  check: PlausibilityCheck,
  power: { absW: number; netW: number } | undefined,
  charger: readonly number[],
  timeBaseMs: number,
  clock: FrameClock | undefined,
  settings: HeadroomSettings,
): Headroom {
  const n = settings.phases;
  const reading = check.reading;
  const it = isItGrid(settings, reading);
  const split = state.split;
  const splitUsable = split !== undefined && timeBaseMs - split.atMs <= settings.safeFallbackAfterS * 1000 && timeBaseMs >= split.atMs;
  const r = resolveCurrents(check, it, charger, split, splitUsable, state.voltageV, settings, power, state.lastChargerA);
  // (A new array per frame, never written after: see copyState.)
  if (charger === NO_CHARGER) delete state.lastChargerA;
  else state.lastChargerA = charger.slice();

  // Remember voltages and the split for the short frames that follow. (New arrays and objects,
  // never writes into the ones shared with the caller's state: see copyState.) The checked frame
  // holds only voltages that passed the range check.
  const v1 = reading.l1 ? reading.l1.voltageV : undefined;
  const v2 = reading.l2 ? reading.l2.voltageV : undefined;
  const v3 = reading.l3 ? reading.l3.voltageV : undefined;
  // (new Array with the three elements, here and below: under XS a quarter of the cost of the
  // literal [a, b, c] or of slice().)
  if (v1 !== undefined || v2 !== undefined || v3 !== undefined) {
    const last = state.voltageV;
    state.voltageV = new Array<number | null>(
      v1 !== undefined ? v1 : (last[0] as number | null),
      v2 !== undefined ? v2 : (last[1] as number | null),
      v3 !== undefined ? v3 : (last[2] as number | null),
    );
  }
  if (r.allMeasured && r.powerW !== undefined) {
    const s = r.source;
    const c = r.currentA;
    // The lines' figures (IT L2 bounded or estimated from the others): short frames carry them on.
    state.split = {
      atMs: timeBaseMs,
      currentA: new Array<number | null>(
        s[0] === 'unknown' ? null : (c[0] as number),
        s[1] === 'unknown' ? null : (c[1] as number),
        s[2] === 'unknown' ? null : (c[2] as number),
      ),
      chargerA: new Array<number>(charger[0] as number, charger[1] as number, charger[2] as number),
      powerW: r.powerW,
    };
    if (r.netPowerW !== undefined) state.split.netW = r.netPowerW;
  } else if (split && r.otherChangeW !== undefined && r.otherChangeW < (split.lowOtherW ?? 0)) {
    state.split = { ...split, lowOtherW: r.otherChangeW };
  }

  // Per-line headroom: limit - margin - house part - what a whole-ampere reading may hide; 0
  // where the line is unknown or implausible without a figure.
  const usableA = settings.fuseA - settings.marginA;
  const phaseA = new Array<number>(0, 0, 0);
  for (let p = 0; p < n; p++) {
    const load = r.loadA[p];
    if (load !== null && load !== undefined) {
      const room = usableA - load - (r.hiddenA[p] as number);
      phaseA[p] = room > 0 ? room : 0;
    }
  }

  // Budgets that cap the charger as a whole.
  let budget: ChargerBudget | undefined;
  const chargerW = charger === NO_CHARGER ? 0 : chargerPowerW(charger, r.voltageV, it, n, settings.chargerPhases === 3);
  if (settings.powerLimitKw !== undefined) {
    if (r.netPowerW !== undefined) {
      budget = powerLimitBudget(settings.powerLimitKw, r.netPowerW - chargerW, r.voltageV, it, n);
    } else {
      budget = {
        kind: 'power-limit',
        chargerBudgetW: 0,
        threePhaseA: 0,
        onePhaseA: 0,
        reason: () => 'power limit set but the meter sends no power: nothing allowed',
        tariff: {
          scheme: 'power-limit',
          threePhaseA: 0,
          onePhaseA: 0,
          chargerBudgetW: 0,
          powerLimitW: settings.powerLimitKw * 1000,
          note: 'no power in the frame',
        },
      };
    }
  }
  let tariffInfo: TariffHeadroom | undefined;
  if (settings.tariff.scheme !== 'none') {
    const t = tariffBudget(state, reading, clock, r, chargerW, settings);
    if (t.budget && (!budget || t.budget.chargerBudgetW < budget.chargerBudgetW)) budget = t.budget;
    tariffInfo = t.info;
  }

  // Fuse-bound targets: three-phase = the lowest line; one-phase = the best line (TN) or pair (IT).
  let threeFuse = 0;
  let threeLine = -1;
  if (n === 3) {
    threeFuse = Infinity;
    for (let p = 0; p < 3; p++)
      if ((phaseA[p] as number) < threeFuse) {
        threeFuse = phaseA[p] as number;
        threeLine = p;
      }
  }
  const prevOut = state.out;
  const candidates = candidatesFor(settings, it);
  let oneFuse = -1;
  let oneLine = '';
  let oneBinding = -1;
  const prevLine = prevOut ? prevOut.onePhaseLine : undefined;
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k] as Candidate;
    const a = phaseA[c.a] as number;
    const b = phaseA[c.b] as number;
    const v = a < b ? a : b;
    // Ties keep the line published before, so the answer does not hop between equal lines.
    if (v > oneFuse || (v === oneFuse && prevLine === c.line)) {
      oneFuse = v;
      oneLine = c.line;
      oneBinding = a <= b ? c.a : c.b;
    }
  }

  // Regulation. A rise (and the reserve's bookkeeping) rests only on a fresh frame whose currents
  // are its own; a frame with impossible values is no measurement either.
  const canIncrease = !r.fromSplit && !check.suspect && state.lagMs <= settings.staleAfterS * 1000;
  const three: OutputStep =
    n === 3
      ? regulateOutput(trackOf(prevOut, true), threeFuse, budget ? budget.threePhaseA : Infinity, canIncrease, timeBaseMs, settings)
      : { valueA: 0, rising: false, targetA: 0, heldBackA: 0, waiting: false };
  const one = regulateOutput(trackOf(prevOut, false), oneFuse, budget ? budget.onePhaseA : Infinity, canIncrease, timeBaseMs, settings);

  // Explanation for the headline value (one-phase when the charger is wired one-phase or the supply is).
  const headlineOne = n === 1 || settings.chargerLine !== undefined;
  const reg = headlineOne ? one : three;
  const fuseTarget = headlineOne ? oneFuse : threeFuse;
  const fuseLine = headlineOne ? oneBinding : threeLine;
  // What binds the target: the budget when it is below the lines' room less the reserve, else the line.
  const budgetA = budget ? (headlineOne ? budget.onePhaseA : budget.threePhaseA) : Infinity;
  const binding = budgetA < fuseTarget - reg.heldBackA ? 3 : fuseLine;
  const status: HeadroomStatus = r.allMeasured ? 'ok' : 'estimated';
  const explained = explain(reg, binding, budget, r, settings, charger, canIncrease, timeBaseMs);

  const out: OutputState = {
    phaseA,
    threePhaseA: three.valueA,
    onePhaseA: one.valueA,
    onePhaseLine: oneLine,
    status,
    limitedBy: explained.limitedBy,
    reason: explained.reason,
    // r's arrays are this step's own (resolveCurrents builds them afresh): kept, not copied.
    currentA: r.currentA,
    currentSource: r.source,
    risingThree: three.rising,
    risingOne: one.rising,
    // (All in the one literal, absent ones as undefined: JSON leaves them out, and XS builds the
    // object once instead of changing its shape per field added.)
    riseFromThreeMs: three.riseFromMs,
    riseFromOneMs: one.riseFromMs,
    fuseThreeA: three.fuseA,
    fuseOneA: one.fuseA,
    reserveThreeA: three.reserveA,
    reserveThreeUntilMs: three.reserveUntilMs,
    reserveOneA: one.reserveA,
    reserveOneUntilMs: one.reserveUntilMs,
  };
  if (budget) out.tariff = budget.tariff;
  else if (tariffInfo) out.tariff = tariffInfo;
  if (check.flags.length > 0) out.plausibility = check.flags.slice();
  state.out = out;
  // A frame that arrived late (its own time stamp behind) goes through the ladder like held data.
  const ageS = state.lagMs / 1000;
  const h = publish(out, ageS, settings);
  lowerForAge(state, ageS, settings);
  return h;
}

/** limitedBy and the sentence for the headline output. */
function explain(
  reg: OutputStep,
  binding: number,
  budget: ChargerBudget | undefined,
  r: ResolvedCurrents,
  settings: HeadroomSettings,
  charger: readonly number[],
  canIncrease: boolean,
  timeBaseMs: number,
): { limitedBy: string; reason: string } {
  const target = reg.targetA;
  const value = reg.valueA;
  if (value < settings.minChargeA && target > 0.05) {
    const what =
      target < settings.minChargeA
        ? `${floorTenth(target)} A free, below the ${settings.minChargeA} A minimum charging current (${whatBinds(binding, budget, r, settings, charger).reason})`
        : `${floorTenth(target)} A free: charging starts once ${settings.minChargeA + settings.hysteresisA} A are free (minimum plus hysteresis)`;
    return { limitedBy: 'minimum-current', reason: what };
  }
  if (reg.heldBackA > 0.05 && binding !== 3 && !reg.rising && !reg.waiting && value >= target - settings.hysteresisA) {
    const leftS = Math.ceil(((reg.reserveUntilMs ?? timeBaseMs) - timeBaseMs) / 1000);
    return {
      limitedBy: 'hold-off',
      reason: `keeping ${floorTenth(reg.heldBackA)} A back for ${leftS} s more: a load that size went off and may come back (cycling loads come back within minutes)`,
    };
  }
  if (value < target - 0.05 && canIncrease) {
    if (reg.waiting)
      return { limitedBy: 'ramp', reason: `${floorTenth(target)} A free: at most one rise every ${settings.riseIntervalS} s (a car needs seconds to follow)` };
    return reg.rising
      ? {
          limitedBy: 'ramp',
          reason: `rising gradually towards ${floorTenth(target)} A (at most ${settings.rampAPerS} A/s, ${settings.rampMaxStepA} A per rise)`,
        }
      : {
          limitedBy: 'ramp',
          reason: `holding ${floorTenth(value)} A: ${floorTenth(target)} A is free, less than the ${settings.hysteresisA} A hysteresis above`,
        };
  }
  if (value < target - 0.05) {
    return {
      limitedBy: 'estimated-data',
      reason: 'currents are estimated from total power: the answer may fall but rises only on a frame with measured currents',
    };
  }
  return whatBinds(binding, budget, r, settings, charger);
}

/** What binds the target: a budget (binding 3), a line (0-2), or nothing known. */
function whatBinds(
  binding: number,
  budget: ChargerBudget | undefined,
  r: ResolvedCurrents,
  settings: HeadroomSettings,
  charger: readonly number[],
): { limitedBy: string; reason: string } {
  if (binding === 3 && budget) return { limitedBy: budget.kind, reason: budget.reason() };
  if (binding >= 0 && binding < 3) return describeLine(binding, r, settings, charger);
  return { limitedBy: 'no-data', reason: 'no line current known' };
}

function describeLine(p: number, r: ResolvedCurrents, settings: HeadroomSettings, charger: readonly number[]): { limitedBy: string; reason: string } {
  const name = LINE_NAMES[p] as string;
  const src = r.source[p] as CurrentSource;
  const cur = r.currentA[p];
  if (cur === null || cur === undefined) {
    if (src === 'implausible')
      return { limitedBy: 'implausible-data', reason: `${name}: the frame holds impossible values, so none of it is believed: no headroom counted` };
    return { limitedBy: 'unknown-current', reason: `${name} current unknown (not sent and no way to bound it): no headroom counted there` };
  }
  const own = (charger[p] as number) > 0 ? `, ${roundTenth(charger[p] as number)} A of it the charger` : '';
  const hidden = r.hiddenA[p] as number;
  const free = floorTenth(settings.fuseA - settings.marginA - (r.loadA[p] as number) - hidden);
  const curText = roundTenth(cur);
  const under = `${free} A free under ${settings.fuseA} A less ${settings.marginA} A margin${hidden > 0 ? ` and ${hidden} A the whole-ampere reading may hide` : ''}`;
  switch (src) {
    case 'estimated':
      if (p === 1 && r.line2BoundA !== undefined) {
        return {
          limitedBy: FUSE_LIMITS[p] as string,
          reason: `${name} is not reported on this IT grid; estimated at ${curText} A from the total power and L1, L3 (the bound L1 + L3 is ${roundTenth(r.line2BoundA)} A)${own}: ${under}`,
        };
      }
      return { limitedBy: 'estimated-data', reason: `${name} estimated at ${curText} A from power${own}: ${under}` };
    case 'bound':
      return {
        limitedBy: FUSE_LIMITS[p] as string,
        reason: `${name} is not reported on this IT grid; bounded by L1 + L3 at ${curText} A${own}: ${free} A free`,
      };
    case 'from-power':
      return {
        limitedBy: FUSE_LIMITS[p] as string,
        reason: `${name} carries ${curText} A by the meter's own power, more than the current it sent${own}: ${under}`,
      };
    case 'implausible':
      return { limitedBy: 'implausible-data', reason: `${name} current ${curText} A contradicts the meter's power (kept: the larger figure)${own}: ${under}` };
    default:
      return { limitedBy: FUSE_LIMITS[p] as string, reason: `${name} carries ${curText} A${own}: ${under}` };
  }
}

/** The answer from the last output when no new frame came: held, then the fail-safe ladder. */
function held(state: HeadroomState, nowMs: number, settings: HeadroomSettings): Headroom {
  const out = state.out;
  if (!out || state.lastFreshMs === undefined) return noData(settings);
  const ageS = Math.max(0, nowMs - state.lastFreshMs + state.lagMs) / 1000;
  const h = publish(out, ageS, settings);
  lowerForAge(state, ageS, settings);
  return h;
}

/**
 * Once the ladder has lowered the answer, recovery ramps up from there, not from the held value,
 * and the ramp clock starts again with the first frame back (no rise "earned" during the silence).
 */
function lowerForAge(state: HeadroomState, ageS: number, settings: HeadroomSettings): void {
  const out = state.out;
  // (A NaN age is lowered too: only a known young age keeps the answer.)
  if (!out || ageS <= settings.safeFallbackAfterS) return;
  const cap = ageS > settings.zeroAfterS ? 0 : settings.safeCurrentA;
  // A new object: the old one may be shared with the caller's state (see copyState).
  const lowered: OutputState = { ...out, threePhaseA: Math.min(out.threePhaseA, cap), onePhaseA: Math.min(out.onePhaseA, cap) };
  delete lowered.riseFromThreeMs;
  delete lowered.riseFromOneMs;
  state.out = lowered;
}

function noData(settings: HeadroomSettings): Headroom {
  const phase = (p: number): PhaseHeadroom => ({ limitA: p < settings.phases ? settings.fuseA : 0, currentSource: 'unknown', headroomA: 0 });
  return {
    status: 'no-data',
    limitedBy: 'no-data',
    reason: 'no data from the meter yet: is the port opened by the grid company, and is the cable in?',
    phases: { l1: phase(0), l2: phase(1), l3: phase(2) },
    threePhaseA: 0,
    onePhaseA: 0,
  };
}

const NO_LINE: PhaseHeadroom = { limitA: 0, currentSource: 'unknown', headroomA: 0 };

/** Build the published answer from an output state, applying the ladder for the data's age. */
function publish(out: OutputState, ageS: number, settings: HeadroomSettings): Headroom {
  let status: HeadroomStatus = out.status;
  let limitedBy = out.limitedBy;
  let reason = out.reason;
  let cap = Infinity;
  if (ageS > settings.zeroAfterS) {
    status = 'no-data';
    limitedBy = 'stale-data';
    reason = `no new meter data for ${Math.floor(ageS)} s (over ${settings.zeroAfterS} s): 0 A`;
    cap = 0;
  } else if (ageS > settings.safeFallbackAfterS) {
    status = 'safe-fallback';
    limitedBy = 'stale-data';
    reason = `no new meter data for ${Math.floor(ageS)} s: safe fallback current ${settings.safeCurrentA} A`;
    cap = settings.safeCurrentA;
  } else if (ageS > settings.staleAfterS) {
    status = 'stale';
    limitedBy = 'stale-data';
    reason = `no new meter data for ${Math.floor(ageS)} s: holding the last answer, no increase`;
  }
  const n = settings.phases;
  const min = settings.minChargeA;
  const three = n === 3 ? floorTenth(Math.min(out.threePhaseA, cap)) : 0;
  const one = floorTenth(Math.min(out.onePhaseA, cap));
  const h: Headroom = {
    status,
    ageS: roundTenth(ageS),
    limitedBy,
    reason,
    phases: {
      l1: n > 0 ? publishPhase(out, 0, cap, settings.fuseA) : { ...NO_LINE },
      l2: n > 1 ? publishPhase(out, 1, cap, settings.fuseA) : { ...NO_LINE },
      l3: n > 2 ? publishPhase(out, 2, cap, settings.fuseA) : { ...NO_LINE },
    },
    // Below the minimum charging current the answer is 0.
    threePhaseA: three >= min ? three : 0,
    onePhaseA: one >= min ? one : 0,
  };
  if (out.onePhaseLine) h.onePhaseLine = out.onePhaseLine;
  if (out.tariff) h.tariff = publishTariff(out.tariff, cap);
  if (out.plausibility) h.plausibility = out.plausibility.slice();
  return h;
}

/** One installed line of the published answer (keys in this order: limitA, currentA if known, currentSource, headroomA). */
function publishPhase(out: OutputState, p: number, cap: number, fuseA: number): PhaseHeadroom {
  const c = out.currentA[p];
  const source = out.currentSource[p] as CurrentSource;
  const headroomA = floorTenth(Math.min(out.phaseA[p] as number, cap));
  if (c === null || c === undefined) return { limitA: fuseA, currentSource: source, headroomA };
  return { limitA: fuseA, currentA: roundTenth(c), currentSource: source, headroomA };
}

function publishTariff(t: TariffHeadroom, cap: number): TariffHeadroom {
  const copy = copyTariff(t);
  if (t.threePhaseA !== undefined) copy.threePhaseA = floorTenth(Math.min(t.threePhaseA, cap));
  if (t.onePhaseA !== undefined) copy.onePhaseA = floorTenth(Math.min(t.onePhaseA, cap));
  return copy;
}
