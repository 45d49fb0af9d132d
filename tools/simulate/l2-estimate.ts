/**
 * npx tsx tools/simulate/l2-estimate.ts [--days N] [--seed S]
 *
 * How far the IT L2 estimate (decoders/headroom/it-line2.ts) sits above the true L2 in the
 * simulated Norwegian house (profiles.ts, no-it), open loop: the house runs second by second, a
 * one-phase charger between L1 and L2 draws 0, 8, 16, 24 and 32 A in turn, one full list every
 * 10 s with the Kaifa's figures (currents in mA, W, var). Per charger current: the share of lists
 * where the estimate is not below the bound I1 + I3 (or is not well determined: the bound
 * stands), and the excess of what the engine would use (the estimate, capped by the bound) over
 * the true L2: mean and quantiles, with and without the charger's own current known to the
 * estimate. Figures for docs/headroom.md ("Where the rest goes"); not a test.
 */
import { CHARGER_L1_L2, CHARGER_NONE, estimateItLine2A } from '../../decoders/headroom/it-line2';
import { House } from './house';
import { noItHouse } from './profiles';
import { lineCurrents } from './wiring';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const days = arg('--days', 2);
const seed = arg('--seed', 1);
const CHARGER_STEPS_A = [0, 8, 16, 24, 32];
const V = noItHouse.nominalV;

interface Tally {
  lists: number;
  bound: number;
  excessA: number[];
}
const tallies = new Map<string, Tally>();
function tally(key: string): Tally {
  let t = tallies.get(key);
  if (!t) {
    t = { lists: 0, bound: 0, excessA: [] };
    tallies.set(key, t);
  }
  return t;
}

const house = new House(noItHouse, seed);
const slots = new Float64Array(3);
const lines = new Float64Array(3);
for (let t = 0; t < days * 86400; t++) {
  house.step(t);
  if (t % 10 !== 0) continue;
  const chargerA = CHARGER_STEPS_A[(t / 10) % CHARGER_STEPS_A.length] as number;
  slots[0] = house.slotP[0] + chargerA;
  slots[1] = house.slotP[1];
  slots[2] = house.slotP[2];
  lineCurrents('it', slots, house.slotQ, lines);
  const powerW = Math.round((slots[0] + slots[1] + slots[2]) * V);
  const reactiveVar = Math.round((house.slotQ[0] + house.slotQ[1] + house.slotQ[2]) * V);
  const i1A = Math.round(lines[0] * 1000) / 1000;
  const i3A = Math.round(lines[2] * 1000) / 1000;
  const boundA = i1A + i3A;
  for (const known of [false, true]) {
    const e = estimateItLine2A(i1A, i3A, powerW, reactiveVar, V, 0.001, known ? CHARGER_L1_L2 : CHARGER_NONE, known ? chargerA : 0);
    const used = e !== undefined && e < boundA ? e : boundA;
    const k = tally(`${chargerA}|${known}`);
    k.lists++;
    if (used === boundA) k.bound++;
    k.excessA.push(used - lines[1]);
  }
}

const rows: Record<string, unknown>[] = [];
for (const chargerA of CHARGER_STEPS_A) {
  for (const known of [false, true]) {
    const k = tally(`${chargerA}|${known}`);
    const x = k.excessA.slice().sort((p, q) => p - q);
    const q = (f: number) => Math.round((x[Math.floor(f * (x.length - 1))] as number) * 100) / 100;
    const mean = Math.round((x.reduce((s, v) => s + v, 0) / x.length) * 100) / 100;
    rows.push({
      chargerA,
      chargerKnown: known,
      lists: k.lists,
      boundShare: `${((100 * k.bound) / k.lists).toFixed(1)}%`,
      meanExcessA: mean,
      p10: q(0.1),
      p50: q(0.5),
      p90: q(0.9),
      min: q(0),
    });
  }
}
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ days, seed, rows }, null, 1)}\n`);
else {
  process.stdout.write(`no-it house, seed ${seed}, ${days} days, one full list every 10 s; excess = used L2 - true L2, A\n`);
  process.stdout.write('charger A  known  lists  bound  mean  p10   p50   p90   min\n');
  for (const r of rows) {
    process.stdout.write(
      `${String(r.chargerA).padStart(9)}  ${(r.chargerKnown ? 'yes' : 'no').padEnd(5)}  ${String(r.lists).padStart(5)}  ${String(r.boundShare).padStart(5)}  ${[r.meanExcessA, r.p10, r.p50, r.p90, r.min].map((v) => String(v).padStart(5)).join(' ')}\n`,
    );
  }
}
