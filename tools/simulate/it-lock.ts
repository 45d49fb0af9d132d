/**
 * EXPERIMENT (not in the engine): IT grid, L2 estimate: which of a full list's two solutions is
 * the real one, learned from the own charger's known steps and kept across lists while the house
 * explains itself (a lock). docs/headroom.md ("IT grids: a lock on the solution") has the algebra,
 * the safety argument, the figures, and why it is not in the engine: with the engine's error
 * allowances it almost never identifies (tools/simulate/l2-lock.ts measures it).
 *
 * Each full list gives two solutions u (it-line2.ts: u = V12 conj(I1) / V, mirror images across
 * the line 0-sigma). A one-phase charger between L1 and L2 adds its current k to u along the real
 * axis of the voltage frame (either phase order); between L2 and L3 it adds k to w = sigma - u and
 * leaves u alone. So the house's part of u is u - k (L1-L2) or u (L2-L3, none), the same in both
 * phase orders.
 *
 * Identification: between two consecutive full lists the charger moved by dk (at least
 * MIN_STEP_A) and the house did not change. Then the real solution's house part stayed where it
 * was (within the two lists' errors); the mirror's moves with the angle of sigma, unless sigma
 * points along the charger's direction (then both stay: the degenerate geometry, no decision).
 * Exactly one solution of the new list whose house part matches one of the old list's, the other
 * matching none: that one is identified (locked).
 *
 * Keeping the lock: at every later full list the locked solution's house part is compared with
 * both new solutions. A change on one branch moves u alone (L1-L2), w alone (L2-L3), or both
 * (L3-L1, |du| = |dw|, 120 degrees apart); the house standing still is such a change of 0. The
 * lock passes to the one new solution a single-branch change (or none) explains; when both or
 * neither are explained it is dropped. A list that cannot be used (no solutions, a charger that
 * moved while the meter sampled, a charger wired elsewhere) drops it too, as does a gap of more
 * than MAX_GAP_MS between full lists. It lasts LOCK_S without a new identification.
 *
 * Wrong-lock safety: the locked solution is used only while it is admissible, and the caller
 * still caps the result by the bound I1 + I3 and raises it to the plausibility floor. A lock
 * goes wrong only through a house change that leaves P, Q, |I1| and |I3| all within their errors
 * while the real configuration moves to the mirror's side AND a single-branch change explains
 * exactly the mirror: the simulator counts how often that happens (tools/simulate/l2-estimate.ts).
 *
 * Pure (time a parameter, the state a small object passed in and returned), written as the engine
 * would hold it.
 */
import { CHARGER_L1_L2, CHARGER_L2_L3, CHARGER_NONE, type ItLine2Candidates } from '../../decoders/headroom/it-line2';

/** A full list's solutions as the lock remembers them. */
export interface ItLockState {
  /** When the list was taken (arrival, ms). */
  atMs: number;
  /** House part of u per solution (the own charger taken off), A: [x0, y0, x1, y1]. */
  houseU: number[];
  /** House part of sigma, A: [x, y]. */
  houseSigma: number[];
  /** How far each house part may lie off by the meter's errors, A. */
  moveA: number;
  /** The charger's current along u or w at that list, A (its reported current; 0: none). */
  chargerA: number;
  /** The solution held to be the real one (0 or 1), or -1: none. */
  locked: number;
  /** When the lock was last identified by a charger step, ms. */
  identifiedMs: number;
}

/** The smallest charger step that identifies, A. */
const MIN_STEP_A = 2;
/** Two full lists further apart than this are not compared (a list lost in between), ms. */
const MAX_GAP_MS = 25000;
/** A lock lasts this long without a new identification, s. */
const LOCK_S = 900;
/** The charger's part is known to its report's 3 % plus 0.1 A, and its direction to 0.1 rad. */
const CHARGER_ERROR = 0.13;
const CHARGER_RESOLUTION_A = 0.1;
const COS120 = -0.5;
const SIN120 = Math.sqrt(3) / 2;

/** The result of a step: the solutions to take the largest over (bit 0: solution 0, bit 1: 1), and the new state. */
export interface ItLockStep {
  sides: number;
  state: ItLockState | undefined;
}

/**
 * One full list through the lock. c: its solutions (undefined: not determined); wiring and
 * chargerA: the own charger as the estimate used it (CHARGER_NONE when its part was not taken
 * off); before: the state after the previous full list.
 */
