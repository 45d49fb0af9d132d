/**
 * npm run simulate -- [--days N] [--seed S] [--house no-it|nl-tn|all] [--meter dsmr5|dsmr4|han|han-aidon]
 *                     [--controllers engine,gap,quarter,oracle,engine-worst,engine-holdoff]
 *                     [--settings FILE] [--no-loss] [--json]
 *
 * Closed-loop runs of the headroom engine and the reference controllers over simulated days,
 * one row per (house, controller). docs/simulation.md explains the models and every column.
 */
import { readFileSync } from 'node:fs';
import type { Controller } from './controllers';
import { createGapController, createOracleController, createQuarterController } from './controllers';
import { createEngineController, engineSettingsFor } from './engine-controller';
import { createHoldOffEngine, createWorstCaseShortFrameEngine } from './experiments';
import { defaultLoss, meterKinds, noLoss } from './meter';
import type { HouseProfile, MeterKind } from './profiles';
import { houseProfiles } from './profiles';
import { type ControllerContext, type RunResult, runSimulation } from './run';
import { formatTable } from './table';

const usage =
  'usage: npm run simulate -- [--days N] [--seed S] [--house no-it|nl-tn|all] [--meter dsmr5|dsmr4|han|han-aidon]\n' +
  '                           [--controllers engine,gap,quarter,oracle,engine-worst,engine-holdoff] [--settings FILE] [--no-loss] [--json]';

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n${usage}\n`);
  process.exit(2);
}

const controllerNames = ['engine', 'gap', 'quarter', 'oracle', 'engine-worst', 'engine-holdoff'];
const defaultControllers = ['engine', 'gap', 'quarter', 'oracle'];

export function makeControllerFactory(name: string, profile: HouseProfile, overrides: Record<string, unknown>): (ctx: ControllerContext) => Controller {
  switch (name) {
    case 'engine': {
      const settings = engineSettingsFor(profile, overrides);
      return () => createEngineController(profile, settings);
    }
    case 'gap':
      return () => createGapController(profile);
    case 'quarter':
      return () => createQuarterController(profile);
    case 'oracle':
      return (ctx) => createOracleController(profile, ctx.houseSlotA);
    case 'engine-holdoff': {
      const settings = engineSettingsFor(profile, overrides);
      return () => createHoldOffEngine(profile, settings);
    }
    case 'engine-worst': {
      const settings = engineSettingsFor(profile, overrides);
      return () => createWorstCaseShortFrameEngine(profile, settings);
    }
    default:
      throw new Error(`unknown controller '${name}'`);
  }
}

function main(argv: string[]): void {
  let days = 30;
  let seed = 1;
  let houses = ['no-it', 'nl-tn'];
  let meter: MeterKind | undefined;
  let controllers = defaultControllers;
  let json = false;
  let lossless = false;
  let overrides: Record<string, unknown> = {};
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
      seed = Number(value());
      if (!Number.isInteger(seed)) fail('--seed must be an integer');
    } else if (a === '--house') {
      const h = value();
      if (h === 'all') houses = ['no-it', 'nl-tn'];
      else if (houseProfiles[h]) houses = [h];
      else fail(`unknown house '${h}' (no-it, nl-tn, all)`);
    } else if (a === '--meter') {
      const m = value();
      if (!(meterKinds as string[]).includes(m)) fail(`unknown meter '${m}' (${meterKinds.join(', ')})`);
      meter = m as MeterKind;
    } else if (a === '--controllers') {
      controllers = value().split(',');
      for (const c of controllers) if (!controllerNames.includes(c)) fail(`unknown controller '${c}' (${controllerNames.join(', ')})`);
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

  const results: RunResult[] = [];
  const started = Date.now();
  for (const h of houses) {
    const profile = houseProfiles[h];
    for (const c of controllers) {
      let makeController;
      try {
        makeController = makeControllerFactory(c, profile, overrides);
      } catch (e) {
        fail((e as Error).message);
      }
      results.push(runSimulation({ profile, meterKind: meter ?? profile.defaultMeter, days, seed, makeController, loss: lossless ? noLoss : defaultLoss }));
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ days, seed, elapsedMs: Date.now() - started, results }, null, 1)}\n`);
  } else {
    process.stdout.write(`${formatTable(results)}\n`);
    process.stdout.write(`${days} simulated days per row, seed ${seed}; total ${((Date.now() - started) / 1000).toFixed(1)} s wall time\n`);
  }
}

main(process.argv.slice(2));
