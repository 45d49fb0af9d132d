/**
 * The stored settings document: its sections, how a stored copy is read, how a change is checked.
 *
 *   { "version": 1,
 *     "headroom": HeadroomSettings,                       (settings/headroom-section.ts; rules in decoders/headroom)
 *     "meter":  { "encryptionKey"?: hex32, "authenticationKey"?: hex32, "line"?: "auto" | LineSettings },
 *     "access": { "readOpen": boolean, "passwordHash"?: "pbkdf2-sha256$..." },
 *     "wifi":   { ... }                                   (owned by firmware/app/provisioning)
 *   }
 *
 * Each section is a module (settings/*-section.ts, shape in settings/section.ts) with its defaults,
 * its stored-value reader and its patch applier; SECTIONS below lists them. A new section is a
 * module, a field in SettingsDocument and a line in SECTIONS.
 *
 * Rules:
 * - A change is validated as a whole BEFORE anything is stored; an invalid change stores nothing.
 * - A stored document is read field by field: one bad field costs that field (named in the
 *   health report), never the section or the document. A UTF-8 byte order mark is dropped.
 *   Sections this firmware does not know (written by a newer one) are kept as they are.
 * - A stored document that cannot be read at all (empty, truncated, not JSON, `null`, NUL bytes,
 *   unreadable storage) is "unreadable": defaults are used, the box is locked (no password can be
 *   set or used, see settingsLock) and the allowance is held safe until the owner repairs it. The
 *   app keeps the original aside and never writes over it (app.ts).
 * - Secrets (meter keys, password hash, Wi-Fi passwords, anything named like a secret) never leave
 *   through `redactSettings`.
 * Tools that take `--settings FILE` read `doc.headroom`.
 */
import type { HeadroomSettings } from '../../decoders/headroom/index';
import { hexToBytes } from './util/bytes';
import { isPlainObject } from './http-util';
import { cloneJson } from './util/clone';
import type { SettingsSection } from './settings/section';
import { headroomSection, storedFuseA } from './settings/headroom-section';
import { meterSection } from './settings/meter-section';
import type { MeterSettings } from './settings/meter-section';
import { accessSection, passwordUnreadable } from './settings/access-section';
import type { AccessSettings } from './settings/access-section';
import { wifiSection } from './settings/wifi-section';
import { homeWizardSettingsSection } from './outputs/homewizard-settings';
import type { HomeWizardSettings } from './outputs/homewizard-settings';
import { mqttSettingsSection } from './outputs/mqtt-settings';
import type { MqttSettings } from './outputs/mqtt-settings';
import { outputsSection } from './outputs/outputs-settings';
import type { OutputsSettings } from './outputs/outputs-settings';

export type { MeterSettings } from './settings/meter-section';
export type { AccessSettings } from './settings/access-section';
export type { SettingsSection } from './settings/section';

export interface SettingsDocument {
  version: 1;
  headroom: HeadroomSettings;
  meter: MeterSettings;
  access: AccessSettings;
  wifi: Record<string, unknown>;
  /** HomeWizard v1 API options (outputs/homewizard-settings.ts). */
  homewizard: HomeWizardSettings;
  /** MQTT and Home Assistant discovery (outputs/mqtt-settings.ts). */
  mqtt: MqttSettings;
  /** Modbus meter emulation and charger pushes (outputs/outputs-settings.ts). */
  outputs: OutputsSettings;
}

/** Every section of the document, in the order they are read and reported. */
const SECTIONS: readonly SettingsSection<unknown>[] = [
  headroomSection as SettingsSection<unknown>,
  meterSection as SettingsSection<unknown>,
  accessSection as SettingsSection<unknown>,
  wifiSection as SettingsSection<unknown>,
  homeWizardSettingsSection as SettingsSection<unknown>,
  mqttSettingsSection as SettingsSection<unknown>,
  outputsSection as SettingsSection<unknown>,
];

export function defaultSettings(): SettingsDocument {
  const doc: Record<string, unknown> = { version: 1 };
  for (const section of SECTIONS) doc[section.name] = section.defaults();
  return doc as unknown as SettingsDocument;
}

export { cloneJson } from './util/clone';

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * How the stored document was read. Reported by GET /api/v1/settings/health, GET /api/v1/settings
 * (`storage`) and, while not 'ok', in the status snapshot (`settings`).
 */
export interface SettingsHealth {
  /** ok: read as stored (or nothing stored yet); repaired: readable, some fields replaced by defaults; unreadable: nothing could be read. */
  state: 'ok' | 'repaired' | 'unreadable';
  /** One sentence per field or fault, without secret values. */
  problems: string[];
  /** Things done that lose nothing (a byte order mark dropped, a newer firmware's section kept). */
  notes: string[];
  /** Where the original stored bytes were kept aside, when they were. */
  keptAs?: string;
  /**
   * The headroom settings in use are not the stored ones as written: the allowance is held safe
   * (unconfirmed-allowance.ts) until the owner checks them and confirms (POST /api/v1/settings/confirm).
   */
  confirmRequired: boolean;
  /** The stored fuse when one could be read; a fuse in use is never larger than this. */
  storedFuseA?: number;
  /**
   * The stored password hash (or whether there is one) could not be read: no login, no first
   * setup, no change until the owner repairs or removes the stored settings (settingsLock).
   */
  locked: boolean;
}

