/**
 * The headroom step: (previous state, new frame or timer tick, settings) -> (answer, next state).
 * Pure: no timers, no globals, no clock of its own (time comes in as input.nowMs and the meter's
 * own time stamps). The state is plain JSON and is copied, never mutated in place.
 *
 * Per fresh frame:
 *   1. line currents: measured, estimated or bounded (currents.ts), never a missing one as 0 A;
 *   2. per line: headroomA = limit - margin - (current - own charger current), never below 0;
 *   3. budgets that cap the charger as a whole: power limit, capacity tariff (W -> A);
 *   4. targets: three-phase = min over lines and budgets; one-phase = best line (TN) or best
 *      pair of lines (IT, where a one-phase charger sits between two lines and loads both);
 *   5. regulation (regulate.ts): down at once, up gradually;
 *   6. the minimum charging current: below it the answer is 0.
 * Without a fresh frame the last answer is held while it is young, then the fail-safe ladder:
 *   age <= staleAfterS: held as is; <= safeFallbackAfterS: held, status 'stale';
 *   <= zeroAfterS: at most safeCurrentA, status 'safe-fallback'; beyond: 0 A, status 'no-data'.
 * Age is counted from the arrival of the last frame with new data, plus how far that frame's own
 * time stamp lagged behind the usual transport delay (a bridge that delivers old frames late).
 */
import type { MeterReading } from '../reading';
import type { HeadroomSettings } from './settings';
import type {
  CurrentSource, Headroom, HeadroomInput, HeadroomState, HeadroomStatus, OutputState, PhaseHeadroom, TariffHeadroom,
} from './types';
import { chargerPowerW, framePower, hasLoadData, resolveCurrents, type ResolvedCurrents } from './currents';
import { floorTenth, regulate, roundTenth } from './regulate';
import { powerLimitBudget, type ChargerBudget } from './power-limit';
import { isWallClock, localOffsetMin, parseWallTime, wallToUtc, type ClockSettings } from './time';
import { accountEnergy, tariffBudget } from './tariff';

export function createHeadroomState(): HeadroomState {
  return { version: 1, lagMs: 0, voltageV: [null, null, null], energy: { integratedSinceRegisterWh: 0 } };
}

const LINE_NAMES = ['L1', 'L2', 'L3'];
/** limitedBy for a fuse-bound line (no toLowerCase per step). */
const FUSE_LIMITS = ['fuse-l1', 'fuse-l2', 'fuse-l3'];

/** A line (TN: a === b) or pair of lines (IT: a and b) a one-phase charger may use. */
interface Candidate { line: string; a: number; b: number }
// The usual candidate lists, built once and only read (the wired chargerLine case builds its own).
const ONE_PHASE_SUPPLY: readonly Candidate[] = [{ line: 'L1', a: 0, b: 0 }];
const TN_LINES: readonly Candidate[] = [{ line: 'L1', a: 0, b: 0 }, { line: 'L2', a: 1, b: 1 }, { line: 'L3', a: 2, b: 2 }];
const IT_PAIRS: readonly Candidate[] = [{ line: 'L1-L2', a: 0, b: 1 }, { line: 'L1-L3', a: 0, b: 2 }, { line: 'L2-L3', a: 1, b: 2 }];
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
  const ok = s !== null && typeof s === 'object' && s.version === 1 && typeof s.lagMs === 'number' && s.lagMs - s.lagMs === 0
    && Array.isArray(s.voltageV) && s.voltageV.length === 3 && s.energy !== null && typeof s.energy === 'object'
    && typeof s.energy.integratedSinceRegisterWh === 'number';
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
  const out = [0, 0, 0];
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
    if (nowMs > 1e12) hint = nowMs; // isWallClock(nowMs), written out
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

