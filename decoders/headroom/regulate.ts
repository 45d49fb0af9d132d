/**
 * Output regulation: how a published allowance (three-phase or one-phase) follows the target the
 * engine computes from each frame.
 *
 * - Down at once: a target below the output is taken as is, on the frame that shows it.
 * - Up gradually, and only on a fresh frame whose currents are this frame's own figures (not a
 *   guess from an old split): at most one rise every riseIntervalS (5 s: a car needs up to 5 s to
 *   follow a new set point, IEC 61851-1, and chargers dislike rapid changes), each by at most
 *   min(rampMaxStepA, rampAPerS * seconds since the last change). A rise starts only when the
 *   target exceeds the output by at least hysteresisA, then continues to the target. Waiting 5 s
 *   also means the car has followed the last change before the next one is decided, so the skew
 *   between the frame and the charger's reported current is gone by then. Tying the step to meter
 *   time makes the rate the same on every meter (DSMR 5: 2 A every 5 s; HAN: 4 A per full list).
 * - Start: an output below the car's minimum current (published as 0) jumps to the minimum (the
 *   smallest thing a car can do) once the target clears minimum + hysteresis, so charging does
 *   not start and stop on every flicker around 6 A. Stop: at once, when the target falls below
 *   the minimum.
 * - Reserve after a load went off (settings.holdOffS): when the fuse-bound target jumps up between
 *   two measured frames, the jump (less half the hysteresis, which is wobble and below what makes
 *   the output move) is kept back for holdOffS: hob zones, dryer and oven heaters and kettles cycle
 *   on and off every 10 s to a few minutes, and the one that went off is likely to come back. When
 *   a load comes on again it takes its room back out of the reserve, so the output does not move
 *   at all while a load cycles (also when a power-only short list shows it first: the target is
 *   then the lower of the lines' room and the last measured room less the reserve); and only the size of the step that disappeared is kept back: other
 *   room is used at once (the hold-off before 2026-12 froze every rise for 120 s instead).
 *
 * regulate() is monotone in the target (a higher target never gives a lower output) and never
 * returns more than the target when it moves; the reserved target is monotone and continuous in
 * the fuse-bound target too (no jump threshold: a threshold would let a little more load give a
 * larger answer). Both are checked by property tests.
 */
import type { HeadroomSettings } from './settings';

export function regulate(
  previousA: number,
  targetA: number,
  canIncrease: boolean,
  stepA: number,
  hysteresisA: number,
  minChargeA: number,
  rising: boolean,
  /** False while riseIntervalS has not passed since the last change: a rise that is due waits. */
  paceOk = true,
): { valueA: number; rising: boolean; waiting: boolean } {
  if (targetA <= previousA) return { valueA: targetA, rising: false, waiting: false };
  // Rising only on frames with measured currents; a rise under way stays armed across short frames.
  if (!canIncrease) return { valueA: previousA, rising, waiting: false };
  if (previousA < minChargeA) {
    // Not charging: start only when the minimum plus the hysteresis is free, and start at the minimum.
    if (targetA < minChargeA + hysteresisA) return { valueA: previousA, rising: false, waiting: false };
    if (!paceOk) return { valueA: previousA, rising, waiting: true };
    const v = Math.min(targetA, Math.max(minChargeA, previousA + stepA));
    return { valueA: v, rising: v < targetA, waiting: false };
  }
  // Charging: a rise starts when the gap reaches the hysteresis, then runs all the way to the
  // target (otherwise small steps would stall up to one hysteresis below it for good).
  if (!rising && targetA - previousA < hysteresisA) return { valueA: previousA, rising: false, waiting: false };
  if (!paceOk) return { valueA: previousA, rising, waiting: true };
  const v = Math.min(targetA, previousA + stepA);
  return { valueA: v, rising: v < targetA, waiting: false };
}

/** One output's regulation state (kept in OutputState per output). */
export interface OutputTrack {
  valueA: number;
  rising: boolean;
  riseFromMs?: number;
  fuseA?: number;
  reserveA?: number;
  reserveUntilMs?: number;
}

