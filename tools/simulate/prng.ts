/**
 * Seeded pseudo-random numbers for the simulator (mulberry32: 32-bit state, fast, good enough
 * for load profiles and reproducible from one integer). Each model (house, meter, car) draws
 * from its own stream, so changing the controller never changes the house or the meter.
 */

export type Rng = () => number;

/** mulberry32: uniform in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An independent stream per model: mixes the run seed with a stream number. */
export function streamRng(seed: number, stream: number): Rng {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return mulberry32(h);
}

export function between(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng();
}

/** Waiting time of a Poisson process with the given rate (events per second). */
export function exponentialS(rng: Rng, ratePerS: number): number {
  return -Math.log(1 - rng()) / ratePerS;
}