export function stepHeadroom(
  previous: HeadroomState,
  input: HeadroomInput,
  settings: HeadroomSettings,
): { headroom: Headroom; state: HeadroomState } {
  const state = copyState(previous, settings);
  const nowMs = input.nowMs;
  const charger = input.chargerA ? sanitizeCharger(input.chargerA) : NO_CHARGER;
  const reading = input.reading;
  const clock = frameClock(reading, nowMs, state, settings);

  let fresh = false;
  let timeBaseMs = nowMs;
  const previousLagMs = state.lagMs;
  // The frame's power, read once: it decides whether the frame brings load data, and the
  // currents are worked out from it.
  const power = reading ? framePower(reading) : undefined;
  if (reading && (power !== undefined || hasLoadData(reading, power))) {
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

  if (!fresh || !reading) return { headroom: held(state, nowMs, settings), state };

  // Frames that resume after a silence start from what the ladder allowed during it, even when
  // no timer step ran in between to lower the held answer.
  // (lowerForAge's own test first, written out: the call is skipped on a frame that follows a young one.)
  if (state.out && state.lastFreshMs !== undefined && !((nowMs - state.lastFreshMs + previousLagMs) / 1000 <= settings.safeFallbackAfterS)) lowerForAge(state, (nowMs - state.lastFreshMs + previousLagMs) / 1000, settings);
  state.lastFreshMs = nowMs;
  if (reading.frameKind !== undefined) state.lastFrameKind = reading.frameKind;
  else delete state.lastFrameKind;
  const headroom = computeFresh(state, reading, power, charger, timeBaseMs, clock, settings);
  return { headroom, state };
}

function computeFresh(
  state: HeadroomState,
  reading: MeterReading,
  power: { absW: number; netW: number } | undefined,
  charger: readonly number[],
  timeBaseMs: number,
  clock: FrameClock | undefined,
  settings: HeadroomSettings,
): Headroom {
  const n = settings.phases;
  const it = settings.gridType === 'IT' || reading.threeWire === true; // isItGrid(settings, reading)
  const split = state.split;
  const splitUsable = split !== undefined && timeBaseMs - split.atMs <= settings.safeFallbackAfterS * 1000 && timeBaseMs >= split.atMs;
  const r = resolveCurrents(reading, it, charger, split, splitUsable, state.voltageV, settings, power);

  // Remember voltages and the measured split for the short frames that follow. (New arrays and
  // objects, never writes into the ones shared with the caller's state: see copyState.)
  // (The saneVoltage gate written out per line, as in resolveCurrents: this runs every step.)
  const ph1 = reading.l1;
  const ph2 = reading.l2;
  const ph3 = reading.l3;
  const v1 = ph1 ? ph1.voltageV : undefined;
  const v2 = ph2 ? ph2.voltageV : undefined;
  const v3 = ph3 ? ph3.voltageV : undefined;
  const ok1 = typeof v1 === 'number' && v1 > 50 && v1 < 1000;
  const ok2 = typeof v2 === 'number' && v2 > 50 && v2 < 1000;
  const ok3 = typeof v3 === 'number' && v3 > 50 && v3 < 1000;
  if (ok1 || ok2 || ok3) {
    const voltageV = state.voltageV.slice();
    if (ok1) voltageV[0] = v1;
    if (ok2) voltageV[1] = v2;
    if (ok3) voltageV[2] = v3;
    state.voltageV = voltageV;
  }
  if (r.allMeasured && r.powerW !== undefined) {
    const s = r.source;
    const c = r.currentA;
    state.split = {
      atMs: timeBaseMs,
      currentA: [s[0] === 'measured' ? c[0] as number : null, s[1] === 'measured' ? c[1] as number : null, s[2] === 'measured' ? c[2] as number : null],
      chargerA: charger.slice(),
      powerW: r.powerW,
    };
    if (r.netPowerW !== undefined) state.split.netW = r.netPowerW;
  } else if (split && r.otherChangeW !== undefined && r.otherChangeW < (split.lowOtherW ?? 0)) {
    state.split = { ...split, lowOtherW: r.otherChangeW };
  }

  // Per-line headroom.
  const usableA = settings.fuseA - settings.marginA;
  // (Lines beyond n stay 0; written out per line: a loop costs more than the arithmetic under XS.)
  const load1 = r.loadA[0];
  const load2 = r.loadA[1];
  const load3 = r.loadA[2];
  const h1 = n < 1 || load1 === null || load1 === undefined ? 0 : Math.max(0, usableA - load1);
  const h2 = n < 2 || load2 === null || load2 === undefined ? 0 : Math.max(0, usableA - load2);
  const h3 = n < 3 || load3 === null || load3 === undefined ? 0 : Math.max(0, usableA - load3);
  const phaseA: number[] = [h1, h2, h3];

  // Budgets that cap the charger as a whole.
  let budget: ChargerBudget | undefined;
  const chargerW = charger === NO_CHARGER ? 0 : chargerPowerW(charger, r.voltageV, it, n);
  if (settings.powerLimitKw !== undefined) {
    if (r.netPowerW !== undefined) {
      budget = powerLimitBudget(settings.powerLimitKw, r.netPowerW - chargerW, r.voltageV, it, n);
    } else {
      budget = {
        kind: 'power-limit', chargerBudgetW: 0, threePhaseA: 0, onePhaseA: 0,
        reason: () => 'power limit set but the meter sends no power: nothing allowed',
        tariff: { scheme: 'power-limit', threePhaseA: 0, onePhaseA: 0, chargerBudgetW: 0, powerLimitW: settings.powerLimitKw * 1000, note: 'no power in the frame' },
      };
    }
  }
  let tariffInfo: TariffHeadroom | undefined;
  if (settings.tariff.scheme !== 'none') {
    const t = tariffBudget(state, reading, clock, r, chargerW, settings);
    if (t.budget && (!budget || t.budget.chargerBudgetW < budget.chargerBudgetW)) budget = t.budget;
    tariffInfo = t.info;
  }

  // Targets.
  let threeTarget = 0;
  let threeBinding = -1; // line index, or 3 for the budget
  if (n === 3) {
    // The lowest line (the first of equal ones), then the budget.
    threeTarget = Infinity;
    if (h1 < threeTarget) { threeTarget = h1; threeBinding = 0; }
    if (h2 < threeTarget) { threeTarget = h2; threeBinding = 1; }
    if (h3 < threeTarget) { threeTarget = h3; threeBinding = 2; }
    if (budget && budget.threePhaseA < threeTarget) { threeTarget = budget.threePhaseA; threeBinding = 3; }
  }
  const prevOut = state.out;
  let candidates: readonly Candidate[];
  if (settings.chargerLine) {
    const name = settings.chargerLine;
    // A one-phase supply has one current whatever the wiring is called (IT single-phase is L1-L2).
    const a = n === 1 ? 0 : Number(name[1]) - 1;
    const b = n === 1 ? 0 : name.length > 2 ? Number(name[4]) - 1 : a;
    candidates = [{ line: name, a, b }];
  } else if (n === 1) {
    candidates = ONE_PHASE_SUPPLY;
  } else if (it) {
    candidates = IT_PAIRS;
  } else {
    candidates = TN_LINES;
  }
  let oneTarget = -1;
  let oneLine = '';
  let oneBinding = -1;
  // Read once for the loop (no budget: Infinity is never below a line's headroom).
  const budgetOneA = budget ? budget.onePhaseA : Infinity;
  const prevLine = prevOut ? prevOut.onePhaseLine : undefined;
  // An indexed loop (under XS for-of builds an iterator and calls next() per element), and the
  // candidate's one or two lines as fields, not an inner loop over a list.
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k] as Candidate;
    let v = Infinity;
    let binding = -1;
    if ((phaseA[c.a] as number) < v) { v = phaseA[c.a] as number; binding = c.a; }
    if ((phaseA[c.b] as number) < v) { v = phaseA[c.b] as number; binding = c.b; }
    if (budgetOneA < v) { v = budgetOneA; binding = 3; }
    // Ties keep the line published before, so the answer does not hop between equal lines.
    if (v > oneTarget || (v === oneTarget && prevLine === c.line)) {
      oneTarget = v; oneLine = c.line; oneBinding = binding;
    }
  }

  // Regulation.
  const canIncrease = !r.fromSplit && state.lagMs <= settings.staleAfterS * 1000;
  // No earlier measured frame (first frame, or first after the ladder lowered the answer): no
  // step earned yet; a stopped charger may still start at the minimum current.
  const dtS = state.lastMeasuredMs === undefined ? 0 : Math.max(0, (timeBaseMs - state.lastMeasuredMs) / 1000);
  const stepA = Math.min(settings.rampMaxStepA, settings.rampAPerS * dtS);
  const prevThree = prevOut ? prevOut.threePhaseA : 0;
  const prevOne = prevOut ? prevOut.onePhaseA : 0;
  // Hold-off: after a forced drop, no rise for holdOffS (cycling loads come back within minutes).
  const heldThree = prevOut?.holdThreeUntilMs !== undefined && timeBaseMs < prevOut.holdThreeUntilMs;
  const heldOne = prevOut?.holdOneUntilMs !== undefined && timeBaseMs < prevOut.holdOneUntilMs;
  const threeR = n === 3
    ? regulate(prevThree, threeTarget, canIncrease && !heldThree, stepA, settings.hysteresisA, settings.minChargeA, prevOut?.risingThree === true)
    : { valueA: 0, rising: false };
  const oneR = regulate(prevOne, oneTarget, canIncrease && !heldOne, stepA, settings.hysteresisA, settings.minChargeA, prevOut?.risingOne === true);
  const three = threeR.valueA;
  const one = oneR.valueA;
  if (canIncrease) state.lastMeasuredMs = timeBaseMs;
  const holdThreeUntilMs = holdAfterDrop(prevThree, three, threeTarget, heldThree ? prevOut?.holdThreeUntilMs : undefined, timeBaseMs, settings);
  const holdOneUntilMs = holdAfterDrop(prevOne, one, oneTarget, heldOne ? prevOut?.holdOneUntilMs : undefined, timeBaseMs, settings);

  // Explanation for the headline value (one-phase when the charger is wired one-phase or the supply is).
  const headlineOne = n === 1 || settings.chargerLine !== undefined;
  const reg = headlineOne ? one : three;
  const target = headlineOne ? oneTarget : threeTarget;
  const binding = headlineOne ? oneBinding : threeBinding;
  const status: HeadroomStatus = r.allMeasured ? 'ok' : 'estimated';
  // What binds the target (the fuse on a line, or a budget) is worked out only where the
  // explanation uses it (describeLine builds strings: not on a ramping or held step).
  let limitedBy: string;
  let reason: string;
  if (reg < settings.minChargeA && target > 0.05) {
    limitedBy = 'minimum-current';
    reason = target < settings.minChargeA
      ? `${floorTenth(target)} A free, below the ${settings.minChargeA} A minimum charging current (${whatBinds(binding, budget, r, settings, charger).reason})`
      : `${floorTenth(target)} A free: charging starts once ${settings.minChargeA + settings.hysteresisA} A are free (minimum plus hysteresis)`;
  } else if (reg < target - 0.05 && canIncrease && (headlineOne ? heldOne : heldThree)) {
    limitedBy = 'hold-off';
    const untilMs = (headlineOne ? prevOut?.holdOneUntilMs : prevOut?.holdThreeUntilMs) as number;
    reason = `holding ${floorTenth(reg)} A for ${Math.ceil((untilMs - timeBaseMs) / 1000)} s more after a drop (${floorTenth(target)} A free): cycling loads come back within minutes`;
  } else if (reg < target - 0.05 && canIncrease) {
    limitedBy = 'ramp';
    const rising = headlineOne ? oneR.rising : threeR.rising;
    reason = rising
      ? `rising gradually towards ${floorTenth(target)} A (at most ${settings.rampAPerS} A/s, ${settings.rampMaxStepA} A per frame)`
      : `holding ${floorTenth(reg)} A: ${floorTenth(target)} A is free, less than the ${settings.hysteresisA} A hysteresis above`;
  } else if (reg < target - 0.05) {
    limitedBy = 'estimated-data';
    reason = 'currents are estimated from total power: the answer may fall but rises only on a frame with measured currents';
  } else {
    const d = whatBinds(binding, budget, r, settings, charger);
    limitedBy = d.limitedBy;
    reason = d.reason;
  }

  const out: OutputState = {
    phaseA,
    threePhaseA: three,
    onePhaseA: one,
    onePhaseLine: oneLine,
    status,
    limitedBy,
    reason,
    // r's arrays are this step's own (resolveCurrents builds them afresh): kept, not copied.
    currentA: r.currentA,
    currentSource: r.source,
    risingThree: threeR.rising,
    risingOne: oneR.rising,
  };
  if (holdThreeUntilMs !== undefined) out.holdThreeUntilMs = holdThreeUntilMs;
  if (holdOneUntilMs !== undefined) out.holdOneUntilMs = holdOneUntilMs;
  if (budget) out.tariff = budget.tariff;
  else if (tariffInfo) out.tariff = tariffInfo;
  state.out = out;
  // A frame that arrived late (its own time stamp behind) goes through the ladder like held data.
  const ageS = state.lagMs / 1000;
  const h = publish(out, ageS, settings);
  if (!(ageS <= settings.safeFallbackAfterS)) lowerForAge(state, ageS, settings); // its own test first (a NaN age goes in, as before)
  return h;
}

