/**
 * What a run is judged by, accumulated one second at a time (allocation free per second).
 *
 * - chargerOverloadAs: ampere-seconds over the fuse rating CAUSED by the charger: per second, on
 *   each line, (excess with the charger) - (excess the house would have had alone), where excess
 *   = max(0, lineA - fuseA); the worst line counts (a fuse is per line, and a single-phase IT
 *   charger loads two lines with the same current: summing lines would count it twice).
 * - longestOverloadS: the longest run of consecutive seconds with charger-caused overload.
 * - peakOverloadA: the largest charger-caused excess in any second.
 * - houseOverloadAs: what the house alone would have put over the fuse (not the charger's fault).
 * - energyWh vs idealEnergyWh: what the car got, and what fit under the fuse with perfect
 *   knowledge and an instant charger (same sessions, same battery wishes, >= minA or nothing).
 * - beyondIntervalAs: the part of chargerOverloadAs that the meter's cadence and the charger's
 *   reaction delay do NOT explain. The latest frame slot a controller could still act on at
 *   second t is the one at or before t - delay - 1; if the house had stayed as it was at that slot,
 *   the charger's present current would still overload by `beyond`. A controller that keeps this
 *   at 0 never holds the charger above what its last chance of data showed.
 * - lostFrameAs: the same, but the frame of that slot was lost (CRC error, outage): the data the
 *   controller would have needed never came. Not part of beyondIntervalAs.
 * - setpointChanges: how often the charger's set point changed; quickChanges: how many of those came
 *   less than QUICK_CHANGE_S after the previous change (a car needs seconds to follow, and chargers
 *   and cars dislike set points that hop).
 * - statusS: seconds spent in each headroom status (engine only; reference controllers have none).
 */

export interface MetricsResult {
  seconds: number;
  chargerOverloadAs: number;
  overloadSeconds: number;
  longestOverloadS: number;
  peakOverloadA: number;
  houseOverloadAs: number;
  beyondIntervalAs: number;
  beyondIntervalSeconds: number;
  lostFrameAs: number;
  energyWh: number;
  idealEnergyWh: number;
  energyRatio: number;
  setpointChanges: number;
  quickChanges: number;
  statusS: Record<string, number>;
}

/** A set-point change this soon after the previous one counts as quick, s. */
export const QUICK_CHANGE_S = 5;

export class Metrics {
  readonly fuseA: number;
  private seconds = 0;
  private overloadAs = 0;
  private overloadSeconds = 0;
  private runS = 0;
  private longestS = 0;
  private peakA = 0;
  private houseAs = 0;
  private beyondAs = 0;
  private beyondSeconds = 0;
  private lostAs = 0;
  private energyWh = 0;
  private idealWh = 0;
  private changes = 0;
  private quick = 0;
  private lastSetpoint = 0;
  private lastChangeS = -Infinity;
  private readonly statusS: Record<string, number> = {};

  constructor(fuseA: number) {
    this.fuseA = fuseA;
  }

  /**
   * One second: line currents with and without the charger (A), the charger's power and the
   * ideal charger's power (W), the headroom status in force (undefined: none), and optionally
   * the lines as of the latest frame slot the controller could act on (with the charger's
   * PRESENT current, and without it) and whether that slot's frame was lost. Without them
   * every charger-caused overload counts as beyond the interval.
   */
  addSecond(
    lineWithA: ArrayLike<number>,
    lineWithoutA: ArrayLike<number>,
    chargerPowerW: number,
    idealPowerW: number,
    status?: string,
    knownWithA?: ArrayLike<number>,
    knownWithoutA?: ArrayLike<number>,
    knownLost?: boolean,
  ): void {
    const f = this.fuseA;
    let caused = 0;
    let house = 0;
    for (let k = 0; k < 3; k++) {
      const alone = lineWithoutA[k] > f ? lineWithoutA[k] - f : 0;
      const withCharger = lineWithA[k] > f ? lineWithA[k] - f : 0;
      const c = withCharger - alone;
      if (c > caused) caused = c;
      if (alone > house) house = alone;
    }
    // Rounding noise of a few nanoamperes is not an overload.
    if (caused > 1e-9) {
      this.overloadAs += caused;
      this.overloadSeconds++;
      this.runS++;
      if (this.runS > this.longestS) this.longestS = this.runS;
      if (caused > this.peakA) this.peakA = caused;
      let beyond = caused;
      if (knownWithA && knownWithoutA) {
        let known = 0;
        for (let k = 0; k < 3; k++) {
          const alone = knownWithoutA[k] > f ? knownWithoutA[k] - f : 0;
          const withCharger = knownWithA[k] > f ? knownWithA[k] - f : 0;
          if (withCharger - alone > known) known = withCharger - alone;
        }
        if (known < beyond) beyond = known;
      }
      if (beyond > 1e-9) {
        if (knownLost) {
          this.lostAs += beyond;
        } else {
          this.beyondAs += beyond;
          this.beyondSeconds++;
        }
      }
    } else {
      this.runS = 0;
    }
    this.houseAs += house;
    this.energyWh += chargerPowerW / 3600;
    this.idealWh += idealPowerW / 3600;
    if (status !== undefined) this.statusS[status] = (this.statusS[status] ?? 0) + 1;
    this.seconds++;
  }

  /** The set point sent to the charger at second tS (counted when it changes). */
  setpoint(setpointA: number, tS: number): void {
    if (setpointA !== this.lastSetpoint) {
      this.changes++;
      if (tS - this.lastChangeS < QUICK_CHANGE_S) this.quick++;
      this.lastChangeS = tS;
      this.lastSetpoint = setpointA;
    }
  }

  result(): MetricsResult {
    return {
      seconds: this.seconds,
      chargerOverloadAs: this.overloadAs,
      overloadSeconds: this.overloadSeconds,
      longestOverloadS: this.longestS,
      peakOverloadA: this.peakA,
      houseOverloadAs: this.houseAs,
      beyondIntervalAs: this.beyondAs,
      beyondIntervalSeconds: this.beyondSeconds,
      lostFrameAs: this.lostAs,
      energyWh: this.energyWh,
      idealEnergyWh: this.idealWh,
      energyRatio: this.idealWh > 0 ? this.energyWh / this.idealWh : 1,
      setpointChanges: this.changes,
      quickChanges: this.quick,
      statusS: { ...this.statusS },
    };
  }
}
