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
 * so u lies within -LEAD_DEG .. 60 + LAG_DEG and w within -60 - LEAD_DEG .. LAG_DEG (phase order
 * L1-L3-L2: the two windows trade places). A point is `admissible` when u and w lie in their
 * windows, to within TOLERANCE_A plus how far the measurement errors may move them.
 * The own charger is not a house load: its current is known (chargerA) and so is its direction,
 * in phase with the line-to-line voltage it sits on (unity power factor to within CHARGER_ANGLE).
 * Its part of u and w is exact per phase order (a one-phase charger on L1-L2 adds chargerA to u,
 * on L2-L3 to w, on L1-L3 chargerA e^(+-j60) to u and e^(-+j60) to w; a three-phase one its line
 * current e^(+-j30) and e^(-+j30)), so it is taken off before the window tests: what is left is the
 * house's, and must lie in the house's windows. The test with the charger in (u itself in the
 * window: the charger's direction lies inside the window, so a true point passes both) is kept
 * too, so knowing the charger only ever removes candidates, never adds one.
 * The estimate is the LARGEST |I2| over the admissible points of both phase orders, plus its own
 * first-order error (estimateItLine2A), the error of a grid whose voltages are not exactly 120 degrees apart
 * and of list values sampled at slightly different moments. When no point is admissible (the data
 * contradict each other), the triangle is flat (the error covers everything) or Q is not sent, the
 * estimate is not well determined: the caller keeps the bound |I1| + |I3|, which also caps the
 * estimate always.
 *
 * Cost: no trigonometry per frame, one rotation; about 800 computrons under XS for a full list,
 * 1,350 with the own charger drawing (tools/headroom-cost.ts), once every 10 s.
 */
import { LOAD_LAG_DEG } from '../plausibility/ranges';

/** Loads draw their current at most this far behind their voltage (power factor 0.64 lagging: motors, compressors), degrees. */
const LAG_DEG = LOAD_LAG_DEG;
/** ... and at most this far ahead (0.98 leading: electronics, chargers at light load), degrees. */
const LEAD_DEG = 10;
/** How far (A) u or w may sit outside its window on top of the measurement errors: the odd strongly leading load. */
const TOLERANCE_A = 0.3;
/** Relative error of a measured current and of |S| (class B active, class 2 reactive). */
const RELATIVE_ERROR = 0.01;
/**
 * Angle error of S and of the grid, radians: P and Q to class B / class 2 move the angle of S by
 * up to about 1.7 degrees; line voltages up to 1 degree off 120 apart move the windows' frame.
 */
const ANGLE_ERROR = 0.045;
/** Asymmetry of the grid: line voltages up to 1 degree off 120 apart move sigma e^(j60) by this share of |sigma|. */
const ASYMMETRY = 0.02;
/**
 * Added to every estimate, A: list values sampled at slightly different moments. The one real
 * capture where a 3-wire meter's own L2 lies off the geometry of its P, Q, I1 and I3 (roarfred's
 * Kaifa MA304H3E, 1.94 A against 1.16 A) sets it; the other Kaifa captures match within 2 mA.
 */
const EXTRA_A = 0.7;

/**
 * The own charger's current may lie this far off its line-to-line voltage, radians (5.7 degrees:
 * displacement power factor 0.995; on-board chargers with active power-factor correction stay
 * closer at any useful current) ...
 */
const CHARGER_ANGLE = 0.1;
/**
 * ... and its part of u and w differ from what its report gives by this share plus
 * CHARGER_RESOLUTION_A: its own measurement (2 %), and the line-to-line voltage it sits on against
 * the mean the meter's figures are divided by (1 %).
 */
const CHARGER_RELATIVE_ERROR = 0.03;
const CHARGER_RESOLUTION_A = 0.1;

/** Where the own charger sits (currents.ts works it out from the charger's line currents). */
export const CHARGER_NONE = 0;
export const CHARGER_L1_L2 = 1;
export const CHARGER_L2_L3 = 2;
export const CHARGER_L1_L3 = 3;
export const CHARGER_THREE_PHASE = 4;

const DEG = Math.PI / 180;
const HALF_SQRT3 = Math.sqrt(3) / 2;

/**
 * The windows as the unit vectors of their edges (order L1-L2-L3: u's from -LEAD_DEG to
 * 60 + LAG_DEG, w's from -60 - LEAD_DEG to LAG_DEG; order L1-L3-L2 swaps them). A point is within
 * TOLERANCE_A of a window when it is left of the first edge and right of the second, each less
 * TOLERANCE_A (the tests are written out where used: they run up to 72 times a full list).
 */
const U_FROM_X = Math.cos(-LEAD_DEG * DEG);
const U_FROM_Y = Math.sin(-LEAD_DEG * DEG);
const U_TO_X = Math.cos((60 + LAG_DEG) * DEG);
const U_TO_Y = Math.sin((60 + LAG_DEG) * DEG);
const W_FROM_X = Math.cos((-60 - LEAD_DEG) * DEG);
const W_FROM_Y = Math.sin((-60 - LEAD_DEG) * DEG);
const W_TO_X = Math.cos(LAG_DEG * DEG);
const W_TO_Y = Math.sin(LAG_DEG * DEG);

/** Phase orders, as bits of a candidate's `orders` mask. */
export const ORDER_123 = 1;
export const ORDER_132 = 2;

/**
 * The two solutions of a full list (u = x +- jh in the frame of sigma), each with the phase
 * orders whose windows admit it and its |I2| per order; what the estimate and the lock
 * (the lock experiment, tools/simulate/it-lock.ts) choose from. Index 0: +h, 1: -h.
 */
export interface ItLine2Candidates {
  /** u of each solution in the voltage frame (the meter's figures, the own charger in), A. */
  ux: number[];
  uy: number[];
  /** Per solution: ORDER_123 | ORDER_132, the orders whose windows admit it (0: neither). */
  orders: number[];
  /** |I2| per solution and order: [0]: +h L1-L2-L3, [1]: +h L1-L3-L2, [2]: -h L1-L2-L3, [3]: -h L1-L3-L2, A. */
  l2A: number[];
  /** sigma = S / V in the voltage frame, A. */
  sigmaX: number;
  sigmaY: number;
  /** How far u may move by the meter's errors (first order, and the angle error), A. */
  moveA: number;
  /** Added to a chosen |I2|: its own error, the grid's asymmetry and the sampling allowance, A. */
  errorA: number;
}

/**
 * The largest |I2| (plus its error) over the solutions in `sides` (bit 1: +h, bit 2: -h) and the
 * orders in `orders` that the windows admit, A; undefined when none is admitted.
 */
export function largestL2A(c: ItLine2Candidates, sides: number, orders: number): number | undefined {
  let best = -1;
  for (let k = 0; k < 2; k++) {
    if ((sides & (1 << k)) === 0) continue;
    const m = (c.orders[k] as number) & orders;
    if ((m & ORDER_123) !== 0 && (c.l2A[2 * k] as number) > best) best = c.l2A[2 * k] as number;
    if ((m & ORDER_132) !== 0 && (c.l2A[2 * k + 1] as number) > best) best = c.l2A[2 * k + 1] as number;
  }
  return best < 0 ? undefined : best + c.errorA;
}

/**
 * Both solutions of a full list and which phase orders admit each (arguments as for
 * estimateItLine2A), or undefined when the frame does not determine them (no triangle, an error
 * that covers everything, no power).
 *
 * Errors are carried to first order: with x = (a^2 - c^2 + s^2) / 2s and h = sqrt(a^2 - x^2),
 *   dx = (a/s) da - (c/s) dc + ((s - x)/s) ds,   dh = (a (s - x) da + x c dc - x (s - x) ds) / (s h),
 * so u moves by at most |dx| + |dh|, w by that plus ds, both turn by the angle error of S, and
 * |I2| = |(x - s/2, +-h -+ s sqrt(3)/2)| by at most |dx| + |dh| + (1/2 + sqrt(3)/2) ds. The window
 * tests allow for the move; the estimate adds it. Near a flat triangle (h -> 0) dh grows without
 * bound and the estimate reaches the bound: that is the "not well determined" case falling back.
 */
export function itLine2Candidates(
  i1A: number,
  i3A: number,
  powerW: number,
  reactiveVar: number,
  lineV: number,
  resolutionA: number,
  chargerWiring = CHARGER_NONE,
  chargerA = 0,
): ItLine2Candidates | undefined {
  const out: ItLine2Candidates = {
    ux: new Array<number>(0, 0),
    uy: new Array<number>(0, 0),
    orders: new Array<number>(0, 0),
    l2A: new Array<number>(0, 0, 0, 0),
    sigmaX: 0,
    sigmaY: 0,
    moveA: 0,
    errorA: -1,
  };
  estimateItLine2A(i1A, i3A, powerW, reactiveVar, lineV, resolutionA, chargerWiring, chargerA, out);
  return out.errorA < 0 ? undefined : out;
}

/**
 * The largest L2 current consistent with the frame, A, or undefined when it is not well
 * determined. i1A, i3A: the line currents (magnitudes); powerW, reactiveVar: net totals (signed,
 * reactive positive when lagging); lineV: line-to-line voltage; resolutionA: the meter's current
 * resolution; chargerWiring (CHARGER_*) and chargerA: the own charger and its present current
 * (its line current; for a three-phase charger the current of each line), included in the
 * figures (L2 is the line's whole current, charger and all). With `out` (itLine2Candidates) it also
 * fills in both solutions; the engine's path allocates nothing.
 *
 * Errors are carried to first order (itLine2Candidates has the formulas).
 */
export function estimateItLine2A(
  i1A: number,
  i3A: number,
  powerW: number,
  reactiveVar: number,
  lineV: number,
  resolutionA: number,
  chargerWiring = CHARGER_NONE,
  chargerA = 0,
  out?: ItLine2Candidates,
): number | undefined {
  const sVA = Math.sqrt(powerW * powerW + reactiveVar * reactiveVar);
  if (!(sVA > 0) || !(lineV > 0)) return undefined;
  const s = sVA / lineV;
  const a = i1A;
  const c = i3A;
  if (s > a + c || s < (a > c ? a - c : c - a)) return undefined; // no triangle: the figures contradict each other
  // The errors of the inputs, A.
  const ea = RELATIVE_ERROR * a + resolutionA;
  const ec = RELATIVE_ERROR * c + resolutionA;
  const es = 2 * RELATIVE_ERROR * s + resolutionA;
  // u = (x, +-h) in the frame of sigma (sigma on the positive real axis), and how far it may move.
  const x = (a * a - c * c + s * s) / (2 * s);
  const h2 = a * a - x * x;
  const h = h2 > 0 ? Math.sqrt(h2) : 0;
  const sx = s - x;
  const dx = (a * ea + c * ec + (sx < 0 ? -sx : sx) * es) / s;
  const ax = x < 0 ? -x : x;
  const dh = h > 0 ? (a * (sx < 0 ? -sx : sx) * ea + ax * c * ec + ax * (sx < 0 ? -sx : sx) * es) / (s * h) : Infinity;
  const du = dx + dh;
  if (!(du < a + c)) return undefined; // the error covers everything: only the bound holds
  const dI2 = du + (0.5 + HALF_SQRT3) * es;
  // Tolerances of the window tests: the load model's, plus how far u and w may move and turn.
  const tolU = TOLERANCE_A + du + a * ANGLE_ERROR;
  const tolW = TOLERANCE_A + du + es + c * ANGLE_ERROR;
  // sigma's direction in the voltage frame (where the windows are): cos and sin of the angle of S.
  const cosPhi = powerW / sVA;
  const sinPhi = reactiveVar / sVA;
  // The own charger's part of u and w in the voltage frame: order L1-L2-L3 (p*), L1-L3-L2 (m*).
  let pux = 0;
  let puy = 0;
  let pwx = 0;
  let pwy = 0;
  let mux = 0;
  let muy = 0;
  let mwx = 0;
  let mwy = 0;
  let tolC = 0;
  if (chargerA > 0 && chargerWiring !== CHARGER_NONE) {
    const k = chargerA;
    if (chargerWiring === CHARGER_L1_L2) {
      pux = k;
      mux = k;
    } else if (chargerWiring === CHARGER_L2_L3) {
      pwx = k;
      mwx = k;
    } else if (chargerWiring === CHARGER_L1_L3) {
      pux = 0.5 * k;
      puy = HALF_SQRT3 * k;
      pwx = pux;
      pwy = -puy;
    } else if (chargerWiring === CHARGER_THREE_PHASE) {
      pux = HALF_SQRT3 * k;
      puy = 0.5 * k;
      pwx = pux;
      pwy = -puy;
    }
    if (chargerWiring === CHARGER_L1_L3 || chargerWiring === CHARGER_THREE_PHASE) {
      mux = pux;
      muy = -puy;
      mwx = pwx;
      mwy = -pwy;
    }
    tolC = k * (CHARGER_ANGLE + CHARGER_RELATIVE_ERROR) + CHARGER_RESOLUTION_A;
  }
  const charger = tolC > 0;
  const tolUh = tolU + tolC;
  const tolWh = tolW + tolC;
  const dx2 = (x - s / 2) * (x - s / 2);
  const sh = s * HALF_SQRT3;
  let best = -1; // the largest admissible |I2|, squared
  for (let side = 1; side >= -1; side -= 2) {
    const uy0 = side * h;
    // Back into the voltage frame: rotate by the angle of S.
    const ux = x * cosPhi - uy0 * sinPhi;
    const uy = x * sinPhi + uy0 * cosPhi;
    const wx = s * cosPhi - ux;
    const wy = s * sinPhi - uy;
    // Which windows u and w fit (each within its tolerance), and, with the own charger drawing,
    // whether what is left without it (the house's part) fits too.
    let uInU = U_FROM_X * uy - U_FROM_Y * ux >= -tolU && ux * U_TO_Y - uy * U_TO_X >= -tolU;
    let uInW = W_FROM_X * uy - W_FROM_Y * ux >= -tolU && ux * W_TO_Y - uy * W_TO_X >= -tolU;
    let wInU = U_FROM_X * wy - U_FROM_Y * wx >= -tolW && wx * U_TO_Y - wy * U_TO_X >= -tolW;
    let wInW = W_FROM_X * wy - W_FROM_Y * wx >= -tolW && wx * W_TO_Y - wy * W_TO_X >= -tolW;
    if (charger) {
      // Order L1-L2-L3: u - p_u in u's window, w - p_w in w's; order L1-L3-L2: the m parts, windows swapped.
      let hx = ux - pux;
      let hy = uy - puy;
      uInU = uInU && U_FROM_X * hy - U_FROM_Y * hx >= -tolUh && hx * U_TO_Y - hy * U_TO_X >= -tolUh;
      hx = wx - pwx;
      hy = wy - pwy;
      wInW = wInW && W_FROM_X * hy - W_FROM_Y * hx >= -tolWh && hx * W_TO_Y - hy * W_TO_X >= -tolWh;
      hx = ux - mux;
      hy = uy - muy;
      uInW = uInW && W_FROM_X * hy - W_FROM_Y * hx >= -tolUh && hx * W_TO_Y - hy * W_TO_X >= -tolUh;
      hx = wx - mwx;
      hy = wy - mwy;
      wInU = wInU && U_FROM_X * hy - U_FROM_Y * hx >= -tolWh && hx * U_TO_Y - hy * U_TO_X >= -tolWh;
    }
    // order L1-L2-L3: |I2| = |u - sigma e^(j60)|; order L1-L3-L2: |u - sigma e^(-j60)|
    if (uInU && wInW) {
      const dy = uy0 - sh;
      if (dx2 + dy * dy > best) best = dx2 + dy * dy;
    }
    if (uInW && wInU) {
      const dy = uy0 + sh;
      if (dx2 + dy * dy > best) best = dx2 + dy * dy;
    }
    if (out !== undefined) {
      const k = side > 0 ? 0 : 1;
      out.ux[k] = ux;
      out.uy[k] = uy;
      out.l2A[2 * k] = Math.sqrt(dx2 + (uy0 - sh) * (uy0 - sh));
      out.l2A[2 * k + 1] = Math.sqrt(dx2 + (uy0 + sh) * (uy0 + sh));
      out.orders[k] = (uInU && wInW ? ORDER_123 : 0) | (uInW && wInU ? ORDER_132 : 0);
    }
  }
  if (out !== undefined) {
    out.sigmaX = s * cosPhi;
    out.sigmaY = s * sinPhi;
    out.moveA = du + a * ANGLE_ERROR;
    out.errorA = dI2 + ASYMMETRY * s + EXTRA_A;
  }
  if (best < 0) return undefined;
  return Math.sqrt(best) + dI2 + ASYMMETRY * s + EXTRA_A;
}
