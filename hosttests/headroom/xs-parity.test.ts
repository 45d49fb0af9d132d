// The engine under the XS engine (the device's JavaScript engine, built by @agoric/xsnap) prints
// byte for byte the same answers and states as under Node, over long mixed sequences: TN and IT
// (the L2 estimate from active and reactive power included), one and three phases, short and full
// lists, gaps, ticks, tariffs across the autumn DST change, contradicting and impossible values.
// (hosttests/xs runs one fixed scenario for the whole project; this one goes wide on headroom.)
import { bundleForXs } from '../../tools/xs/bundle';
import { XsWorker, xsnapAvailable } from '../../tools/xs/xsnap-driver';
import { createHeadroomState, stepHeadroom, validateHeadroomSettings } from '../../decoders/headroom/index';
import type { HeadroomInput, HeadroomSettings } from '../../decoders/headroom/index';
import type { MeterReading } from '../../decoders/reading';

/** Deterministic pseudo-random numbers (no Math.random: the inputs must be the same every run). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

function inputs(seed: number, count: number): HeadroomInput[] {
  const r = lcg(seed);
  const out: HeadroomInput[] = [];
  let t = Date.UTC(2026, 9, 24, 22, 0, 0); // across 25 October 2026, 01:00 UTC
  for (let i = 0; i < count; i++) {
    t += r() < 0.02 ? 45000 + Math.floor(r() * 60000) : 200 + Math.floor(r() * 10000);
    if (r() < 0.1) {
      out.push({ nowMs: t });
      continue;
    }
    const off = t >= Date.UTC(2026, 9, 25, 1) ? 60 : 120;
    const wall = new Date(t + off * 60000).toISOString().slice(0, 19);
    const reading: MeterReading = { protocol: 'dlms', powerImportW: Math.round(r() * 15000) };
    const stamp = r();
    if (stamp < 0.4) reading.meterTime = `${wall}+0${off / 60}:00`;
    else if (stamp < 0.7) reading.meterTime = wall;
    if (r() < 0.6) {
      reading.frameKind = 'full';
      reading.l1 = { currentA: Math.round(r() * 400) / 10, voltageV: 225 + Math.round(r() * 100) / 10 };
      if (r() < 0.5) reading.l2 = { currentA: Math.round(r() * 300) / 10 };
      reading.l3 = { currentA: Math.round(r() * 300) / 10, voltageV: 230 };
      if (r() < 0.3) reading.energyImportWh = 2_000_000 + i * 7;
      if (r() < 0.2) reading.averageDemandW = Math.round(r() * 4000);
      if (r() < 0.1) {
        reading.powerExportW = Math.round(r() * 3000);
        reading.powerImportW = 0;
      }
      // Reactive power (the IT L2 estimate's other input), lagging or leading.
      if (r() < 0.6) {
        if (r() < 0.7) reading.reactivePowerImportVar = Math.round(r() * 1500);
        else reading.reactivePowerExportVar = Math.round(r() * 600);
      }
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
  settingsOf({ fuseA: 40, gridType: 'IT', marginA: 3, tariff: { scheme: 'norway', stepsKwh: [2, 5, 10, 15] } }),
  settingsOf({ fuseA: 25, tariff: { scheme: 'belgium', targetKw: 2.5 }, powerLimitKw: 11 }),
  settingsOf({ fuseA: 32, phases: 1, chargerLine: 'L1' }),
];

const run = xsnapAvailable() ? test : test.skip;

run(
  'Node and XS give the same JSON, step for step',
  async () => {
    const seq = inputs(7, 1500);
    const bundle = await bundleForXs({ headroom: 'decoders/headroom/index' });
    expect(bundle.missing).toEqual({});
    const xs = new XsWorker();
    try {
      await xs.evaluate(bundle.code);
      const sources = new Set<string>();
      let itEstimates = 0;
      for (const settings of configs) {
        let state = createHeadroomState();
        const node: string[] = [];
        for (const input of seq) {
          const r = stepHeadroom(state, input, settings);
          state = r.state;
          node.push(JSON.stringify(r));
          const p = r.headroom.phases;
          for (const l of [p.l1, p.l2, p.l3]) sources.add(l.currentSource);
          if (settings.gridType === 'IT' && input.reading?.frameKind === 'full' && p.l2.currentSource === 'estimated') itEstimates++;
        }
        const code = `(() => { const hr = __xs.headroom; const s = ${JSON.stringify(settings)}; const inputs = ${JSON.stringify(seq)};
        let st = hr.createHeadroomState(); const out = [];
        for (const i of inputs) { const r = hr.stepHeadroom(st, i, s); st = r.state; out.push(JSON.stringify(r)); }
        return new TextEncoder().encode(out.join('\\n')).buffer; })()`;
        const lines = (await xs.evaluate(code)).text.split('\n');
        expect(lines.length).toBe(node.length);
        for (let k = 0; k < node.length; k++) {
          if (lines[k] !== node[k]) throw new Error(`step ${k} differs (${JSON.stringify(settings).slice(0, 40)}...):\nnode ${node[k]}\nxs   ${lines[k]}`);
        }
      }
      // The sequence reaches every kind of line figure, the IT L2 estimate and the contradictions included.
      expect([...sources].sort()).toEqual(['bound', 'estimated', 'from-power', 'implausible', 'measured', 'unknown']);
      expect(itEstimates).toBeGreaterThan(20); // full lists whose L2 came from the estimate (it-line2.ts)
    } finally {
      xs.close();
    }
  },
  120000,
);
