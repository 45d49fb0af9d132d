/**
 * A house on 3x230 V IT given as branch currents (L1-L2, L2-L3, L3-L1: magnitude, degrees behind
 * the branch's voltage; phase order L1-L2-L3, V12 at 30 degrees as in wiring.ts) plus a resistive
 * one-phase charger on L1-L2: what a 2-element meter sends (|I1|, |I3| to the mA, P and Q to the W
 * and var), the estimate's two solutions for it (itLine2Candidates, the charger known) and which of
 * them is the real one (the nearer to the true u = V12 conj(I1) / V). For the lock experiment's
 * tests and the random houses of tools/simulate/l2-lock.ts.
 */
import { CHARGER_L1_L2, itLine2Candidates, type ItLine2Candidates } from '../../decoders/headroom/it-line2';

export interface Branch {
  a: number;
  lagDeg: number;
}

const DEG = Math.PI / 180;
const BRANCH_DEG = [30, -90, 150];

export function branchList(
  branches: readonly Branch[],
  chargerA: number,
): { cands: ItLine2Candidates | undefined; real: number; trueL2A: number; boundA: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 3; i++) {
    const b = branches[i] as Branch;
    const deg = (BRANCH_DEG[i] as number) - b.lagDeg;
    const extra = i === 0 ? chargerA : 0;
    xs.push(b.a * Math.cos(deg * DEG) + extra * Math.cos(30 * DEG));
    ys.push(b.a * Math.sin(deg * DEG) + extra * Math.sin(30 * DEG));
  }
  const x = (i: number) => xs[i] as number;
  const y = (i: number) => ys[i] as number;
  const i1 = [x(0) - x(2), y(0) - y(2)] as const;
  const i2 = [x(1) - x(0), y(1) - y(0)] as const;
  const i3 = [x(2) - x(1), y(2) - y(1)] as const;
  let p = 0;
  let q = 0;
  for (let i = 0; i < 3; i++) {
    const vx = 230 * Math.cos((BRANCH_DEG[i] as number) * DEG);
    const vy = 230 * Math.sin((BRANCH_DEG[i] as number) * DEG);
    p += vx * x(i) + vy * y(i);
    q += vy * x(i) - vx * y(i);
  }
  const i1A = Math.round(Math.hypot(i1[0], i1[1]) * 1000) / 1000;
  const i3A = Math.round(Math.hypot(i3[0], i3[1]) * 1000) / 1000;
  const cands = itLine2Candidates(i1A, i3A, Math.round(p), Math.round(q), 230, 0.001, CHARGER_L1_L2, chargerA);
  const ux = Math.cos(30 * DEG) * i1[0] + Math.sin(30 * DEG) * i1[1];
  const uy = Math.sin(30 * DEG) * i1[0] - Math.cos(30 * DEG) * i1[1];
  let real = -1;
  if (cands) {
    const d0 = Math.hypot((cands.ux[0] as number) - ux, (cands.uy[0] as number) - uy);
    const d1 = Math.hypot((cands.ux[1] as number) - ux, (cands.uy[1] as number) - uy);
    real = d0 < d1 ? 0 : 1;
  }
  return { cands, real, trueL2A: Math.hypot(i2[0], i2[1]), boundA: i1A + i3A };
}
