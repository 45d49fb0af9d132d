/**
 * How load currents become line currents (what the fuse and the meter see).
 *
 * A house has three load "slots". Each slot current is a phasor relative to the slot's own
 * voltage: an in-phase part p (A, what makes active power) and a lagging quadrature part q (A,
 * reactive: motors, compressors; negative for capacitive loads). Resistive loads have q = 0.
 * - TN (230/400 V, with neutral): slot k is phase Lk to neutral; the line current of Lk is the
 *   magnitude of its slot current, sqrt(p^2 + q^2).
 * - IT (3x230 V, no neutral): a 230 V appliance sits BETWEEN two lines. Slot 0 = L1-L2,
 *   slot 1 = L2-L3, slot 2 = L3-L1, with line-to-line voltages at 30, -90 and 150 degrees (phase
 *   order L1-L2-L3). A line current is the phasor difference of the two slots that touch it:
 *   I1 = x12 - x31, I2 = x23 - x12, I3 = x31 - x23. For resistive loads
 *   |I1|^2 = I12^2 + I31^2 + I12*I31 (cos 120 = -1/2): a kettle on L1-L2 loads both L1 and L2 with
 *   its full current, and a balanced three-phase load of branch current b gives sqrt(3)*b per line.
 */

export type Wiring = 'tn' | 'it';

const DEG = Math.PI / 180;
/** Angles of the IT slot voltages V12, V23, V31. */
const SLOT_COS = [Math.cos(30 * DEG), Math.cos(-90 * DEG), Math.cos(150 * DEG)];
const SLOT_SIN = [Math.sin(30 * DEG), Math.sin(-90 * DEG), Math.sin(150 * DEG)];

/** Line currents L1..L3 (A) from slot currents (in-phase p, lagging q; A). Writes into `out`, allocates nothing. */
export function lineCurrents(wiring: Wiring, slotP: ArrayLike<number>, slotQ: ArrayLike<number>, out: Float64Array): void {
  if (wiring === 'tn') {
    out[0] = Math.sqrt(slotP[0] * slotP[0] + slotQ[0] * slotQ[0]);
    out[1] = Math.sqrt(slotP[1] * slotP[1] + slotQ[1] * slotQ[1]);
    out[2] = Math.sqrt(slotP[2] * slotP[2] + slotQ[2] * slotQ[2]);
    return;
  }
  // Slot phasors x_k = (p - jq) e^(j theta_k).
  const x0 = slotP[0] * SLOT_COS[0] + slotQ[0] * SLOT_SIN[0];
  const y0 = slotP[0] * SLOT_SIN[0] - slotQ[0] * SLOT_COS[0];
  const x1 = slotP[1] * SLOT_COS[1] + slotQ[1] * SLOT_SIN[1];
  const y1 = slotP[1] * SLOT_SIN[1] - slotQ[1] * SLOT_COS[1];
  const x2 = slotP[2] * SLOT_COS[2] + slotQ[2] * SLOT_SIN[2];
  const y2 = slotP[2] * SLOT_SIN[2] - slotQ[2] * SLOT_COS[2];
  out[0] = Math.hypot(x0 - x2, y0 - y2);
  out[1] = Math.hypot(x1 - x0, y1 - y0);
  out[2] = Math.hypot(x2 - x1, y2 - y1);
}

const probeP = new Float64Array(3);
const probeLines = new Float64Array(3);

/** IT: the slots that feed each line (line k sits between slot k and slot k-1). */
function itLineTouched(weights: ArrayLike<number>, line: number): boolean {
  return weights[line] > 0 || weights[(line + 2) % 3] > 0;
}

/** Every line the charger touches stays at or under the fuse with charger current x (the charger is resistive). */
function fits(wiring: Wiring, houseP: ArrayLike<number>, houseQ: ArrayLike<number>, weights: ArrayLike<number>, x: number, fuseA: number): boolean {
  probeP[0] = houseP[0] + weights[0] * x;
  probeP[1] = houseP[1] + weights[1] * x;
  probeP[2] = houseP[2] + weights[2] * x;
  lineCurrents(wiring, probeP, houseQ, probeLines);
  for (let k = 0; k < 3; k++) {
    if (itLineTouched(weights, k) && probeLines[k] > fuseA + 1e-9) return false;
  }
  return true;
}

/**
 * The largest charger current x >= 0 (A per unit of the charger's slot weights) such that no line
 * it touches exceeds the fuse, given the house's own slot currents. Returns 0 when even x = 0 does
 * not fit (the house alone is over the fuse on a line the charger uses).
 */
export function maxChargerA(wiring: Wiring, houseP: ArrayLike<number>, houseQ: ArrayLike<number>, weights: ArrayLike<number>, fuseA: number): number {
  if (wiring === 'tn') {
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      if (!(weights[k] > 0)) continue;
      const room = fuseA * fuseA - houseQ[k] * houseQ[k];
      const x = room > 0 ? (Math.sqrt(room) - houseP[k]) / weights[k] : -1;
      if (x < best) best = x;
    }
    return best > 0 ? best : 0;
  }
  if (!fits(wiring, houseP, houseQ, weights, 0, fuseA)) return 0;
  let lo = 0;
  let hi = 2 * fuseA;
  if (fits(wiring, houseP, houseQ, weights, hi, fuseA)) return hi;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (fits(wiring, houseP, houseQ, weights, mid, fuseA)) lo = mid;
    else hi = mid;
  }
  return lo;
}
