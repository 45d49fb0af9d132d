/**
 * npm run simulate -- [--days N] [--seed S[,S...]] [--house nl-tn,no-it,no-it-3ph|all]
 *                     [--meter dsmr5|dsmr4|han-kaifa|han-aidon] [--controllers engine,oracle,old-engine,gap,quarter,engine-true-l2,engine-true-config,engine-bound-only]
 *                     [--old-engine PATH] [--settings FILE] [--no-loss] [--json]
 *
 * Closed-loop runs of the headroom engine and the reference controllers over simulated days,
 * one row per (house, meter, controller, seed); the engine's figures beside the oracle's in
 * the same table. docs/simulation.md explains the models and every column.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Controller } from './controllers';
import { createGapController, createOracleController, createQuarterController } from './controllers';
import { createEngineController, engineSettingsFor, type EngineModule } from './engine-controller';
import { createBoundOnlyEngine, createTrueL2Engine } from './experiments';
import { defaultLoss, meterAliases, meterKinds, noLoss } from './meter';
import type { HouseProfile, MeterKind } from './profiles';
import { houseProfiles } from './profiles';
import { type ControllerContext, type RunResult, runSimulation } from './run';
import { formatTable } from './table';

const usage =
  'usage: npm run simulate -- [--days N] [--seed S[,S...]] [--house nl-tn,no-it,no-it-3ph|all] [--meter dsmr5|dsmr4|han-kaifa|han-aidon]\n' +
  '                           [--controllers engine,oracle,old-engine,gap,quarter,engine-true-l2,engine-true-config,engine-bound-only] [--old-engine PATH]\n' +
  '                           [--settings FILE] [--no-loss] [--json]';

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n${usage}\n`);
  process.exit(2);
}

const controllerNames = ['engine', 'gap', 'quarter', 'oracle', 'old-engine', 'engine-true-l2', 'engine-true-config', 'engine-bound-only'];
const defaultControllers = ['engine', 'oracle', 'gap'];

export function makeControllerFactory(
  name: string,
  profile: HouseProfile,
  overrides: Record<string, unknown>,
  oldEngine?: EngineModule,
): (ctx: ControllerContext) => Controller {
  switch (name) {
    case 'engine': {
      const settings = engineSettingsFor(profile, overrides);
      return () => createEngineController(profile, settings);
    }
    case 'old-engine': {
      if (!oldEngine) throw new Error("old-engine needs --old-engine PATH (another checkout's decoders/headroom/index.ts)");
      const settings = engineSettingsFor(profile, overrides, oldEngine);
      return () => createEngineController(profile, settings, oldEngine, 'old-engine');
    }
    case 'engine-true-l2': {
      const settings = engineSettingsFor(profile, overrides);
      return (ctx) => createTrueL2Engine(profile, settings, ctx.houseSlotP, ctx.houseSlotQ);
    }
    case 'engine-true-config': {
      const settings = engineSettingsFor(profile, overrides);
      return (ctx) => createTrueL2Engine(profile, settings, ctx.houseSlotP, ctx.houseSlotQ, true);
    }
    case 'engine-bound-only': {
      const settings = engineSettingsFor(profile, overrides);
      return () => createBoundOnlyEngine(profile, settings);
    }
    case 'gap':
      return () => createGapController(profile);
    case 'quarter':
      return () => createQuarterController(profile);
    case 'oracle':
      return (ctx) => createOracleController(profile, ctx.houseSlotP, ctx.houseSlotQ);
    default:
      throw new Error(`unknown controller '${name}'`);
  }
}

async function main(argv: string[]): Promise<void> {
  let days = 7;
  let seeds = [1];
  let houses = Object.keys(houseProfiles);
  let meter: MeterKind | undefined;
  let controllers = defaultControllers;
  let json = false;
  let lossless = false;
  let overrides: Record<string, unknown> = {};
  let oldEnginePath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--days') {
      days = Number(value());
      if (!(days > 0 && days <= 3660)) fail('--days must be a number of days, 0 < N <= 3660');
    } else if (a === '--seed') {
      seeds = value().split(',').map(Number);
      if (!seeds.every((s) => Number.isInteger(s))) fail('--seed must be an integer or a list of integers');
    } else if (a === '--house') {
      const h = value();
      houses = h === 'all' ? Object.keys(houseProfiles) : h.split(',');
      for (const x of houses) if (!houseProfiles[x]) fail(`unknown house '${x}' (${Object.keys(houseProfiles).join(', ')}, all)`);
    } else if (a === '--meter') {
      const m = value();
      const kind = meterAliases[m] ?? m;
      if (!(meterKinds as string[]).includes(kind)) fail(`unknown meter '${m}' (${meterKinds.join(', ')})`);
      meter = kind as MeterKind;
    } else if (a === '--controllers') {
      controllers = value().split(',');
      for (const c of controllers) if (!controllerNames.includes(c)) fail(`unknown controller '${c}' (${controllerNames.join(', ')})`);
    } else if (a === '--old-engine') {
      oldEnginePath = value();
    } else if (a === '--settings') {
      const file = value();
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        fail(`cannot read settings ${file}: ${(e as Error).message}`);
      }
      const inner = doc !== null && typeof doc === 'object' && !Array.isArray(doc) && 'headroom' in doc ? (doc as { headroom: unknown }).headroom : doc;
      if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) fail(`settings in ${file} must be an object`);
      overrides = inner as Record<string, unknown>;
    } else if (a === '--no-loss') {
      lossless = true;
    } else if (a === '--json') {
      json = true;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(`${usage}\n`);
      return;
    } else {
      fail(`unknown argument '${a}'`);
    }
  }
  let oldEngine: EngineModule | undefined;
  if (oldEnginePath !== undefined) {
    try {
      oldEngine = (await import(resolve(oldEnginePath))) as EngineModule;
    } catch (e) {
      fail(`cannot load the old engine ${oldEnginePath}: ${(e as Error).message}`);
    }
    if (!controllers.includes('old-engine')) controllers = [...controllers, 'old-engine'];
  }

  const results: RunResult[] = [];
  const started = Date.now();
  for (const h of houses) {
    const profile = houseProfiles[h];
    for (const m of meter ? [meter] : profile.meters) {
      for (const seed of seeds) {
        for (const c of controllers) {
          let makeController;
          try {
            makeController = makeControllerFactory(c, profile, overrides, oldEngine);
          } catch (e) {
            fail((e as Error).message);
          }
          results.push(runSimulation({ profile, meterKind: m, days, seed, makeController, loss: lossless ? noLoss : defaultLoss }));
        }
      }
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ days, seeds, elapsedMs: Date.now() - started, results }, null, 1)}\n`);
  } else {
    process.stdout.write(`${formatTable(results)}\n`);
    process.stdout.write(
      `${days} simulated days per row, seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(1)} s wall time\n`,
    );
  }
}

main(process.argv.slice(2)).catch((e) => fail(String((e as Error).stack ?? e)));