/**
 * The hold-off after this step. It starts when the published answer fell by at least hysteresisA
 * (a smaller move is wobble), and starts again on every step of a running hold-off where the load
 * still holds the answer down (target at or below it): the answer rises only once the load has
 * stayed away for holdOffS, so a hob or dryer cycling every 10-60 s keeps it held until it is done.
 */
function holdAfterDrop(previousA: number, nowA: number, targetA: number, runningUntilMs: number | undefined, timeBaseMs: number, settings: HeadroomSettings): number | undefined {
  if (settings.holdOffS <= 0) return undefined;
  // What the published answer shows for each value: 0 below the minimum charging current.
  const min = settings.minChargeA;
  const shownNow = nowA >= min ? nowA : 0;
  const restart = timeBaseMs + settings.holdOffS * 1000;
  if ((previousA >= min ? previousA : 0) - shownNow >= settings.hysteresisA) return restart;
  if (runningUntilMs !== undefined && (targetA >= min ? targetA : 0) <= shownNow + 0.05) return restart;
  return runningUntilMs;
}

/** What binds the target: a budget (binding 3), a line (0-2), or nothing known. */
function whatBinds(binding: number, budget: ChargerBudget | undefined, r: ResolvedCurrents, settings: HeadroomSettings, charger: readonly number[]): { limitedBy: string; reason: string } {
  if (binding === 3 && budget) return { limitedBy: budget.kind, reason: budget.reason() };
  if (binding >= 0 && binding < 3) return describeLine(binding, r, settings, charger);
  return { limitedBy: 'no-data', reason: 'no line current known' };
}

