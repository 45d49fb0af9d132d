/**
 * Experimental controllers: the engine with a different treatment of its input, to measure what a
 * change in the engine would buy before anyone changes the engine.
 *
 * - engine-worst: short frames (total power only) are turned into full frames before the engine
 *   sees them, with the worst-case split: every line = its current in the last full list + the own
 *   charger's change on that line + the whole rise of the house's power since that list on THIS
 *   line (a one-phase load can sit on any line; on IT, between any two). A fall is not spread (the
 *   lines keep their last measured value). Up to engine commit 7bf9350 the engine spread a rise
 *   over the lines in the last measured proportion, so a 3 kW one-phase step read as +4.3 A per
 *   line instead of +13 A on one; this experiment sized that (docs/simulation.md, finding 1, fixed
 *   in 6cdff4d).
 */
import type { MeterReading, PhaseReading } from '../../decoders/reading';
import type { HeadroomSettings } from '../../decoders/headroom/index';
import type { Controller } from './controllers';
import { createEngineController } from './engine-controller';
import type { HouseProfile } from './profiles';

const keys = ['l1', 'l2', 'l3'] as const;

export function createWorstCaseShortFrameEngine(profile: HouseProfile, settings: HeadroomSettings): Controller {
  const inner = createEngineController(profile, settings);
  const v = profile.nominalV;
  const sumW = profile.charger.slotWeights[0] + profile.charger.slotWeights[1] + profile.charger.slotWeights[2];
  let last: { reading: MeterReading; chargerA: number[]; chargerPowerW: number } | undefined;
  const controller = {
    name: 'engine-worst',
    get status() {
      return inner.status;
    },
    onFrame(nowMs: number, reading: MeterReading | undefined, chargerLineA: readonly [number, number, number]): number {
      // The charger's power: its current per ampere of set point times the slots it loads.
      const chargerNow = Math.max(chargerLineA[0], chargerLineA[1], chargerLineA[2]);
      const chargerPowerW = chargerNow * v * sumW;
      if (reading && reading.frameKind !== 'short') {
        last = { reading, chargerA: [chargerLineA[0], chargerLineA[1], chargerLineA[2]], chargerPowerW };
        return inner.onFrame(nowMs, reading, chargerLineA);
      }
      if (reading && last && reading.powerImportW !== undefined && last.reading.powerImportW !== undefined) {
        const houseRiseW = reading.powerImportW - chargerPowerW - (last.reading.powerImportW - last.chargerPowerW);
        const riseA = houseRiseW > 0 ? houseRiseW / v : 0;
        const full: MeterReading = { ...reading, frameKind: 'full' };
        for (let k = 0; k < 3; k++) {
          const before = last.reading[keys[k]];
          const p: PhaseReading = { ...before };
          if (before?.currentA !== undefined) p.currentA = Math.max(0, before.currentA + (chargerLineA[k] - last.chargerA[k]) + riseA);
          delete p.powerImportW; // the old per-line power no longer holds
          full[keys[k]] = p;
        }
        return inner.onFrame(nowMs, full, chargerLineA);
      }
      return inner.onFrame(nowMs, reading, chargerLineA);
    },
  };
  return controller;
}

/**
 * engine-holdoff: the engine's answer, but after it drops (a house load came on) it may not rise
 * above the dropped value for holdOffS. Cycling loads (dryer heaters, hob power levels, oven
 * thermostats) then do not meet a charger that has ramped back up at their next cycle-on.
 */
export function createHoldOffEngine(profile: HouseProfile, settings: HeadroomSettings, holdOffS = 300): Controller {
  const inner = createEngineController(profile, settings);
  let lastA = 0;
  let capA = Infinity;
  let capUntilMs = -Infinity;
  return {
    name: 'engine-holdoff',
    get status() {
      return inner.status;
    },
    onFrame(nowMs: number, reading: MeterReading | undefined, chargerLineA: readonly [number, number, number]): number {
      let a = inner.onFrame(nowMs, reading, chargerLineA);
      if (a < lastA - 0.5) {
        capA = a;
        capUntilMs = nowMs + holdOffS * 1000;
      }
      if (nowMs < capUntilMs) {
        if (a < capA) capA = a;
        a = Math.min(a, capA);
      }
      lastA = a;
      return a;
    },
  };
}
