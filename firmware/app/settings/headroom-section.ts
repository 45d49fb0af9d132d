/**
 * The `headroom` section: what the installer told the box about the installation (fuse, phases,
 * grid type, margin...). Its rules live in decoders/headroom/settings.ts (validateHeadroomSettings);
 * this module only decides how a stored section is read when that check fails as a whole.
 *
 * Reading a stored section field by field: the fields are taken over one at a time, keeping each
 * one the validator accepts together with those already kept (rounds until nothing more fits), so
 * one bad field costs that field alone and a field that only fits next to another stored field
 * (a 6 A fuse with a 0 A margin) still comes back. Fields that never fit take their defaults and
 * are named. Whether the stored fuse itself came back is what the app's safe allowance looks at
 * (unconfirmed-allowance.ts): a default fuse is never used in place of a stored one.
 */
import { defaultHeadroomSettings, validateHeadroomSettings } from '../../../decoders/headroom/index';
import type { HeadroomSettings } from '../../../decoders/headroom/index';
import { cloneJson } from '../util/clone';
import { describeType, isRecord } from './section';
import type { SettingsSection } from './section';

/** Tried first: the fields the allowance rests on, so they are kept whenever they fit. */
const FIRST = ['fuseA', 'phases', 'gridType', 'marginA', 'minChargeA'];

function readStored(raw: unknown): { value: HeadroomSettings; problems: string[] } {
  if (raw === undefined) return { value: cloneJson(defaultHeadroomSettings), problems: [] };
  if (!isRecord(raw))
    return { value: cloneJson(defaultHeadroomSettings), problems: [`headroom is ${describeType(raw)}, not an object: every headroom field uses its default`] };
  const whole = validateHeadroomSettings(raw);
  if (whole.ok) return { value: whole.settings, problems: [] };

  const pending = FIRST.filter((k) => k in raw).concat(Object.keys(raw).filter((k) => FIRST.indexOf(k) < 0));
  const kept: Record<string, unknown> = {};
  let progress = true;
  while (progress && pending.length > 0) {
    progress = false;
    for (let i = 0; i < pending.length; i++) {
      const key = pending[i];
      const candidate: Record<string, unknown> = { ...kept };
      candidate[key] = raw[key];
      if (validateHeadroomSettings(candidate).ok) {
        kept[key] = raw[key];
        pending.splice(i, 1);
        i--;
        progress = true;
      }
    }
  }
  const problems: string[] = [];
  for (const key of pending) {
    const candidate: Record<string, unknown> = { ...kept };
    candidate[key] = raw[key];
    const check = validateHeadroomSettings(candidate);
    const why = check.ok ? 'does not fit the other stored fields' : check.errors.join('; ');
    problems.push(`headroom.${key} could not be used (${why}): ${key in defaultHeadroomSettings ? 'its default applies' : 'left out'}`);
  }
  const checked = validateHeadroomSettings(kept);
  // The kept fields passed together in the last round that added one, so this cannot fail; if it
  // ever did, every field takes its default and the fuse counts as not read.
  return checked.ok
    ? { value: checked.settings, problems }
    : {
        value: cloneJson(defaultHeadroomSettings),
        problems: problems.concat('headroom: the readable fields do not fit together: every field uses its default'),
      };
}

function applyPatch(current: HeadroomSettings, patch: unknown): { ok: true; value: HeadroomSettings } | { ok: false; errors: string[] } {
  if (!isRecord(patch)) return { ok: false, errors: ['headroom must be an object'] };
  const merged: Record<string, unknown> = cloneJson(current) as unknown as Record<string, unknown>;
  for (const key of Object.keys(patch)) merged[key] = patch[key];
  const checked = validateHeadroomSettings(merged);
  return checked.ok ? { ok: true, value: checked.settings } : { ok: false, errors: checked.errors.map((e) => 'headroom: ' + e) };
}

export const headroomSection: SettingsSection<HeadroomSettings> = {
  name: 'headroom',
  defaults: () => cloneJson(defaultHeadroomSettings),
  readStored,
  applyPatch,
};

/**
 * The fuse rating the stored section holds, when it holds a usable number (the validator's own
 * range decides), else undefined: what the safe allowance compares the fuse in use with.
 */
export function storedFuseA(raw: unknown): number | undefined {
  if (!isRecord(raw) || typeof raw.fuseA !== 'number') return undefined;
  const alone = validateHeadroomSettings({ fuseA: raw.fuseA, marginA: 0, minChargeA: 1, safeCurrentA: 0 });
  return alone.ok ? raw.fuseA : undefined;
}