export function stepItLock(
  c: ItLine2Candidates | undefined,
  wiring: number,
  chargerA: number,
  nowMs: number,
  before: ItLockState | undefined,
  /** Scales every tolerance (1 in the engine; the open-loop tool tries smaller ones to show what limits the lock). */
  errorScale = 1,
): ItLockStep {
  if (c === undefined || (wiring !== CHARGER_NONE && wiring !== CHARGER_L1_L2 && wiring !== CHARGER_L2_L3)) {
    return { sides: 3, state: undefined };
  }
  const k = wiring === CHARGER_NONE ? 0 : chargerA;
  const ku = wiring === CHARGER_L1_L2 ? k : 0;
  const houseU = new Array<number>((c.ux[0] as number) - ku, c.uy[0] as number, (c.ux[1] as number) - ku, c.uy[1] as number);
  const houseSigma = new Array<number>(c.sigmaX - k, c.sigmaY);
  const admissible0 = (c.orders[0] as number) !== 0;
  const admissible1 = (c.orders[1] as number) !== 0;
  const now: ItLockState = { atMs: nowMs, houseU, houseSigma, moveA: c.moveA, chargerA: k, locked: -1, identifiedMs: 0 };
  if (before === undefined || nowMs - before.atMs > MAX_GAP_MS || nowMs < before.atMs) return { sides: 3, state: now };

  const dk = k - before.chargerA;
  const tolA = errorScale * (c.moveA + before.moveA + CHARGER_ERROR * (k + before.chargerA) + 2 * CHARGER_RESOLUTION_A) + 0.01;
  // Which new solution a single-branch change (or none) explains from old solution i.
  const explained = (i: number, j: number): boolean => {
    const dux = (houseU[2 * j] as number) - (before.houseU[2 * i] as number);
    const duy = (houseU[2 * j + 1] as number) - (before.houseU[2 * i + 1] as number);
    const dwx = (houseSigma[0] as number) - (before.houseSigma[0] as number) - dux;
    const dwy = (houseSigma[1] as number) - (before.houseSigma[1] as number) - duy;
    if (dux * dux + duy * duy <= tolA * tolA || dwx * dwx + dwy * dwy <= tolA * tolA) return true;
    // L3-L1: du = dw e^(+-j120), either order.
    for (let sgn = -1; sgn <= 1; sgn += 2) {
      const rx = dwx * COS120 - sgn * dwy * SIN120 - dux;
      const ry = sgn * dwx * SIN120 + dwy * COS120 - duy;
      if (rx * rx + ry * ry <= 4 * tolA * tolA) return true;
    }
    return false;
  };
  // Standing still: the house part did not move at all.
  const still = (i: number, j: number): boolean => {
    const dux = (houseU[2 * j] as number) - (before.houseU[2 * i] as number);
    const duy = (houseU[2 * j + 1] as number) - (before.houseU[2 * i + 1] as number);
    const dsx = (houseSigma[0] as number) - (before.houseSigma[0] as number);
    const dsy = (houseSigma[1] as number) - (before.houseSigma[1] as number);
    return dux * dux + duy * duy <= tolA * tolA && dsx * dsx + dsy * dsy <= tolA * tolA;
  };

  // Keep an existing lock.
  let locked = -1;
  let identifiedMs = 0;
  if (before.locked >= 0 && nowMs - before.identifiedMs <= LOCK_S * 1000) {
    const e0 = admissible0 && explained(before.locked, 0);
    const e1 = admissible1 && explained(before.locked, 1);
    if (e0 !== e1) {
      locked = e0 ? 0 : 1;
      identifiedMs = before.identifiedMs;
    }
  }
  // Identify (or confirm) by the charger's step.
  const stepped = dk >= MIN_STEP_A || dk <= -MIN_STEP_A;
  if (stepped && admissible0 && admissible1) {
    const s0 = still(0, 0) || still(1, 0);
    const s1 = still(0, 1) || still(1, 1);
    if (s0 !== s1) {
      const id = s0 ? 0 : 1;
      // A confirmation must agree with the lock it confirms; a disagreement drops both.
      if (locked < 0 || locked === id) {
        locked = id;
        identifiedMs = nowMs;
      } else locked = -1;
    }
  } else if (stepped && admissible0 !== admissible1) {
    // One solution not admissible: the step can only confirm the other.
    const id = admissible0 ? 0 : 1;
    if ((still(0, id) || still(1, id)) && (locked < 0 || locked === id)) {
      locked = id;
      identifiedMs = nowMs;
    }
  }
  now.locked = locked;
  now.identifiedMs = locked >= 0 ? identifiedMs : 0;
  return { sides: locked >= 0 ? 1 << locked : 3, state: now };
}
