/**
 * Settings section `homewizard`: how the HomeWizard v1 API (firmware/app/homewizard.ts) serves L2
 * on an IT grid, where the meter never measures it.
 *
 *   { "l2": "safe" | "omit" }
 *
 * - "safe" (default): `active_current_l2_a` carries the engine's safe L2 (its bound |L1| + |L3| or
 *   its estimate, never below the truth), so SmartEVSE and evcc, which read an absent L2 as 0 A,
 *   never see an idle line that is not idle.
 * - "omit": L2 is served only when the meter measured it; for people who only graph the values.
 */
import type { SettingsSection } from '../settings/section';
import { isPlainObject as isObject } from '../http-util';

export type HomeWizardL2Mode = 'safe' | 'omit';

export interface HomeWizardSettings {
  l2: HomeWizardL2Mode;
}

const FIELDS = ['l2'];

function isL2Mode(value: unknown): value is HomeWizardL2Mode {
  return value === 'safe' || value === 'omit';
}

const L2_ERROR = 'homewizard.l2 must be "safe" (serve the engine\'s safe L2 current) or "omit" (only a measured L2)';

export const homeWizardSettingsSection: SettingsSection<HomeWizardSettings> = {
  name: 'homewizard',
  defaults: () => ({ l2: 'safe' }),
  readStored(raw) {
    const value: HomeWizardSettings = { l2: 'safe' };
    if (!isObject(raw)) return { value, problems: ['homewizard is not an object; using its defaults'] };
    const problems: string[] = [];
    if (raw.l2 !== undefined) {
      if (isL2Mode(raw.l2)) value.l2 = raw.l2;
      else problems.push(L2_ERROR + '; using "safe"');
    }
    return { value, problems };
  },
  applyPatch(current, patch) {
    if (!isObject(patch)) return { ok: false, errors: ['homewizard must be an object'] };
    const errors: string[] = [];
    for (const key of Object.keys(patch)) if (FIELDS.indexOf(key) < 0) errors.push(`unknown field "homewizard.${key}"`);
    const value: HomeWizardSettings = { l2: current.l2 };
    if (patch.l2 !== undefined) {
      if (isL2Mode(patch.l2)) value.l2 = patch.l2;
      else errors.push(L2_ERROR);
    }
    return errors.length ? { ok: false, errors } : { ok: true, value };
  },
};
