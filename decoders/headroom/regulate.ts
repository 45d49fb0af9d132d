/**
 * Output regulation: how the published current follows the target computed from each frame.
 *
 * - Down at once: a target below the output is taken as is, on the frame that shows it.
 * - Up gradually, and only on a fresh frame whose currents are not a guess from an old split: by
 *   at most min(rampMaxStepA, rampAPerS * seconds since the previous such frame). A rise starts
 *   only when the target exceeds the output by at least hysteresisA, then continues to the target.
 *   Why slowly: the frame and the charger's reported current are sampled at different moments and
 *   the car takes up to 5 s to follow (IEC 61851-1), so while it rises "line - charger" under-counts
 *   the house by the car's change in that window; 0.4 A/s x 5 s = 2 A, inside the default margin.
 *   Tying the step to meter time makes the rate the same for a DSMR 5 meter (1 s frames, 0.4 A
 *   steps) and a HAN meter (full list every 10 s, 4 A steps).
 * - Start: an output below the car's minimum current (published as 0) jumps to the minimum (the
 *   smallest thing a car can do) once the target clears minimum + hysteresis, so charging does
 *   not start and stop on every flicker around 6 A. Stop: at once, when the target falls below
 *   the minimum.
 *
 * The function is monotone in the target (a higher target never gives a lower output) and never
 * returns more than the target when it moves: both are checked by property tests.
 */
export function regulate(
  previousA: number,
  targetA: number,
  canIncrease: boolean,
  stepA: number,
  hysteresisA: number,
  minChargeA: number,
  rising: boolean,
): { valueA: number; rising: boolean } {
  if (targetA <= previousA) return { valueA: targetA, rising: false };
  // Rising only on frames with measured currents; a rise under way stays armed across short frames.
  if (!canIncrease) return { valueA: previousA, rising };
  if (previousA < minChargeA) {
    // Not charging: start only when the minimum plus the hysteresis is free, and start at the minimum.
    if (targetA < minChargeA + hysteresisA) return { valueA: previousA, rising: false };
    const v = Math.min(targetA, Math.max(minChargeA, previousA + stepA));
    return { valueA: v, rising: v < targetA };
  }
  // Charging: a rise starts when the gap reaches the hysteresis, then runs all the way to the
  // target (otherwise small steps would stall up to one hysteresis below it for good).
  if (!rising && targetA - previousA < hysteresisA) return { valueA: previousA, rising: false };
  const v = Math.min(targetA, previousA + stepA);
  return { valueA: v, rising: v < targetA };
}

/** Round an allowance DOWN to 0.1 A (rounding up could hand out 0.05 A the fuse does not have). */
export function floorTenth(a: number): number {
  const v = Math.floor(a * 10 + 1e-9) / 10;
  return v > 0 ? v : 0;
}

/** Round a measurement to the nearest 0.1 (A, s). */
export function roundTenth(a: number): number {
  const v = Math.round(a * 10) / 10;
  return v === 0 ? 0 : v;
}
