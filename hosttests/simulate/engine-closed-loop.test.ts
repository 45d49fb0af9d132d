// The headroom engine in the simulator's closed loop: wired with the house's settings, it must
// never keep the charger above what its last usable meter frame showed (zero overload beyond
// the meter interval and the charger's delay), on both house profiles with their usual meters,
// and it must still deliver most of the energy that fits.
import { createGapController } from '../../tools/simulate/controllers';
import { createEngineController, engineSettingsFor } from '../../tools/simulate/engine-controller';
import { noLoss } from '../../tools/simulate/meter';
import { nlTnHouse, noItHouse } from '../../tools/simulate/profiles';
import { type RunResult, runSimulation } from '../../tools/simulate/run';

test('engine settings describe the house: fuse, grid, the one-phase IT charger pair', () => {
  const it = engineSettingsFor(noItHouse);
  expect(it.fuseA).toBe(40);
  expect(it.gridType).toBe('IT');
  expect(it.chargerLine).toBe('L1-L2');
  const tn = engineSettingsFor(nlTnHouse);
  expect(tn.fuseA).toBe(25);
  expect(tn.gridType).toBe('TN');
  expect(tn.chargerLine).toBeUndefined();
  expect(engineSettingsFor(nlTnHouse, { marginA: 3 }).marginA).toBe(3);
  expect(() => engineSettingsFor(nlTnHouse, { fuseA: -1 })).toThrow(/fuseA/);
});

const cases = [
  { name: 'no-it with a Kaifa HAN meter', profile: noItHouse, meterKind: 'han' as const },
  { name: 'nl-tn with a DSMR 5 meter', profile: nlTnHouse, meterKind: 'dsmr5' as const },
];

for (const { name, profile, meterKind } of cases) {
  describe(`${name}, 2 days`, () => {
    let engine: RunResult;
    let gap: RunResult;
    beforeAll(() => {
      const common = { profile, meterKind, days: 2, seed: 4, loss: noLoss };
      engine = runSimulation({ ...common, makeController: () => createEngineController(profile, engineSettingsFor(profile)) });
      gap = runSimulation({ ...common, makeController: () => createGapController(profile) });
    }, 180000);

    test('no charger-caused overload beyond the meter interval', () => {
      expect(engine.chargerOverloadAs).toBeGreaterThanOrEqual(0);
      expect(engine.beyondIntervalAs).toBe(0);
      expect(engine.lostFrameAs).toBe(0);
    });

    test('far less overload than the naive gap controller, and no long overload', () => {
      expect(gap.chargerOverloadAs).toBeGreaterThan(0);
      expect(engine.chargerOverloadAs).toBeLessThan(gap.chargerOverloadAs / 3);
      expect(engine.longestOverloadS).toBeLessThanOrEqual(15);
    });

    test('the car still gets a good part of the energy that fits, and the engine reports its status', () => {
      expect(engine.idealEnergyWh).toBeGreaterThan(0);
      expect(engine.energyRatio).toBeGreaterThan(0.5);
      expect((engine.statusS.ok ?? 0) + (engine.statusS.estimated ?? 0)).toBeGreaterThan(engine.seconds * 0.95);
    });
  });
}