export interface OutputStep extends OutputTrack {
  /** The target after the reserve and the budget, A (what the output follows). */
  targetA: number;
  /** The reserve in force on this step, A (0: none). */
  heldBackA: number;
  /** True when the output waits for riseIntervalS before a rise it would make. */
  waiting: boolean;
}

/**
 * One regulation step of an output. fuseTargetA: what the lines allow (before budgets); budgetA:
 * what a budget allows (Infinity: none); measured: this frame's currents are its own figures and
 * fresh (a rise may rest on it).
 */
export function regulateOutput(
  prev: OutputTrack,
  fuseTargetA: number,
  budgetA: number,
  measured: boolean,
  timeBaseMs: number,
  settings: HeadroomSettings,
): OutputStep {
  // The reserve: what went off lately, kept back until it has stayed away holdOffS.
  let reserveA = prev.reserveUntilMs !== undefined && timeBaseMs < prev.reserveUntilMs ? (prev.reserveA ?? 0) : 0;
  let reserveUntilMs = reserveA > 0 ? prev.reserveUntilMs : undefined;
  let fuseA = prev.fuseA;
  if (measured) {
    if (fuseA !== undefined && settings.holdOffS > 0) {
      const upA = fuseTargetA - fuseA;
      const keepA = upA - settings.hysteresisA / 2;
      if (keepA > reserveA) {
        // (Only a larger reserve restarts the clock: wobble must not keep an old one alive.)
        reserveA = keepA;
        reserveUntilMs = timeBaseMs + settings.holdOffS * 1000;
      } else if (upA < 0 && reserveA > 0) {
        // A load came on: it takes its room back out of the reserve.
        reserveA = reserveA + upA > 0 ? reserveA + upA : 0;
        if (reserveA === 0) reserveUntilMs = undefined;
      }
    }
    fuseA = fuseTargetA;
  }
  // A frame that is no measurement (a short list's estimate) does no bookkeeping, but a load that
  // came on since the last measured frame takes its room out of the reserve for this step: the
  // target is min(lines' room, last measured room less the reserve), never more than the lines allow.
  let heldA = reserveA;
  if (!measured && fuseA !== undefined && fuseTargetA < fuseA) {
    heldA = reserveA - (fuseA - fuseTargetA);
    if (heldA < 0) heldA = 0;
  }
  const fuseLeftA = fuseTargetA - heldA;
  let targetA = fuseLeftA < budgetA ? fuseLeftA : budgetA;
  if (targetA < 0) targetA = 0;

  // At most one rise per riseIntervalS, each earned at rampAPerS since the last change.
  const since = prev.riseFromMs === undefined ? undefined : timeBaseMs - prev.riseFromMs;
  const intervalOk = since === undefined || since >= settings.riseIntervalS * 1000;
  let stepA = since === undefined ? 0 : (settings.rampAPerS * since) / 1000;
  if (stepA > settings.rampMaxStepA) stepA = settings.rampMaxStepA;
  const r = regulate(prev.valueA, targetA, measured, stepA, settings.hysteresisA, settings.minChargeA, prev.rising, intervalOk);
  // Any change, and every measured step that is not waiting for a rise, restarts the pace: the
  // next rise comes riseIntervalS later at the earliest and earns its size from now.
  const riseFromMs = r.valueA !== prev.valueA || (measured && !r.waiting) ? timeBaseMs : prev.riseFromMs;
  // (One literal, absent fields as undefined: the engine copies them into its output state, where
  // JSON leaves them out; XS builds the object once instead of changing its shape per field added.)
  const keep = reserveA > 0 && reserveUntilMs !== undefined;
  return {
    valueA: r.valueA,
    rising: r.rising,
    riseFromMs,
    fuseA,
    reserveA: keep ? reserveA : undefined,
    reserveUntilMs: keep ? reserveUntilMs : undefined,
    targetA,
    heldBackA: heldA,
    waiting: r.waiting,
  };
}