export interface StoredSettings {
  doc: SettingsDocument;
  health: SettingsHealth;
}

const BOM = '\uFEFF';

function unreadable(reason: string): StoredSettings {
  const doc = defaultSettings();
  // Whether the owner had closed read access cannot be told either: closed.
  doc.access.readOpen = false;
  return {
    doc,
    health: { state: 'unreadable', problems: [reason], notes: [], confirmRequired: true, locked: true },
  };
}

/**
 * Reads a stored document. `text` undefined: nothing was ever stored (a fresh box: defaults, no
 * password, nothing to confirm). `loadError`: the store holds something it could not hand over
 * (a directory at the path, a permission error, inconsistent flash records).
 */
export function readStoredSettings(text: string | undefined, loadError?: string): StoredSettings {
  if (loadError !== undefined) return unreadable('the stored settings cannot be loaded: ' + loadError);
  if (text === undefined) return { doc: defaultSettings(), health: { state: 'ok', problems: [], notes: [], confirmRequired: false, locked: false } };
  const notes: string[] = [];
  let body = text;
  if (body.charAt(0) === BOM) {
    body = body.slice(1);
    notes.push('a UTF-8 byte order mark at the start was dropped');
  }
  if (body.trim() === '') return unreadable(text.length === 0 ? 'the stored settings are empty (0 bytes)' : 'the stored settings hold only white space');
  if (body.indexOf('\u0000') >= 0) return unreadable('the stored settings contain NUL bytes (a damaged write)');
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    return unreadable('the stored settings are not valid JSON (' + (e instanceof Error ? e.message : String(e)) + '): truncated or edited by hand?');
  }
  if (!isPlainObject(raw))
    return unreadable(`the stored settings are ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : 'a ' + typeof raw}, not a settings object`);

  const doc: Record<string, unknown> = { version: 1 };
  const problems: string[] = [];
  if (raw.version !== undefined && raw.version !== 1)
    problems.push(`version is ${JSON.stringify(raw.version)}, this firmware reads version 1: read as version 1`);
  let headroomProblems = 0;
  for (const section of SECTIONS) {
    const read = section.readStored(raw[section.name]);
    doc[section.name] = read.value;
    problems.push(...read.problems);
    if (section === (headroomSection as SettingsSection<unknown>)) headroomProblems = read.problems.length;
  }
  // Sections of a newer firmware: kept as they are, so a downgrade and an upgrade lose nothing.
  for (const key of Object.keys(raw)) {
    if (key === 'version' || SECTIONS.some((s) => s.name === key)) continue;
    doc[key] = cloneJson(raw[key]);
    notes.push(`section "${key}" is not known to this firmware: kept as it is, not used`);
  }
  const fuseA = storedFuseA(raw.headroom);
  const health: SettingsHealth = {
    state: problems.length ? 'repaired' : 'ok',
    problems,
    notes,
    confirmRequired: headroomProblems > 0,
    locked: passwordUnreadable(raw.access),
  };
  if (fuseA !== undefined) health.storedFuseA = fuseA;
  return { doc: doc as unknown as SettingsDocument, health };
}

/**
 * Lock rule in one place: while the stored password cannot be read, this is the hash the access
 * control sees. It is not a hash any password matches, and it is not "no password", so nobody can
 * log in or claim the box through first setup until the owner repairs the stored settings.
 */
export const LOCKED_PASSWORD_HASH = 'locked$settings-unreadable';

export function effectivePasswordHash(doc: SettingsDocument, health: SettingsHealth): string | undefined {
  return health.locked ? LOCKED_PASSWORD_HASH : doc.access.passwordHash;
}

/**
 * Applies a PUT /api/v1/settings body (a partial document) to `current`. Returns the complete new
 * document or every reason it was refused. Each section applies its own part.
 */
export function applySettingsPatch(current: SettingsDocument, patch: Record<string, unknown>): Checked<SettingsDocument> {
  const errors: string[] = [];
  const next = cloneJson(current) as unknown as Record<string, unknown>;
  const now = current as unknown as Record<string, unknown>;
  for (const key of Object.keys(patch)) {
    if (key === 'version') {
      if (patch.version !== 1) errors.push('version must be 1');
      continue;
    }
    const section = SECTIONS.find((s) => s.name === key);
    if (!section) {
      errors.push(`unknown field "${key}"`);
      continue;
    }
    if (patch[key] === undefined) continue;
    const applied = section.applyPatch(cloneJson(now[key]), patch[key]);
    if (applied.ok) next[key] = applied.value;
    else errors.push(...applied.errors);
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: next as unknown as SettingsDocument };
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
