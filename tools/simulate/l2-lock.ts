/**
 * npx tsx tools/simulate/l2-lock.ts [--days N] [--seed S] [--error-scale F] [--json]
 *
 * Open loop: the IT L2 lock experiment (tools/simulate/it-lock.ts) in the simulated Norwegian
 * house (profiles.ts, no-it), against the truth the simulator knows. The house runs second by
 * second; a one-phase charger between L1 and L2 moves the way a regulated one does (every full
 * list, with probability 0.3, a step of 1-8 A up or down within 6-32 A; off for 10 minutes now and
 * then); one full list every 10 s with the Kaifa's figures (currents in mA, W, var).
 * - Per list with the charger drawing: whether a lock is held, whether it is the real solution
 *   (the one nearer to the true u; judged only where the two lie more than 1 A apart), the largest
 *   under-count of L2 while locked and how long it lasted.
 * - The excess of the used L2 (capped by the bound I1 + I3) over the true L2: today's estimate
 *   (largest admissible), the phase order known (the simulator's L1-L2-L3), the lock (largest
 *   over the locked solution's admissible orders), the lock with the phase order known, a perfect
 *   lock (the real solution) without and with the phase order known.
 * - Charger steps of 2 A or more between two lists with the house unchanged: how far the mirror
 *   solution's house part moved (what identifies), against the two lists' tolerance, and the
 *   angle of sigma (the degenerate geometry is sigma along the charger's direction, 0 degrees).
 * - Random houses within the load model (each branch 0-20 A, 10 degrees leading to 50 lagging,
 *   20 000 of them, seeded): a 6 -> 16 A charger step with the house unchanged; how many the lock
 *   identifies at tolerance scales 1, 0.5, 0.3, 0.1 and 0.03, and how many of those wrongly.
 * --error-scale F scales the lock's tolerances (1: the engine's error allowances; 0: exact
 * figures, 0.01 A): what limits the lock. Figures for docs/headroom.md ("IT grids: a lock on the
 * solution"); not a test.
 */
import { CHARGER_L1_L2, CHARGER_NONE, ORDER_123, ORDER_132, itLine2Candidates, largestL2A } from '../../decoders/headroom/it-line2';
import { branchList } from './it-branches';
import { stepItLock, type ItLockState } from './it-lock';
import { House } from './house';
import { mulberry32 } from './prng';
import { noItHouse } from './profiles';
import { lineCurrents } from './wiring';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const days = arg('--days', 2);
const seed = arg('--seed', 1);
const errorScale = arg('--error-scale', 1);
const V = noItHouse.nominalV;
const DEG = Math.PI / 180;
const SLOT_DEG = [30, -90, 150];

