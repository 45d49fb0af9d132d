/**
 * The `access` section: whether live data is readable on the LAN without a login (`readOpen`) and
 * the stored password hash. The password itself changes through POST /api/v1/auth/password, never
 * through a settings patch.
 *
 * Reading a damaged section never opens the box: read access that cannot be read is closed, and a
 * password hash that is there but cannot be read is NOT "no password" (which would let anyone on
 * the LAN claim the box with POST /api/v1/auth/setup): `passwordUnreadable` tells the app to lock
 * logins and changes until the owner repairs the stored settings.
 */
import { describeType, isRecord } from './section';
import type { SettingsSection } from './section';

export interface AccessSettings {
  /** True: status, data and diagnostics are readable without login on the LAN. */
  readOpen: boolean;
  passwordHash?: string;
}

/**
 * A stored hash this firmware can hand to the password check: text of printable ASCII in the
 * `<scheme>$<fields...>` form (auth/password-hash.ts writes "pbkdf2-sha256$<iterations>$<salt>$<hash>").
 */
export function isReadablePasswordHash(value: unknown): value is string {
  if (typeof value !== 'string' || value.length < 3 || value.length > 1024 || value.indexOf('$') <= 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** True when a stored `access` value holds a password hash that cannot be read (or cannot tell whether it holds one). */
export function passwordUnreadable(raw: unknown): boolean {
  if (raw === undefined) return false;
  if (!isRecord(raw)) return true;
  return raw.passwordHash !== undefined && !isReadablePasswordHash(raw.passwordHash);
}

export const accessSection: SettingsSection<AccessSettings> = {
  name: 'access',
  defaults: () => ({ readOpen: true }),
  readStored(raw) {
    if (raw === undefined) return { value: { readOpen: true }, problems: [] };
    if (!isRecord(raw)) {
      return {
        value: { readOpen: false },
        problems: [`access is ${describeType(raw)}, not an object: read access closed, and whether a password is set cannot be told`],
      };
    }
    const problems: string[] = [];
    const value: AccessSettings = { readOpen: false };
    if (typeof raw.readOpen === 'boolean') value.readOpen = raw.readOpen;
    else problems.push(`access.readOpen is ${describeType(raw.readOpen)}, not true or false: read access closed until the owner opens it`);
    if (raw.passwordHash !== undefined) {
      if (isReadablePasswordHash(raw.passwordHash)) value.passwordHash = raw.passwordHash;
      else problems.push('access.passwordHash cannot be read: logins and changes are locked until the stored settings are repaired');
    }
    for (const key of Object.keys(raw)) if (key !== 'readOpen' && key !== 'passwordHash') problems.push(`unknown field "access.${key}" left out`);
    return { value, problems };
  },
  applyPatch(current, patch) {
    if (!isRecord(patch)) return { ok: false, errors: ['access must be an object'] };
    const errors: string[] = [];
    const next: AccessSettings = { ...current };
    for (const key of Object.keys(patch)) {
      if (key === 'readOpen') continue;
      errors.push(
        key === 'passwordHash' || key === 'password' ? 'the password is changed through POST /api/v1/auth/password' : `unknown field "access.${key}"`,
      );
    }
    if (patch.readOpen !== undefined) {
      if (typeof patch.readOpen !== 'boolean') errors.push('access.readOpen must be true or false');
      else next.readOpen = patch.readOpen;
    }
    return errors.length ? { ok: false, errors } : { ok: true, value: next };
  },
};
