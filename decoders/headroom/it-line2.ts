/**
 * IT grid (3x230 V, no neutral): the L2 current a 2-element meter does not send, estimated from
 * what it does send in its full list: |I1|, |I3|, the total active power P and reactive power Q,
 * and the line voltage V. docs/headroom.md ("IT grids: the L2 estimate") has the algebra, the
 * error bounds and the figures on real captures.
 *
 * The algebra in short. With L2 as the reference (two-wattmeter method, exact on a 3-wire
 * system) the total complex power is S = V12 conj(I1) + V32 conj(I3). Write u = V12 conj(I1) / V
 * and w = V32 conj(I3) / V: |u| = |I1|, |w| = |I3|, u + w = S / V =: sigma. So u is where a circle
 * of radius |I1| around 0 meets a circle of radius |I3| around sigma: two points, mirror images
 * across the line 0-sigma. With I1 + I2 + I3 = 0 and V32 = V12 e^(j60) (phase order L1-L2-L3):
 *   |I2| = |u - sigma e^(j60)|   (phase order L1-L3-L2: |u - sigma e^(-j60)|).
 * Which point is the real u follows from the loads being loads. A 230 V appliance sits between two
 * lines and draws its current between LEAD_DEG ahead of and LAG_DEG behind that line-to-line
 * voltage; per branch (L1-L2, L2-L3, L3-L1) the sum of such currents is A e^(j a), B e^(j b),
 * C e^(j c) with A, B, C >= 0 and the angles in that window, and then
 *   u = A e^(j a) + C e^(j (60 + c)),   w = B e^(j b) + C e^(j (-60 + c))
 * (phase order L1-L3-L2: 60 and -60 trade places). A point is `admissible` when such A, B, C and
 * angles exist, to within TOLERANCE_A. The estimate is the LARGEST |I2| over the admissible points
 * of both phase orders, with every input moved across its measurement error (a 3x3x3 grid over
 * |I1|, |I3| and |S|), plus the error of a grid whose voltages are not exactly 120 degrees apart.
 * When no point is admissible (the data contradict each other) or Q is not sent, the estimate is
 * not well determined: the caller keeps the bound |I1| + |I3|, which also caps the estimate always.
 */

/** Loads draw their current at most this far behind their voltage (power factor 0.64 lagging: motors, compressors), degrees. */
export const LAG_DEG = 50;
/** ... and at most this far ahead (0.98 leading: electronics, chargers at light load), degrees. */
export const LEAD_DEG = 10;
/** How far (A) a branch current may sit outside the window: measurement error and the odd strongly leading load. */
const TOLERANCE_A = 0.3;
/** Relative error of a measured current and of |S| (class B active, class 2 reactive). */
const RELATIVE_ERROR = 0.01;
/** Asymmetry of the grid: line voltages up to 1 degree off 120 apart move sigma e^(j60) by this share of |sigma|. */
const ASYMMETRY = 0.02;
/** Branch-angle steps tried for the L3-L1 branch (the one in both u and w). */
const C_ANGLE_STEPS = 6;

const DEG = Math.PI / 180;
const HALF_SQRT3 = Math.sqrt(3) / 2;
const STEPS = [-1, 0, 1];
const LEAD_COS = Math.cos(-LEAD_DEG * DEG);
const LEAD_SIN = Math.sin(-LEAD_DEG * DEG);
const LAG_COS = Math.cos(LAG_DEG * DEG);
const LAG_SIN = Math.sin(LAG_DEG * DEG);

/**
 * The values of C >= 0 for which p - C e lies within TOLERANCE_A of the load window, as [lo, hi]
 * written into out (lo > hi: none). The window is a cone between the directions -LEAD_DEG and
 * LAG_DEG; "within" is two half-planes, each linear in C.
 */
function windowRange(px: number, py: number, ex: number, ey: number, out: number[]): void {
  let lo = 0;
  let hi = Infinity;
  // Left of the lead edge: cross(lead, p - C e) >= -tol.
  const a0 = LEAD_COS * py - LEAD_SIN * px + TOLERANCE_A;
  const a1 = LEAD_COS * ey - LEAD_SIN * ex; // a0 - C a1 >= 0
  if (a1 > 0) { const c = a0 / a1; if (c < hi) hi = c; } else if (a1 < 0) { const c = a0 / a1; if (c > lo) lo = c; } else if (a0 < 0) hi = -1;
  // Right of the lag edge: cross(p - C e, lag) >= -tol.
  const b0 = px * LAG_SIN - py * LAG_COS + TOLERANCE_A;
  const b1 = ex * LAG_SIN - ey * LAG_COS; // b0 - C b1 >= 0
  if (b1 > 0) { const c = b0 / b1; if (c < hi) hi = c; } else if (b1 < 0) { const c = b0 / b1; if (c > lo) lo = c; } else if (b0 < 0) hi = -1;
  out[0] = lo;
  out[1] = hi;
}

