/**
 * The stored settings document and its validation.
 *
 *   { "version": 1,
 *     "headroom": HeadroomSettings,                       (decoders/headroom: fuse, phases, margin...)
 *     "meter":  { "encryptionKey"?: hex32, "authenticationKey"?: hex32, "line"?: "auto" | LineSettings },
 *     "access": { "readOpen": boolean, "passwordHash"?: "pbkdf2-sha256$..." },
 *     "wifi":   { ... }                                   (owned by firmware/app/provisioning)
 *   }
 *
 * Rules: a change is validated as a whole BEFORE anything is stored; an invalid change stores
 * nothing. Secrets (meter keys, password hash, Wi-Fi passwords) never leave through `redact`.
 * Tools that take `--settings FILE` read `doc.headroom`.
 */
import { defaultHeadroomSettings, validateHeadroomSettings } from '../../decoders/headroom/index';
import type { HeadroomSettings } from '../../decoders/headroom/index';
import type { LineSettings } from './ports';
import { hexToBytes } from './util/bytes';
import { isPlainObject, unknownKeys } from './http-util';
import { cloneJson } from './util/clone';
import { outputsSection } from './outputs/outputs-settings';
import type { OutputsSettings } from './outputs/outputs-settings';

export interface MeterSettings {
  /** AES-128 key, 32 hex digits. */
  encryptionKey?: string;
  authenticationKey?: string;
  /** Serial line: fixed settings, or "auto" to run the detection plan. */
  line?: 'auto' | LineSettings;
}

export interface AccessSettings {
  /** True: status, data and diagnostics are readable without login on the LAN. */
  readOpen: boolean;
  passwordHash?: string;
}

export interface SettingsDocument {
  version: 1;
  headroom: HeadroomSettings;
  meter: MeterSettings;
  access: AccessSettings;
  wifi: Record<string, unknown>;
  /** Modbus meter emulation and charger pushes (outputs/outputs-settings.ts). */
  outputs: OutputsSettings;
}

export function defaultSettings(): SettingsDocument {
  return {
    version: 1,
    headroom: cloneJson(defaultHeadroomSettings),
    meter: {},
    access: { readOpen: true },
    wifi: {},
    outputs: outputsSection.defaults(),
  };
}

export { cloneJson } from './util/clone';

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * Reads a stored document. A missing or damaged file falls back to defaults (with the reason
 * logged by the caller) rather than stopping the box: the meter must keep being read.
 */
export function parseStoredSettings(text: string | undefined): { doc: SettingsDocument; problem?: string } {
  if (text === undefined) return { doc: defaultSettings() };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { doc: defaultSettings(), problem: 'stored settings are not valid JSON; using defaults' };
  }
  if (!isPlainObject(raw)) return { doc: defaultSettings(), problem: 'stored settings are not an object; using defaults' };
  const doc = defaultSettings();
  const problems: string[] = [];
  if (raw.headroom !== undefined) {
    const h = validateHeadroomSettings(raw.headroom);
    if (h.ok) doc.headroom = h.settings;
    else problems.push('headroom: ' + h.errors.join('; '));
  }
  if (isPlainObject(raw.meter)) {
    const m = checkMeter(raw.meter, {});
    if (m.ok) doc.meter = m.value;
    else problems.push(...m.errors);
  }
  if (isPlainObject(raw.access)) {
    if (typeof raw.access.readOpen === 'boolean') doc.access.readOpen = raw.access.readOpen;
    if (typeof raw.access.passwordHash === 'string') doc.access.passwordHash = raw.access.passwordHash;
  }
  if (isPlainObject(raw.wifi)) doc.wifi = cloneJson(raw.wifi);
  if (raw.outputs !== undefined) {
    const o = outputsSection.readStored(raw.outputs);
    doc.outputs = o.value;
    problems.push(...o.problems);
  }
  return problems.length ? { doc, problem: 'stored settings partly invalid (' + problems.join('; ') + '); those parts use defaults' } : { doc };
}

export const SETTINGS_PATCH_FIELDS = ['version', 'headroom', 'meter', 'access', 'outputs'] as const;

/**
 * Applies a PUT /api/v1/settings body (a partial document) to `current`. Returns the complete new
 * document or every reason it was refused. Keys: a hex string sets, null clears, absent keeps.
 */