function describeLine(p: number, r: ResolvedCurrents, settings: HeadroomSettings, charger: readonly number[]): { limitedBy: string; reason: string } {
  const name = LINE_NAMES[p] as string;
  const src = r.source[p] as CurrentSource;
  const cur = r.currentA[p];
  if (src === 'unknown' || cur === null || cur === undefined) {
    return { limitedBy: 'unknown-current', reason: `${name} current unknown (not sent and no way to bound it): no headroom counted there` };
  }
  const own = (charger[p] as number) > 0 ? `, ${roundTenth(charger[p] as number)} A of it the charger` : '';
  // floorTenth and roundTenth written out (this runs on most fresh steps).
  const freeFloored = Math.floor(Math.max(0, settings.fuseA - settings.marginA - (r.loadA[p] as number)) * 10 + 1e-9) / 10;
  const free = freeFloored > 0 ? freeFloored : 0;
  const rounded = Math.round(cur * 10) / 10;
  const curText = rounded === 0 ? 0 : rounded;
  if (src === 'estimated') {
    return { limitedBy: 'estimated-data', reason: `${name} estimated at ${curText} A from power${own}: ${free} A free under ${settings.fuseA} A less ${settings.marginA} A margin` };
  }
  if (src === 'bound') {
    return { limitedBy: FUSE_LIMITS[p] as string, reason: `${name} is not reported on this IT grid; bounded by L1 + L3 at ${curText} A${own}: ${free} A free` };
  }
  return { limitedBy: FUSE_LIMITS[p] as string, reason: `${name} carries ${curText} A${own}: ${free} A free under ${settings.fuseA} A less ${settings.marginA} A margin` };
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
 * and the ramp clock starts again with the first frame back (no step "earned" during the silence).
 */
function lowerForAge(state: HeadroomState, ageS: number, settings: HeadroomSettings): void {
  const out = state.out;
  if (!out || ageS <= settings.safeFallbackAfterS) return;
  const cap = ageS > settings.zeroAfterS ? 0 : settings.safeCurrentA;
  // A new object: the old one may be shared with the caller's state (see copyState).
  state.out = { ...out, threePhaseA: Math.min(out.threePhaseA, cap), onePhaseA: Math.min(out.onePhaseA, cap) };
  delete state.lastMeasuredMs;
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

/** Build the published answer from an output state, applying the ladder for the data's age. */
function publish(out: OutputState, ageS: number, settings: HeadroomSettings): Headroom {
  let status: HeadroomStatus = out.status;
  let limitedBy = out.limitedBy;
  let reason = out.reason;
  let cap = Infinity;
  const ageRounded = Math.round(ageS * 10) / 10; // roundTenth
  const age = ageRounded === 0 ? 0 : ageRounded;
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
  // floorTenth written out (as in publishPhase: this runs on every step).
  const three = n === 3 ? Math.min(out.threePhaseA, cap) : 0;
  const threeFloored = Math.floor(three * 10 + 1e-9) / 10;
  const one = Math.min(out.onePhaseA, cap);
  const oneFloored = Math.floor(one * 10 + 1e-9) / 10;
  const h: Headroom = {
    status,
    ageS: age,
    limitedBy,
    reason,
    phases: {
      l1: n > 0 ? publishPhase(out.currentA[0], out.currentSource[0] as CurrentSource, out.phaseA[0] as number, cap, settings.fuseA) : { limitA: 0, currentSource: 'unknown', headroomA: 0 },
      l2: n > 1 ? publishPhase(out.currentA[1], out.currentSource[1] as CurrentSource, out.phaseA[1] as number, cap, settings.fuseA) : { limitA: 0, currentSource: 'unknown', headroomA: 0 },
      l3: n > 2 ? publishPhase(out.currentA[2], out.currentSource[2] as CurrentSource, out.phaseA[2] as number, cap, settings.fuseA) : { limitA: 0, currentSource: 'unknown', headroomA: 0 },
    },
    // Below the minimum charging current the answer is 0.
    threePhaseA: three >= min && threeFloored > 0 ? threeFloored : 0,
    onePhaseA: one >= min && oneFloored > 0 ? oneFloored : 0,
  };
  if (out.onePhaseLine) h.onePhaseLine = out.onePhaseLine;
  if (out.tariff) h.tariff = publishTariff(out.tariff, cap);
  return h;
}

/**
 * One installed line of the published answer (keys in this order: limitA, currentA if known,
 * currentSource, headroomA), from the output's current, source and headroom of that line. floorTenth and roundTenth are written out here: this runs three times on every
 * step, and under XS the calls cost as much as the arithmetic.
 */
function publishPhase(c: number | null | undefined, source: CurrentSource, phaseA: number, cap: number, fuseA: number): PhaseHeadroom {
  const floored = Math.floor(Math.min(phaseA, cap) * 10 + 1e-9) / 10; // floorTenth
  const headroomA = floored > 0 ? floored : 0;
  if (c === null || c === undefined) return { limitA: fuseA, currentSource: source, headroomA };
  const rounded = Math.round(c * 10) / 10; // roundTenth
  return { limitA: fuseA, currentA: rounded === 0 ? 0 : rounded, currentSource: source, headroomA };
}

function publishTariff(t: TariffHeadroom, cap: number): TariffHeadroom {
  const copy = copyTariff(t);
  if (t.threePhaseA !== undefined) copy.threePhaseA = floorTenth(Math.min(t.threePhaseA, cap));
  if (t.onePhaseA !== undefined) copy.onePhaseA = floorTenth(Math.min(t.onePhaseA, cap));
  return copy;
}
