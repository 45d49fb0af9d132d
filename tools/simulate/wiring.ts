/**
 * How load currents become line currents (what the fuse and the meter see).
 *
 * A house has three load "slots":
 * - TN (230/400 V, with neutral): slot k is phase Lk to neutral; the line current of Lk is the
 *   sum of the slot's loads (resistive loads, so magnitudes add).
 * - IT (3x230 V, no neutral): a 230 V appliance sits BETWEEN two lines. Slot 0 = L1-L2,
 *   slot 1 = L2-L3, slot 2 = L3-L1. Each slot current is in phase with its line-to-line
 *   voltage (120 degrees apart), and a line current is the phasor difference of the two slots
 *   that touch it: |I1|^2 = I12^2 + I31^2 + I12*I31 (cos 120 = -1/2). So a kettle on L1-L2
 *   loads both L1 and L2 with its full current, and a balanced three-phase load of branch
 *   current b gives sqrt(3)*b on every line.
 */

export type Wiring = 'tn' | 'it';

/** Line currents L1..L3 (A) from slot currents (A). Writes into `out`, allocates nothing. */
export function lineCurrents(wiring: Wiring, slotA: ArrayLike<number>, out: Float64Array): void {
  if (wiring === 'tn') {
    out[0] = slotA[0];
    out[1] = slotA[1];
    out[2] = slotA[2];
    return;
  }
  const a = slotA[0]; // L1-L2
  const b = slotA[1]; // L2-L3
  const c = slotA[2]; // L3-L1
  out[0] = Math.sqrt(a * a + c * c + a * c);
  out[1] = Math.sqrt(a * a + b * b + a * b);
  out[2] = Math.sqrt(b * b + c * c + b * c);
}

const probeSlots = new Float64Array(3);
const probeLines = new Float64Array(3);

/** IT: the slots that feed each line (line k sits between slot k and slot k-1). */
function itLineTouched(weights: ArrayLike<number>, line: number): boolean {
  return weights[line] > 0 || weights[(line + 2) % 3] > 0;
}

/** Every line the charger touches stays at or under the fuse with charger current x. */
function fits(wiring: Wiring, houseSlotA: ArrayLike<number>, weights: ArrayLike<number>, x: number, fuseA: number): boolean {
  probeSlots[0] = houseSlotA[0] + weights[0] * x;
  probeSlots[1] = houseSlotA[1] + weights[1] * x;
  probeSlots[2] = houseSlotA[2] + weights[2] * x;
  lineCurrents(wiring, probeSlots, probeLines);
  for (let k = 0; k < 3; k++) {
    if (itLineTouched(weights, k) && probeLines[k] > fuseA + 1e-9) return false;
  }
  return true;
}

/**
 * The largest charger current x >= 0 (A) such that no line exceeds the fuse, given the house's
 * own slot currents and the charger's slot weights (how its current spreads over the slots).
 * Lines the charger does not touch are ignored. Returns 0 when even x = 0 does not fit (the
 * house alone is over the fuse on a line the charger uses).
 */
export function maxChargerA(wiring: Wiring, houseSlotA: ArrayLike<number>, weights: ArrayLike<number>, fuseA: number): number {
  if (wiring === 'tn') {
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      if (weights[k] > 0) best = Math.min(best, (fuseA - houseSlotA[k]) / weights[k]);
    }
    return best > 0 ? best : 0;
  }
  if (!fits(wiring, houseSlotA, weights, 0, fuseA)) return 0;
  let lo = 0;
  let hi = 2 * fuseA;
  if (fits(wiring, houseSlotA, weights, hi, fuseA)) return hi;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (fits(wiring, houseSlotA, weights, mid, fuseA)) lo = mid;
    else hi = mid;
  }
  return lo;
}
