/**
 * npx tsx tools/bench/step-digest.ts
 *
 * One SHA-256 over the JSON of every headroom step (answer, state, checked reading) and every
 * plausibility check, for 5 seeds x 3,000 pseudo-random inputs x 7 settings (105,000 steps):
 * TN and IT, one and three phases, a wired charger line, capacity tariffs and a power limit;
 * short and full lists, DSMR and DLMS frames, own charger currents, gaps, ticks, meter clocks
 * with and without offset (and unset), across the October DST change; bad values (NaN, negative,
 * 1e9, strings, null, Infinity, 0) in powers, currents, voltages and registers, line powers that
 * contradict the currents, a line that is not an object. For a change meant to cost less with the
 * same outputs (BENCHMARKS.md, "Issue 13's bounds"): the digest before and after must be equal.
 * Not a test: the digest changes whenever the engine's answers are meant to change.
 */
import { createHash } from 'node:crypto';
import { createHeadroomState, stepHeadroom, validateHeadroomSettings } from '../../decoders/headroom/index';
import { checkReading } from '../../decoders/plausibility/index';
import type { HeadroomInput, HeadroomSettings } from '../../decoders/headroom/index';
import type { MeterReading } from '../../decoders/reading';

/** Deterministic pseudo-random numbers (no Math.random: the same inputs every run). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}
/** What a broken bridge or a decoder bug may put in a field. */
const bad = [NaN, -5, 1e9, 'x', null, Infinity, 0, undefined];
function inputs(seed: number, count: number): HeadroomInput[] {
  const r = lcg(seed);
  const out: HeadroomInput[] = [];
  let t = Date.UTC(2026, 9, 24, 22, 0, 0);
  const pick = (v: number): any => (r() < 0.03 ? bad[Math.floor(r() * bad.length)] : v);
  for (let i = 0; i < count; i++) {
    t += r() < 0.02 ? 45000 + Math.floor(r() * 60000) : 200 + Math.floor(r() * 10000);
    if (r() < 0.1) {
      out.push({ nowMs: t });
      continue;
    }
    const off = t >= Date.UTC(2026, 9, 25, 1) ? 60 : 120;
    const wall = new Date(t + off * 60000).toISOString().slice(0, 19);
    const dsmr = r() < 0.3;
    const reading: MeterReading = { protocol: dsmr ? 'dsmr' : 'dlms', powerImportW: pick(Math.round(r() * 15000)) };
    const stamp = r();
    if (stamp < 0.4) reading.meterTime = `${wall}+0${off / 60}:00`;
    else if (stamp < 0.7) reading.meterTime = wall;
    else if (stamp < 0.72) reading.meterTime = '1970-01-01T00:00:00';
    if (r() < 0.6) {
      reading.frameKind = 'full';
      const ph = (a: number, u: number): any => {
        const o: any = { currentA: pick(dsmr ? Math.round(a) : a), voltageV: pick(u) };
        if (dsmr || r() < 0.3) {
          o.powerImportW = pick(Math.round(a * u * (r() < 0.1 ? 3 : 1)));
          o.powerExportW = pick(r() < 0.2 ? Math.round(r() * 500) : 0);
        }
        if (r() < 0.1) delete o.currentA;
        return o;
      };
      reading.l1 = ph(Math.round(r() * 400) / 10, 225 + Math.round(r() * 100) / 10);
      if (r() < 0.5) reading.l2 = r() < 0.8 ? ph(Math.round(r() * 300) / 10, 230) : { currentA: 0 };
      reading.l3 = ph(Math.round(r() * 300) / 10, r() < 0.1 ? 133 : 230);
      if (r() < 0.05) (reading as any).l3 = 'oops';
      if (r() < 0.3) reading.energyImportWh = pick(2_000_000 + i * 7);
      if (r() < 0.3) reading.energyImportTariffWh = [pick(1000 + i), pick(2000 + i)];
      if (r() < 0.2) reading.averageDemandW = pick(Math.round(r() * 4000));
      if (r() < 0.1) {
        reading.powerExportW = pick(Math.round(r() * 3000));
        reading.powerImportW = 0;
      }
      if (r() < 0.6) {
        if (r() < 0.7) reading.reactivePowerImportVar = pick(Math.round(r() * 1500));
        else reading.reactivePowerExportVar = pick(Math.round(r() * 600));
      }
      if (r() < 0.1) reading.threeWire = true;
    } else {
      reading.frameKind = 'short';
    }
    const input: HeadroomInput = { nowMs: t + 300, reading };
    if (r() < 0.5) input.chargerA = [Math.round(r() * 160) / 10, Math.round(r() * 160) / 10, Math.round(r() * 160) / 10];
    out.push(input);
  }
  return out;
}

function settingsOf(input: Record<string, unknown>): HeadroomSettings {
  const v = validateHeadroomSettings(input);
  if (!v.ok) throw new Error(v.errors.join('; '));
  return v.settings;
}
const configs: HeadroomSettings[] = [
  settingsOf({}),
  settingsOf({ gridType: 'IT', fuseA: 40 }),
  settingsOf({ fuseA: 40, gridType: 'IT', marginA: 3, tariff: { scheme: 'norway', stepsKwh: [2, 5, 10, 15] } }),
  settingsOf({ fuseA: 25, tariff: { scheme: 'belgium', targetKw: 2.5 }, powerLimitKw: 11 }),
  settingsOf({ fuseA: 32, phases: 1, chargerLine: 'L1' }),
  settingsOf({ fuseA: 35, chargerLine: 'L2' }),
  settingsOf({ fuseA: 63, gridType: 'IT', chargerPhases: 3, holdOffS: 0 }),
];
const h = createHash('sha256');
let steps = 0;
for (const seed of [1, 2, 3, 7, 11]) {
  const seq = inputs(seed, 3000);
  for (const s of configs) {
    let st = createHeadroomState();
    for (const i of seq) {
      const r = stepHeadroom(st, i, s);
      st = r.state;
      h.update(JSON.stringify(r));
      steps++;
      if (i.reading) h.update(JSON.stringify(checkReading(i.reading, s, i.nowMs)));
    }
  }
}
console.log(`${steps} steps: ${h.digest('hex')}`);
