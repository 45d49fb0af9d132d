/**
 * npx tsx tools/headroom-cost.ts [--json] [--engine DIR]
 *
 * What one headroom step costs under the XS engine (the device's JavaScript engine, @agoric/xsnap),
 * in computrons, for the frames the engine meets most: a DSMR 5 telegram every second, a HAN list 1
 * (power only) every 2-2.5 s, an IT full list with active and reactive power every 10 s (the L2
 * estimate), a timer tick; and the plausibility check alone. Each figure is the mean over 200 steps
 * after 200 steps of warm-up, the state carried from step to step as on the device. Figures, not a
 * test: BENCHMARKS.md records them with the machine. --engine DIR measures another checkout's
 * engine (DIR holds decoders/headroom), e.g. the tree of an older commit, for a before/after.
 */
import { relative, resolve } from 'node:path';
import { bundleForXs } from './xs/bundle';
import { XsWorker, xsnapAvailable } from './xs/xsnap-driver';
import type { MeterReading } from '../decoders/reading';

const T0 = Date.UTC(2026, 10, 23, 17);
const WARM = 200;
const COUNT = 200;

function stamp(t: number): string {
  return new Date(t + 3600000).toISOString().slice(0, 19) + '+01:00';
}

function dsmr5(t: number): MeterReading {
  const ph = (a: number, w: number) => ({ currentA: a, voltageV: 231.4, powerImportW: w, powerExportW: 0 });
  return {
    protocol: 'dsmr',
    dsmrVersion: '50',
    meterTime: stamp(t),
    energyImportTariffWh: [4522108, 3871652],
    energyExportTariffWh: [0, 0],
    tariff: 2,
    powerImportW: 8100,
    powerExportW: 0,
    l1: ph(14, 3290),
    l2: ph(11, 2560),
    l3: ph(9, 2250),
    phaseCount: 3,
  };
}

function hanShort(t: number): MeterReading {
  return { protocol: 'dlms', listId: 'KFM_001', frameKind: 'short', meterTime: stamp(t), powerImportW: 2300 + ((t / 1000) % 7) };
}

function itFull(t: number): MeterReading {
  return {
    protocol: 'dlms',
    listId: 'AIDON_V0001',
    frameKind: 'full',
    threeWire: true,
    meterTime: stamp(t),
    powerImportW: 3695,
    powerExportW: 0,
    reactivePowerImportVar: 0,
    reactivePowerExportVar: 211,
    l1: { currentA: 12.5, voltageV: 237.5 },
    l2: { voltageV: 236.4 },
    l3: { currentA: 14.1, voltageV: 237.3 },
  };
}

interface Case {
  name: string;
  settings: Record<string, unknown>;
  inputs: (i: number) => { nowMs: number; reading?: MeterReading; chargerA?: number[] };
}

const cases: Case[] = [
  { name: 'DSMR 5 telegram (TN, 1 s)', settings: {}, inputs: (i) => ({ nowMs: T0 + i * 1000 + 200, reading: dsmr5(T0 + i * 1000), chargerA: [6, 6, 6] }) },
  { name: 'HAN list 1, power only (TN, 2 s)', settings: {}, inputs: (i) => ({ nowMs: T0 + i * 2000 + 200, reading: hanShort(T0 + i * 2000) }) },
  {
    name: 'IT full list with P and Q: the L2 estimate (10 s)',
    settings: { gridType: 'IT', fuseA: 40 },
    inputs: (i) => ({ nowMs: T0 + i * 10000 + 200, reading: itFull(T0 + i * 10000), chargerA: [10, 10, 0] }),
  },
  {
    name: 'IT list 1 after a full list (2.5 s)',
    settings: { gridType: 'IT', fuseA: 40 },
    inputs: (i) =>
      i % 4 === 0 ? { nowMs: T0 + i * 2500 + 200, reading: itFull(T0 + i * 2500) } : { nowMs: T0 + i * 2500 + 200, reading: hanShort(T0 + i * 2500) },
  },
  {
    name: 'timer tick, no frame (1 s)',
    settings: {},
    inputs: (i) => (i < WARM ? { nowMs: T0 + i * 1000 + 200, reading: dsmr5(T0 + i * 1000) } : { nowMs: T0 + WARM * 1000 + (i - WARM) * 50 }),
  },
];

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const at = process.argv.indexOf('--engine');
  const root = at >= 0 ? relative(resolve(__dirname, '..'), resolve(process.argv[at + 1] ?? '.')) : '.';
  if (!xsnapAvailable()) throw new Error('xsnap-worker is not built (npm install builds it)');
  const bundle = await bundleForXs({ headroom: `${root}/decoders/headroom/index`, plausibility: `${root}/decoders/plausibility/index` });
  if (bundle.missing.headroom) throw new Error(`no headroom engine: ${bundle.missing.headroom}`);
  const xs = new XsWorker();
  const figures: { name: string; computronsPerStep: number }[] = [];
  try {
    await xs.evaluate(bundle.code);
    for (const c of cases) {
      const warm = Array.from({ length: WARM }, (_, i) => c.inputs(i));
      const timed = Array.from({ length: COUNT }, (_, i) => c.inputs(WARM + i));
      await xs.evaluate(`globalThis.__hr = { s: __xs.headroom.validateHeadroomSettings(${JSON.stringify(c.settings)}).settings, st: __xs.headroom.createHeadroomState() };
        for (const i of ${JSON.stringify(warm)}) __hr.st = __xs.headroom.stepHeadroom(__hr.st, i, __hr.s).state;
        globalThis.__timed = ${JSON.stringify(timed)};`);
      const empty = await xs.evaluate('for (let k = 0; k < __timed.length; k++) { const i = __timed[k]; }');
      const run = await xs.evaluate('for (let k = 0; k < __timed.length; k++) __hr.st = __xs.headroom.stepHeadroom(__hr.st, __timed[k], __hr.s).state;');
      figures.push({ name: c.name, computronsPerStep: Math.round((run.meter.compute - empty.meter.compute) / COUNT) });
    }
    // The plausibility check alone, on the DSMR telegram (the app runs it once more for the snapshot).
    if (bundle.missing.plausibility) return;
    await xs.evaluate(`globalThis.__r = ${JSON.stringify(dsmr5(T0))}; globalThis.__ps = __xs.headroom.defaultHeadroomSettings;`);
    const empty = await xs.evaluate(`for (let k = 0; k < ${COUNT}; k++) { const r = __r; }`);
    const run = await xs.evaluate(`for (let k = 0; k < ${COUNT}; k++) __xs.plausibility.checkReading(__r, __ps, ${T0});`);
    figures.push({ name: 'plausibility check alone (DSMR 5 telegram)', computronsPerStep: Math.round((run.meter.compute - empty.meter.compute) / COUNT) });
  } finally {
    xs.close();
    print(json, figures);
  }
}

function print(json: boolean, figures: { name: string; computronsPerStep: number }[]): void {
  if (json) process.stdout.write(`${JSON.stringify({ unit: 'computrons per step (XS)', figures }, null, 1)}\n`);
  else for (const f of figures) process.stdout.write(`${f.name.padEnd(52)} ${String(f.computronsPerStep).padStart(8)}\n`);
}

main().catch((e) => {
  process.stderr.write(`headroom-cost: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
