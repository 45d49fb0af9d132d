/**
 * The headroom engine as a charger controller, the way the device uses it: every meter frame
 * (and every frame slot without one, as a timer tick) goes through stepHeadroom with the
 * charger's present current; the charger gets threePhaseA (three-phase charger) or onePhaseA
 * (one-phase charger, on the line or pair in settings.chargerLine).
 *
 * The engine is passed in as a module, so an older engine (another checkout's
 * decoders/headroom/index.ts, `npm run simulate -- --old-engine PATH`) runs in the same loop.
 */
import * as currentEngine from '../../decoders/headroom/index';
import type { HeadroomSettings, HeadroomState } from '../../decoders/headroom/index';
import type { Controller } from './controllers';
import type { HouseProfile } from './profiles';

/** What the simulator needs of an engine module (decoders/headroom/index.ts, of this or another version). */
export interface EngineModule {
  createHeadroomState(): unknown;
  stepHeadroom(state: unknown, input: unknown, settings: unknown): { headroom: { status: string; threePhaseA: number; onePhaseA: number }; state: unknown };
  validateHeadroomSettings(input: unknown): { ok: true; settings: unknown } | { ok: false; errors: string[] };
}

const pairNames = ['L1-L2', 'L2-L3', 'L1-L3'] as const;

/** True for a charger that draws on all three lines. */
export function isThreePhaseCharger(profile: HouseProfile): boolean {
  const w = profile.charger.lineWeights;
  return w[0] > 0 && w[1] > 0 && w[2] > 0;
}

/**
 * Engine settings that describe the simulated house; `overrides` (e.g. from --settings) win. A
 * setting the given engine does not know (an older engine) is left out.
 */
export function engineSettingsFor(
  profile: HouseProfile,
  overrides: Record<string, unknown> = {},
  engine: EngineModule = currentEngine as unknown as EngineModule,
): HeadroomSettings {
  const c = profile.charger;
  const base: Record<string, unknown> = {
    fuseA: profile.fuseA,
    phases: 3,
    gridType: profile.wiring === 'it' ? 'IT' : 'TN',
    nominalVoltageV: profile.nominalV,
    minChargeA: c.minA,
    chargerPhases: isThreePhaseCharger(profile) ? 3 : 1,
  };
  if (!isThreePhaseCharger(profile)) {
    const slot = c.slotWeights.indexOf(1);
    base.chargerLine = profile.wiring === 'it' ? pairNames[slot] : `L${slot + 1}`;
  }
  let input = { ...base, ...overrides };
  let checked = engine.validateHeadroomSettings(input);
  if (!checked.ok) {
    // An older engine refuses settings it does not have: leave those out (unless asked for).
    const unknown = checked.errors.map((e) => /^unknown setting '(.*)'$/.exec(e)?.[1]).filter((k): k is string => k !== undefined && !(k in overrides));
    if (unknown.length > 0) {
      input = { ...input };
      for (const k of unknown) delete (input as Record<string, unknown>)[k];
      checked = engine.validateHeadroomSettings(input);
    }
  }
  if (!checked.ok) throw new Error(`engine settings for ${profile.id}: ${checked.errors.join('; ')}`);
  return checked.settings as HeadroomSettings;
}

export function createEngineController(
  profile: HouseProfile,
  settings: HeadroomSettings,
  engine: EngineModule = currentEngine as unknown as EngineModule,
  name = 'engine',
): Controller {
  const threePhase = isThreePhaseCharger(profile);
  let state: unknown = engine.createHeadroomState() as HeadroomState;
  const controller = {
    name,
    status: undefined as string | undefined,
    onFrame(nowMs: number, reading: Parameters<Controller['onFrame']>[1], chargerLineA: readonly [number, number, number]): number {
      const chargerA: [number, number, number] = [chargerLineA[0], chargerLineA[1], chargerLineA[2]];
      const r = engine.stepHeadroom(state, reading ? { nowMs, reading, chargerA } : { nowMs, chargerA }, settings);
      state = r.state;
      controller.status = r.headroom.status;
      return threePhase ? r.headroom.threePhaseA : r.headroom.onePhaseA;
    },
  };
  return controller;
}
