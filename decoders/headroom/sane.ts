/**
 * Plausibility gates for reading fields. The reading contract says numbers, but readings also
 * arrive as JSON from tools and bridges: a value that is not a finite number, or is far outside
 * anything a household meter can show, is treated as NOT SENT (and then estimated, bounded or
 * unknown) — never as 0, and never allowed to turn an estimate into NaN or Infinity.
 */

/** Line currents above this are not a household meter's (CT meters included), A. */
/** Largest line current taken as real, A (exported for the gate written out in currents.ts). */
export const MAX_CURRENT_A = 2000;
/** Powers above this are not a household meter's, W. */
/** Largest power taken as real, W (exported for the gate written out in currents.ts). */
export const MAX_POWER_W = 2_000_000;
/** Registers at or above this are not a meter's (10 TWh), Wh. */
const MAX_ENERGY_WH = 1e13;

// Each gate is one comparison chain with no helper call (they run a dozen times per headroom
// step): `typeof v === 'number'` and the range comparisons together refuse non-numbers, NaN
// (every comparison with NaN is false) and the infinities (outside every range here).

/** A current magnitude, A (meters send magnitudes; a signed one is taken as its magnitude). */
export function saneCurrent(v: unknown): number | undefined {
  return typeof v === 'number' && v >= -MAX_CURRENT_A && v <= MAX_CURRENT_A ? Math.abs(v) : undefined;
}

/** A voltage, V (below 50 V is a dead or unreported line, not a voltage to divide by). */
export function saneVoltage(v: unknown): number | undefined {
  return typeof v === 'number' && v > 50 && v < 1000 ? v : undefined;
}

/** A power magnitude, W (import and export fields are magnitudes; a sign is dropped). */
export function sanePower(v: unknown): number | undefined {
  return typeof v === 'number' && v >= -MAX_POWER_W && v <= MAX_POWER_W ? Math.abs(v) : undefined;
}

/** A cumulative energy register, Wh. */
export function saneEnergy(v: unknown): number | undefined {
  return typeof v === 'number' && v >= 0 && v < MAX_ENERGY_WH ? v : undefined;
}
