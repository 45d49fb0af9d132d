// The headroom engine in the simulator's closed loop: wired with the house's settings, it must
// never keep the charger above what its last usable meter frame showed (zero overload beyond
// the meter interval and the charger's delay), on every house with its usual meters, and it must
// deliver most of the energy the oracle (true currents, no margin) delivers.
import { createGapController, createOracleController } from '../../tools/simulate/controllers';
import { createEngineController, engineSettingsFor } from '../../tools/simulate/engine-controller';
import { createBoundOnlyEngine, createTrueL2Engine } from '../../tools/simulate/experiments';
import { noLoss } from '../../tools/simulate/meter';
import { type HouseProfile, type MeterKind, nlTnHouse, noIt3phHouse, noItHouse } from '../../tools/simulate/profiles';
import { type RunResult, runSimulation } from '../../tools/simulate/run';

test('engine settings describe the house: fuse, grid, the one-phase IT charger pair, the three-phase IT charger', () => {
  const it = engineSettingsFor(noItHouse);
  expect(it.fuseA).toBe(40);
  expect(it.gridType).toBe('IT');
  expect(it.chargerLine).toBe('L1-L2');
  expect(it.chargerPhases).toBe(1);
  const it3 = engineSettingsFor(noIt3phHouse);
  expect(it3.chargerLine).toBeUndefined();
  expect(it3.chargerPhases).toBe(3);
  const tn = engineSettingsFor(nlTnHouse);
  expect(tn.fuseA).toBe(25);
  expect(tn.gridType).toBe('TN');
  expect(tn.chargerLine).toBeUndefined();
  expect(engineSettingsFor(nlTnHouse, { marginA: 3 }).marginA).toBe(3);
  expect(() => engineSettingsFor(nlTnHouse, { fuseA: -1 })).toThrow(/fuseA/);
});

const cases: { name: string; profile: HouseProfile; meterKind: MeterKind; minShare: number }[] = [
  { name: 'nl-tn with a DSMR 5 meter', profile: nlTnHouse, meterKind: 'dsmr5', minShare: 0.93 },
  { name: 'no-it with a Kaifa HAN meter', profile: noItHouse, meterKind: 'han-kaifa', minShare: 0.65 },
  { name: 'no-it with an Aidon HAN meter', profile: noItHouse, meterKind: 'han-aidon', minShare: 0.65 },
  { name: 'no-it with a three-phase charger, Aidon', profile: noIt3phHouse, meterKind: 'han-aidon', minShare: 0.8 },
];

for (const { name, profile, meterKind, minShare } of cases) {
  describe(`${name}, 2 days`, () => {
    let engine: RunResult;
    let gap: RunResult;
    let oracle: RunResult;
    beforeAll(() => {
      const common = { profile, meterKind, days: 2, seed: 4, loss: noLoss };
      engine = runSimulation({ ...common, makeController: () => createEngineController(profile, engineSettingsFor(profile)) });
      gap = runSimulation({ ...common, makeController: () => createGapController(profile) });
      oracle = runSimulation({ ...common, makeController: (ctx) => createOracleController(profile, ctx.houseSlotP, ctx.houseSlotQ) });
    }, 180000);

    test('no charger-caused overload beyond the meter interval', () => {
      expect(engine.chargerOverloadAs).toBeGreaterThanOrEqual(0);
      expect(engine.beyondIntervalAs).toBe(0);
      expect(engine.lostFrameAs).toBe(0);
      expect(engine.longestOverloadS).toBeLessThanOrEqual(15);
    });

    test("less overload than the naive gap controller, most of the oracle's energy, calm set points", () => {
      expect(engine.chargerOverloadAs).toBeLessThanOrEqual(gap.chargerOverloadAs);
      expect(oracle.energyWh).toBeGreaterThan(0);
      expect(engine.energyWh / oracle.energyWh).toBeGreaterThan(minShare);
      expect(engine.energyWh / oracle.energyWh).toBeLessThanOrEqual(1.01);
      expect(engine.quickChanges / Math.max(1, engine.setpointChanges)).toBeLessThan(0.1);
      expect((engine.statusS.ok ?? 0) + (engine.statusS.estimated ?? 0)).toBeGreaterThan(engine.seconds * 0.95);
    });
  });
}

test("the experiments bracket the engine on IT: the true L2 in every full list gives the most energy, the bound alone the least, the real solution known (true L2 plus the estimate's error allowance) lies between the engine and the true L2; none goes beyond the interval", () => {
  const common = { profile: noItHouse, meterKind: 'han-kaifa' as const, days: 3, seed: 4, loss: noLoss };
  const settings = engineSettingsFor(noItHouse);
  const engine = runSimulation({ ...common, makeController: () => createEngineController(noItHouse, settings) });
  const trueL2 = runSimulation({ ...common, makeController: (ctx) => createTrueL2Engine(noItHouse, settings, ctx.houseSlotP, ctx.houseSlotQ) });
  const boundOnly = runSimulation({ ...common, makeController: () => createBoundOnlyEngine(noItHouse, settings) });
  const trueConfig = runSimulation({ ...common, makeController: (ctx) => createTrueL2Engine(noItHouse, settings, ctx.houseSlotP, ctx.houseSlotQ, true) });
  expect(trueL2.energyWh).toBeGreaterThan(engine.energyWh);
  expect(engine.energyWh).toBeGreaterThanOrEqual(boundOnly.energyWh);
  expect(trueConfig.energyWh).toBeGreaterThan(engine.energyWh);
  expect(trueConfig.energyWh).toBeLessThan(trueL2.energyWh);
  for (const r of [engine, trueL2, boundOnly, trueConfig]) expect(r.beyondIntervalAs).toBe(0);
}, 120000);
