/**
 * The engine with a changed input, to measure what a better (or worse) input is worth before
 * anyone changes the engine or the meter (docs/simulation.md, "What the numbers say"):
 *
 * - engine-true-l2: every full list carries the true L2 current, as if the meter measured it: the
 *   most any L2 estimate could give.
 * - engine-bound-only: the full lists lose their reactive power, so the engine can only bound L2
 *   (I2 <= I1 + I3): what the L2 estimate adds.
 * - engine-true-config: every full list carries the L2 the estimate would give if it knew which
 *   configuration is the real one (solution and phase order: what a perfect lock plus a known
 *   phase order could give): the true L2 plus the estimate's own error allowance for that list
 *   (it-line2.ts, errorA), capped by the bound I1 + I3; lists the estimate cannot solve are left
 *   as they are. The ceiling of any lock (docs/headroom.md, "IT grids: the lock").
 */
import type { MeterReading } from '../../decoders/reading';
import { itLine2Candidates } from '../../decoders/headroom/it-line2';
import { currentResolutionA, lineToLineV } from '../../decoders/plausibility/ranges';
import type { HeadroomSettings } from '../../decoders/headroom/index';
import type { Controller } from './controllers';
import { createEngineController } from './engine-controller';
import type { HouseProfile } from './profiles';
import { lineCurrents } from './wiring';

/** houseSlotP, houseSlotQ: the house's true slot currents (the simulator keeps them current). */
export function createTrueL2Engine(
  profile: HouseProfile,
  settings: HeadroomSettings,
  houseSlotP: Float64Array,
  houseSlotQ: Float64Array,
  withErrorAllowance = false,
): Controller {
  const inner = createEngineController(profile, settings);
  const w = profile.charger.lineWeights;
  const sw = profile.charger.slotWeights;
  const slots = new Float64Array(3);
  const lines = new Float64Array(3);
  const controller = {
    name: withErrorAllowance ? 'engine-true-config' : 'engine-true-l2',
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
      let l2A = lines[1];
      if (withErrorAllowance) {
        const r = reading;
        const i1 = r.l1?.currentA;
        const i3 = r.l3?.currentA;
        const v1 = r.l1?.voltageV;
        const v3 = r.l3?.voltageV;
        if (i1 === undefined || i3 === undefined || v1 === undefined || v3 === undefined) return inner.onFrame(nowMs, reading, chargerLineA);
        const q = (r.reactivePowerImportVar ?? 0) - (r.reactivePowerExportVar ?? 0);
        const p = (r.powerImportW ?? 0) - (r.powerExportW ?? 0);
        const res = Math.max(currentResolutionA(r.protocol, i1), currentResolutionA(r.protocol, i3));
        const c = itLine2Candidates(i1, i3, p, q, (lineToLineV(v1) + lineToLineV(v3)) / 2, res);
        if (c === undefined) return inner.onFrame(nowMs, reading, chargerLineA);
        l2A = Math.min(i1 + i3, l2A + c.errorA);
      }
      const l2 = { ...reading.l2, currentA: Math.round(l2A * 1000) / 1000 };
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
