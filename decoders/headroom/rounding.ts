/**
 * The two roundings of published figures, one definition each. Allowances go DOWN to 0.1 A
 * (rounding up could hand out 0.05 A the fuse does not have); measurements (currents, ages) go to
 * the nearest 0.1. One decimal also makes Node and XS print the same JSON.
 */

/** An allowance, A: floored to 0.1, never negative. */
export function floorTenth(a: number): number {
  // (+1e-9: 0.3 * 10 is 2.9999999999999996 in binary floating point, and 0.3 A must stay 0.3 A.)
  const v = Math.floor(a * 10 + 1e-9) / 10;
  return v > 0 ? v : 0;
}

/** A measurement (A, s) to the nearest 0.1, without a negative zero. */
export function roundTenth(a: number): number {
  const v = Math.round(a * 10) / 10;
  return v === 0 ? 0 : v;
}