const house = new House(noItHouse, seed);
const rnd = mulberry32(seed * 7919 + 17);
const slots = new Float64Array(3);
const lines = new Float64Array(3);
let chargerA = 16;
let offUntil = -1;
let lock: ItLockState | undefined;
const excess: Record<string, number[]> = { today: [], orderKnown: [], lock: [], lockOrder: [], trueSide: [], trueSideOrder: [] };
let lists = 0;
let held = 0;
let judged = 0;
let wrong = 0;
let worstUnderA = 0;
let underRunS = 0;
let longestUnderS = 0;
let identified = 0;
// Charger steps (>= 2 A) between two lists with the house unchanged: how far the mirror's house
// part moved against the lists' own tolerance (it-lock.ts), and the angle of sigma.
const prevSlotP = new Float64Array(3);
const prevSlotQ = new Float64Array(3);
let prevK = -1;
let prevHouseU: number[] | undefined;
let prevMoveA = 0;
const steps: { mirrorMoveA: number; tolA: number; sigmaDeg: number }[] = [];
for (let t = 0; t < days * 86400; t++) {
  house.step(t);
  if (t % 10 !== 0) continue;
  // The charger: a regulated one moves now and then; sometimes it is off.
  if (t >= offUntil && rnd() < 0.002) offUntil = t + 600;
  const on = t >= offUntil;
  if (on && rnd() < 0.3) {
    const step = 1 + Math.floor(rnd() * 8);
    chargerA = Math.min(32, Math.max(6, chargerA + (rnd() < 0.5 ? -step : step)));
  }
  const k = on ? chargerA : 0;
  slots[0] = house.slotP[0] + k;
  slots[1] = house.slotP[1];
  slots[2] = house.slotP[2];
  lineCurrents('it', slots, house.slotQ, lines);
  // The true u = V12 conj(I1) / V (V12 at 30 degrees: wiring.ts).
  let i1x = 0;
  let i1y = 0;
  for (const [j, sign] of [
    [0, 1],
    [2, -1],
  ] as const) {
    const p = slots[j] as number;
    const q = house.slotQ[j] as number;
    const c = Math.cos((SLOT_DEG[j] as number) * DEG);
    const s = Math.sin((SLOT_DEG[j] as number) * DEG);
    i1x += sign * (p * c + q * s);
    i1y += sign * (p * s - q * c);
  }
  const tux = Math.cos(30 * DEG) * i1x + Math.sin(30 * DEG) * i1y;
  const tuy = Math.sin(30 * DEG) * i1x - Math.cos(30 * DEG) * i1y;
  const powerW = Math.round((slots[0] + slots[1] + slots[2]) * V);
  const reactiveVar = Math.round((house.slotQ[0] + house.slotQ[1] + house.slotQ[2]) * V);
  const i1A = Math.round(lines[0] * 1000) / 1000;
  const i3A = Math.round(lines[2] * 1000) / 1000;
  const boundA = i1A + i3A;
  const wiring = k > 0 ? CHARGER_L1_L2 : CHARGER_NONE;
  const c = itLine2Candidates(i1A, i3A, powerW, reactiveVar, V, 0.001, wiring, k);
  if (c && prevHouseU && prevK > 0 && k > 0 && Math.abs(k - prevK) >= 2) {
    let same = true;
    for (let j = 0; j < 3; j++) if (prevSlotP[j] !== house.slotP[j] || prevSlotQ[j] !== house.slotQ[j]) same = false;
    if (same) {
      const d = (i: number, j: number) =>
        Math.hypot((c.ux[j] as number) - k - (prevHouseU![2 * i] as number), (c.uy[j] as number) - (prevHouseU![2 * i + 1] as number));
      const t0 = Math.hypot((c.ux[0] as number) - tux, (c.uy[0] as number) - tuy);
      const t1 = Math.hypot((c.ux[1] as number) - tux, (c.uy[1] as number) - tuy);
      const mirror = t0 < t1 ? 1 : 0;
      steps.push({
        mirrorMoveA: Math.min(d(0, mirror), d(1, mirror)),
        tolA: c.moveA + prevMoveA + 0.13 * (k + prevK) + 0.2,
        sigmaDeg: (Math.atan2(c.sigmaY, c.sigmaX) * 180) / Math.PI,
      });
    }
  }
  prevSlotP.set(house.slotP);
  prevSlotQ.set(house.slotQ);
  prevK = k;
  prevHouseU = c ? [(c.ux[0] as number) - k, c.uy[0] as number, (c.ux[1] as number) - k, c.uy[1] as number] : undefined;
  prevMoveA = c ? c.moveA : 0;
  const wasIdentified = lock?.identifiedMs;
  const r = stepItLock(c, wiring, k, t * 1000, lock, errorScale);
  lock = r.state;
  if (lock && lock.locked >= 0 && lock.identifiedMs === t * 1000 && wasIdentified !== t * 1000) identified++;
  if (k === 0) continue;
  lists++;
  const use = (e: number | undefined) => (e !== undefined && e < boundA ? e : boundA) - (lines[1] as number);
  if (!c) {
    for (const key in excess) excess[key]!.push(boundA - (lines[1] as number));
    continue;
  }
  const d0 = Math.hypot((c.ux[0] as number) - tux, (c.uy[0] as number) - tuy);
  const d1 = Math.hypot((c.ux[1] as number) - tux, (c.uy[1] as number) - tuy);
  const trueSide = d0 < d1 ? 0 : 1;
  const sides = r.sides;
  if (sides !== 3) {
    held++;
    if (Math.abs(d0 - d1) > 1) {
      judged++;
      if (sides !== 1 << trueSide) wrong++;
    }
  }
  excess.today!.push(use(largestL2A(c, 3, ORDER_123 | ORDER_132)));
  excess.orderKnown!.push(use(largestL2A(c, 3, ORDER_123)));
  excess.trueSide!.push(use(largestL2A(c, 1 << trueSide, ORDER_123 | ORDER_132)));
  const locked = use(largestL2A(c, sides, ORDER_123 | ORDER_132));
  excess.lock!.push(locked);
  excess.lockOrder!.push(use(largestL2A(c, sides, ORDER_123)));
  excess.trueSideOrder!.push(use(largestL2A(c, 1 << trueSide, ORDER_123)));
  if (sides !== 3 && locked < 0) {
    underRunS += 10;
    if (locked < worstUnderA) worstUnderA = locked;
    if (underRunS > longestUnderS) longestUnderS = underRunS;
  } else underRunS = 0;
}

