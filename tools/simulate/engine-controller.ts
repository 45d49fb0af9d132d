/**
 * The headroom engine as a charger controller, the way the device uses it: every meter frame
 * (and every frame slot without one, as a timer tick) goes through stepHeadroom with the
 * charger's present current; the charger gets threePhaseA (three-phase charger) or onePhaseA
 * (one-phase charger, on the line or pair in settings.chargerLine).
 */
import { createHeadroomState, stepHeadroom, validateHeadroomSettings } from '../../decoders/headroom/index';
import type { HeadroomSettings, HeadroomState } from '../../decoders/headroom/index';
import type { Controller } from './controllers';
import type { HouseProfile } from './profiles';

const pairNames = ['L1-L2', 'L2-L3', 'L1-L3'] as const;

/** Engine settings that describe the simulated house; `overrides` (e.g. from --settings) win. */
export function engineSettingsFor(profile: HouseProfile, overrides: Record<string, unknown> = {}): HeadroomSettings {
  const c = profile.charger;
  const onePhase = c.slotWeights[0] + c.slotWeights[1] + c.slotWeights[2] === 1;
  const base: Record<string, unknown> = {
    fuseA: profile.fuseA,
    phases: 3,
    gridType: profile.wiring === 'it' ? 'IT' : 'TN',
    nominalVoltageV: profile.nominalV,
    minChargeA: c.minA,
  };
  if (onePhase) {
    const slot = c.slotWeights.indexOf(1);
    base.chargerLine = profile.wiring === 'it' ? pairNames[slot] : `L${slot + 1}`;
  }
  const checked = validateHeadroomSettings({ ...base, ...overrides });
  if (!checked.ok) throw new Error(`engine settings for ${profile.id}: ${checked.errors.join('; ')}`);
  return checked.settings;
}

export function createEngineController(profile: HouseProfile, settings: HeadroomSettings): Controller {
  const c = profile.charger;
  const threePhase = c.slotWeights[0] + c.slotWeights[1] + c.slotWeights[2] === 3;
  let state: HeadroomState = createHeadroomState();
  const controller = {
    name: 'engine',
    status: undefined as string | undefined,
    onFrame(nowMs: number, reading: Parameters<Controller['onFrame']>[1], chargerLineA: readonly [number, number, number]): number {
      const chargerA: [number, number, number] = [chargerLineA[0], chargerLineA[1], chargerLineA[2]];
      const r = stepHeadroom(state, reading ? { nowMs, reading, chargerA } : { nowMs, chargerA }, settings);
      state = r.state;
      controller.status = r.headroom.status;
      return threePhase ? r.headroom.threePhaseA : r.headroom.onePhaseA;
    },
  };
  return controller;
}
