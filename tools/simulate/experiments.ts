/**
 * The engine with a changed input, to measure what a better (or worse) input is worth before
 * anyone changes the engine or the meter (docs/simulation.md, "What the numbers say"):
 *
 * - engine-true-l2: every full list carries the true L2 current, as if the meter measured it: the
 *   most any L2 estimate could give.
 * - engine-bound-only: the full lists lose their reactive power, so the engine can only bound L2
 *   (I2 <= I1 + I3): what the L2 estimate adds.
 */
import type { MeterReading } from '../../decoders/reading';
import type { HeadroomSettings } from '../../decoders/headroom/index';
import type { Controller } from './controllers';
import { createEngineController } from './engine-controller';
import type { HouseProfile } from './profiles';
import { lineCurrents } from './wiring';

/** houseSlotP, houseSlotQ: the house's true slot currents (the simulator keeps them current). */
export function createTrueL2Engine(profile: HouseProfile, settings: HeadroomSettings, houseSlotP: Float64Array, houseSlotQ: Float64Array): Controller {
  const inner = createEngineController(profile, settings);
  const w = profile.charger.lineWeights;
  const sw = profile.charger.slotWeights;
  const slots = new Float64Array(3);
  const lines = new Float64Array(3);
  const controller = {
    name: 'engine-true-l2',
    get status() {
      return inner.status;
    },
    onFrame(nowMs: number, reading: MeterReading | undefined, chargerLineA: readonly [number, number, number]): number {
      if (!reading || reading.frameKind === 'short') return inner.onFrame(nowMs, reading, chargerLineA);
      // The charger's own current from any line it reports on; its slots carry it by their weights.
      const k = w[0] > 0 ? 0 : w[1] > 0 ? 1 : 2;
      const chargerA = chargerLineA[k] / w[k];
      for (let s = 0; s < 3; s++) slots[s] = houseSlotP[s] + sw[s] * chargerA;
      lineCurrents(profile.wiring, slots, houseSlotQ, lines);
      const l2 = { ...reading.l2, currentA: Math.round(lines[1] * 1000) / 1000 };
      return inner.onFrame(nowMs, { ...reading, l2 }, chargerLineA);
    },
  };
  return controller;
}

export function createBoundOnlyEngine(profile: HouseProfile, settings: HeadroomSettings): Controller {
  const inner = createEngineController(profile, settings);
  return {
    name: 'engine-bound-only',
    get status() {
      return inner.status;
    },
    onFrame(nowMs: number, reading: MeterReading | undefined, chargerLineA: readonly [number, number, number]): number {
      if (!reading) return inner.onFrame(nowMs, reading, chargerLineA);
      const r = { ...reading };
      delete r.reactivePowerImportVar;
      delete r.reactivePowerExportVar;
      return inner.onFrame(nowMs, r, chargerLineA);
    },
  };
}