const rangeU = [0, 0];
const rangeW = [0, 0];

/**
 * Can loads within the window give u = (ux, uy) and w = (wx, wy) (in any common frame; only
 * angles between them and the frame of sigma matter, so the caller passes them relative to the
 * direction of S itself rotated back by phi)? order: +1 for L1-L2-L3, -1 for L1-L3-L2.
 */
function admissible(order: number, ux: number, uy: number, wx: number, wy: number): boolean {
  for (let k = 0; k <= C_ANGLE_STEPS; k++) {
    const t = (-LEAD_DEG + (LAG_DEG + LEAD_DEG) * k / C_ANGLE_STEPS) * DEG;
    const e1 = t + order * 60 * DEG;
    const e2 = t - order * 60 * DEG;
    windowRange(ux, uy, Math.cos(e1), Math.sin(e1), rangeU);
    windowRange(wx, wy, Math.cos(e2), Math.sin(e2), rangeW);
    const lo = rangeU[0] > rangeW[0] ? rangeU[0] : rangeW[0];
    const hi = rangeU[1] < rangeW[1] ? rangeU[1] : rangeW[1];
    if (lo <= hi) return true;
  }
  return false;
}

/**
 * The largest L2 current consistent with the frame, A, or undefined when it is not well
 * determined. i1A, i3A: the line currents (magnitudes); powerW, reactiveVar: net totals (signed,
 * reactive positive when lagging); lineV: line-to-line voltage; resolutionA: the meter's current
 * resolution.
 */
export function estimateItLine2A(i1A: number, i3A: number, powerW: number, reactiveVar: number, lineV: number, resolutionA: number): number | undefined {
  const s0 = Math.sqrt(powerW * powerW + reactiveVar * reactiveVar) / lineV;
  if (!(s0 > 0) || !(lineV > 0)) return undefined;
  // sigma's direction in the frame where the branch angles are measured (the voltage frame).
  const phi = Math.atan2(reactiveVar, powerW);
  const cosPhi = Math.cos(phi);
  const sinPhi = Math.sin(phi);
  const ea = RELATIVE_ERROR * i1A + resolutionA;
  const ec = RELATIVE_ERROR * i3A + resolutionA;
  const es = 2 * RELATIVE_ERROR * s0 + resolutionA;
  let best = -1;
  for (let ia = 0; ia < 3; ia++) {
    const a = Math.max(0, i1A + (STEPS[ia] as number) * ea);
    for (let ic = 0; ic < 3; ic++) {
      const c = Math.max(0, i3A + (STEPS[ic] as number) * ec);
      for (let is = 0; is < 3; is++) {
        const s = s0 + (STEPS[is] as number) * es;
        if (!(s > 0) || s > a + c + 1e-9 || s < Math.abs(a - c) - 1e-9) continue; // no triangle: these values cannot all hold
        // u = (x, +-h) in the frame of sigma (sigma on the positive real axis).
        const x = (a * a - c * c + s * s) / (2 * s);
        const h2 = a * a - x * x;
        const h = h2 > 0 ? Math.sqrt(h2) : 0;
        for (let side = -1; side <= 1; side += 2) {
          // Back into the voltage frame: rotate by phi.
          const uy0 = side * h;
          const ux = x * cosPhi - uy0 * sinPhi;
          const uy = x * sinPhi + uy0 * cosPhi;
          const wx = s * cosPhi - ux;
          const wy = s * sinPhi - uy;
          for (let order = -1; order <= 1; order += 2) {
            if (!admissible(order, ux, uy, wx, wy)) continue;
            const dx = x - s / 2;
            const dy = uy0 - order * s * HALF_SQRT3;
            const i2 = Math.sqrt(dx * dx + dy * dy);
            if (i2 > best) best = i2;
          }
        }
      }
    }
  }
  if (best < 0) return undefined;
  return best + ASYMMETRY * s0;
}
