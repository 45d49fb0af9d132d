/**
 * Reference controllers the engine is compared with. Each turns what it sees at a meter frame
 * into an allowance for the charger (A per charger line; the charger floors it to whole
 * amperes and stops under its minimum).
 *
 * - gap: sets the charger to the momentary gap each full frame: fuse - (measured line current -
 *   the charger's own current), the smallest over the lines the charger uses. Naive the way
 *   simple controllers are: a line without a current (Kaifa IT leaves out L2) is skipped, and
 *   short frames and lost frames keep the last allowance.
 * - quarter: the same gap, but raises by a quarter of the difference per frame and drops at once.
 * - oracle: the "unavoidable" reference. At every frame slot of the meter's cadence (short
 *   frames and lost frames included) it knows the house's TRUE per-line currents and sets the
 *   charger exactly to what fits, with no margin. Whatever overload it still causes comes from
 *   the meter's update interval and the charger's reaction delay alone.
 */
import type { MeterReading } from '../../decoders/reading';
import type { HouseProfile } from './profiles';
import { maxChargerA } from './wiring';

export interface Controller {
  readonly name: string;
  /** The headroom status in force after the last call (engine only). */
  readonly status?: string;
  /**
   * A meter frame (`reading`) or a frame slot without one (`reading` undefined: lost frame,
   * outage), at nowMs, with the charger's present current per line. Returns the allowance, A.
   */
  onFrame(nowMs: number, reading: MeterReading | undefined, chargerLineA: readonly [number, number, number]): number;
}

const lineKeys = ['l1', 'l2', 'l3'] as const;

/** The measured gap for the charger, or undefined when the frame has no current on its lines. */
export function measuredGapA(profile: HouseProfile, reading: MeterReading | undefined, chargerLineA: readonly [number, number, number]): number | undefined {
  if (!reading || reading.frameKind === 'short') return undefined;
  const w = profile.charger.lineWeights;
  let gap: number | undefined;
  for (let k = 0; k < 3; k++) {
    if (w[k] <= 0) continue;
    const measured = reading[lineKeys[k]]?.currentA;
    if (measured === undefined) continue;
    const room = (profile.fuseA - (measured - chargerLineA[k])) / w[k];
    gap = gap === undefined ? room : Math.min(gap, room);
  }
  return gap;
}

export function createGapController(profile: HouseProfile): Controller {
  let allowanceA = 0;
  return {
    name: 'gap',
    onFrame(_nowMs, reading, chargerLineA) {
      const gap = measuredGapA(profile, reading, chargerLineA);
      if (gap !== undefined) allowanceA = gap;
      return allowanceA;
    },
  };
}

export function createQuarterController(profile: HouseProfile): Controller {
  let allowanceA = 0;
  return {
    name: 'quarter',
    onFrame(_nowMs, reading, chargerLineA) {
      const gap = measuredGapA(profile, reading, chargerLineA);
      if (gap !== undefined) allowanceA = gap < allowanceA ? gap : allowanceA + (gap - allowanceA) / 4;
      return allowanceA;
    },
  };
}

/** houseSlotP, houseSlotQ: the house's true slot currents (read at call time; the simulator keeps them current). */
export function createOracleController(profile: HouseProfile, houseSlotP: Float64Array, houseSlotQ: Float64Array): Controller {
  return {
    name: 'oracle',
    onFrame() {
      return maxChargerA(profile.wiring, houseSlotP, houseSlotQ, profile.charger.slotWeights, profile.fuseA);
    },
  };
}