export function applySettingsPatch(current: SettingsDocument, patch: Record<string, unknown>): Checked<SettingsDocument> {
  const errors: string[] = [];
  for (const key of unknownKeys(patch, SETTINGS_PATCH_FIELDS)) {
    errors.push(key === 'wifi' ? 'wifi is changed through the setup page (/setup), not here' : `unknown field "${key}"`);
  }
  if (patch.version !== undefined && patch.version !== 1) errors.push('version must be 1');
  const next = cloneJson(current);

  if (patch.headroom !== undefined) {
    if (!isPlainObject(patch.headroom)) errors.push('headroom must be an object');
    else {
      const merged: Record<string, unknown> = cloneJson(current.headroom) as unknown as Record<string, unknown>;
      for (const key of Object.keys(patch.headroom)) merged[key] = patch.headroom[key];
      const h = validateHeadroomSettings(merged);
      if (h.ok) next.headroom = h.settings;
      else for (const e of h.errors) errors.push('headroom: ' + e);
    }
  }
  if (patch.meter !== undefined) {
    if (!isPlainObject(patch.meter)) errors.push('meter must be an object');
    else {
      const m = checkMeter(patch.meter, current.meter);
      if (m.ok) next.meter = m.value;
      else errors.push(...m.errors);
    }
  }
  if (patch.access !== undefined) {
    if (!isPlainObject(patch.access)) errors.push('access must be an object');
    else {
      for (const key of unknownKeys(patch.access, ['readOpen'])) {
        errors.push(key === 'passwordHash' || key === 'password' ? 'the password is changed through POST /api/v1/auth/password' : `unknown field "access.${key}"`);
      }
      if (patch.access.readOpen !== undefined) {
        if (typeof patch.access.readOpen !== 'boolean') errors.push('access.readOpen must be true or false');
        else next.access.readOpen = patch.access.readOpen;
      }
    }
  }
  if (patch.outputs !== undefined) {
    const o = outputsSection.applyPatch(current.outputs, patch.outputs);
    if (o.ok) next.outputs = o.value;
    else errors.push(...o.errors);
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: next };
}

const LINE_FIELDS = ['baud', 'dataBits', 'parity', 'stopBits', 'inverted'];
const BAUD_RATES = [300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

function checkMeter(input: Record<string, unknown>, current: MeterSettings): Checked<MeterSettings> {
  const errors: string[] = [];
  const next: MeterSettings = cloneJson(current);
  for (const key of unknownKeys(input, ['encryptionKey', 'authenticationKey', 'line'])) errors.push(`unknown field "meter.${key}"`);
  for (const name of ['encryptionKey', 'authenticationKey'] as const) {
    const value = input[name];
    if (value === undefined) continue;
    if (value === null || value === '') delete next[name];
    else if (typeof value !== 'string' || value.length !== 32 || !hexToBytes(value)) {
      errors.push(`meter.${name} must be 32 hex digits (16 bytes), or null to clear it`);
    } else next[name] = value.toLowerCase();
  }
  if (input.line !== undefined) {
    const line = input.line;
    if (line === null) delete next.line;
    else if (line === 'auto') next.line = 'auto';
    else if (!isPlainObject(line)) errors.push('meter.line must be "auto" or {baud, dataBits, parity, stopBits}');
    else {
      for (const key of unknownKeys(line, LINE_FIELDS)) errors.push(`unknown field "meter.line.${key}"`);
      if (BAUD_RATES.indexOf(line.baud as number) < 0) errors.push('meter.line.baud must be one of ' + BAUD_RATES.join(', '));
      if (line.dataBits !== 7 && line.dataBits !== 8) errors.push('meter.line.dataBits must be 7 or 8');
      if (line.parity !== 'none' && line.parity !== 'even' && line.parity !== 'odd') errors.push('meter.line.parity must be none, even or odd');
      if (line.stopBits !== 1 && line.stopBits !== 2) errors.push('meter.line.stopBits must be 1 or 2');
      if (line.inverted !== undefined && typeof line.inverted !== 'boolean') errors.push('meter.line.inverted must be true or false');
      if (!errors.length) {
        const settings: LineSettings = {
          baud: line.baud as number,
          dataBits: line.dataBits as 7 | 8,
          parity: line.parity as LineSettings['parity'],
          stopBits: line.stopBits as 1 | 2,
        };
        if (line.inverted !== undefined) settings.inverted = line.inverted as boolean;
        next.line = settings;
      }
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: next };
}

/** Field names whose values are secrets anywhere in the document (Wi-Fi passwords included). */
function isSecretName(name: string): boolean {
  const n = name.toLowerCase();
  return n.indexOf('password') >= 0 || n.indexOf('key') >= 0 || n === 'psk' || n.indexOf('secret') >= 0 || n.indexOf('token') >= 0;
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    out[key] = isSecretName(key) && value[key] !== undefined && value[key] !== null && value[key] !== '' ? { set: true } : redactValue(value[key]);
  }
  return out;
}

/** The document as GET /api/v1/settings shows it: every secret replaced by {set: true}. */
export function redactSettings(doc: SettingsDocument): Record<string, unknown> {
  const out = redactValue(cloneJson(doc)) as Record<string, unknown>;
  const meter = out.meter as Record<string, unknown>;
  if (meter.encryptionKey === undefined) meter.encryptionKey = { set: false };
  if (meter.authenticationKey === undefined) meter.authenticationKey = { set: false };
  const access = out.access as Record<string, unknown>;
  access.passwordSet = doc.access.passwordHash !== undefined;
  delete access.passwordHash;
  return out;
}

export function meterKeyBytes(hex: string | undefined): Uint8Array | undefined {
  return hex === undefined ? undefined : hexToBytes(hex);
}