const summary: Record<string, unknown> = {
  days,
  seed,
  errorScale,
  listsChargerOn: lists,
  lockHeld: `${((100 * held) / lists).toFixed(1)}%`,
  identifications: identified,
  lockJudged: judged,
  lockWrong: wrong,
  largestUnderCountWhileLockedA: Math.round(-worstUnderA * 100) / 100,
  longestUnderCountS: longestUnderS,
};
{
  const q = (xs: number[], f: number) => Math.round((xs.slice().sort((a, b) => a - b)[Math.floor(f * (xs.length - 1))] as number) * 100) / 100;
  const m = steps.map((x) => x.mirrorMoveA);
  const tl = steps.map((x) => x.tolA);
  const sg = steps.map((x) => Math.abs(x.sigmaDeg));
  summary.chargerStepsHouseSteady = steps.length;
  summary.mirrorMoveA = { p10: q(m, 0.1), p50: q(m, 0.5), p90: q(m, 0.9), max: q(m, 1) };
  summary.toleranceA = { p10: q(tl, 0.1), p50: q(tl, 0.5), p90: q(tl, 0.9) };
  summary.sigmaAngleDeg = { p10: q(sg, 0.1), p50: q(sg, 0.5), p90: q(sg, 0.9) };
  summary.stepsMirrorBeyondTolerance = steps.filter((x) => x.mirrorMoveA > x.tolA).length;
}
{
  const rnd2 = mulberry32(seed * 104729 + 3);
  const houses = Array.from({ length: 20000 }, () => [0, 1, 2].map(() => ({ a: rnd2() * 20, lagDeg: -10 + rnd2() * 60 })));
  const byScale: Record<string, { identified: number; wrong: number }> = {};
  for (const scale of [1, 0.5, 0.3, 0.1, 0.03]) {
    let ok = 0;
    let bad = 0;
    for (const branches of houses) {
      const first = branchList(branches, 6);
      const second = branchList(branches, 16);
      const s1 = stepItLock(first.cands, CHARGER_L1_L2, 6, 0, undefined, scale).state;
      const s2 = stepItLock(second.cands, CHARGER_L1_L2, 16, 10000, s1, scale).state;
      if (!s2 || s2.locked < 0) continue;
      if (s2.locked === second.real) ok++;
      else bad++;
    }
    byScale[String(scale)] = { identified: ok + bad, wrong: bad };
  }
  summary.randomHouses6to16A = byScale;
}
for (const key in excess) {
  const x = excess[key]!.slice().sort((p, q) => p - q);
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  summary[`excess ${key}`] = {
    mean: mean.toFixed(2),
    p50: (x[x.length >> 1] as number).toFixed(2),
    p90: (x[Math.floor(0.9 * x.length)] as number).toFixed(2),
    min: (x[0] as number).toFixed(2),
  };
}
process.stdout.write(`${JSON.stringify(summary, null, process.argv.includes('--json') ? 1 : 1)}\n`);
