/**
 * The `outputs` section of the settings document: the SDM630 Modbus TCP meter emulation and the
 * direct pushes to chargers (docs/integrations.md, section B).
 *
 *   "outputs": {
 *     "modbusTcp": { "enabled": false, "port": 502, "unitId": 1 },
 *     "chargers": [
 *       { "type": "smartevse", "url": "http://192.168.1.20", "enabled": true },
 *       { "type": "openevse",  "url": "http://192.168.1.21", "enabled": true,
 *         "mode": "import" | "allowance", "maxPowerW": 11000, "phases": 3 },
 *       { "type": "goe",       "url": "http://192.168.1.22", "enabled": true, "phases": 3 }
 *     ]
 *   }
 *
 * Rules: at most MAX_CHARGERS chargers; plain http:// URLs without credentials (the page shows the
 * URL; the chargers' local APIs are plain HTTP); at most one enabled charger that follows the
 * allowance (go-e, or OpenEVSE in "allowance" mode): the engine works out one charger's allowance,
 * and two chargers following it would each take all of it.
 */
import { isPlainObject, unknownKeys } from '../http-util';
import type { SettingsSection } from '../settings/section';

export interface ModbusTcpSettings {
  enabled: boolean;
  /** TCP port; 502 is the Modbus standard (on a PC, ports below 1024 need privileges). */
  port: number;
  /** Modbus unit id the emulated meter answers to (also 0 and 255, the TCP "no unit" values). */
  unitId: number;
}

export type ChargerType = 'smartevse' | 'openevse' | 'goe';
export const CHARGER_TYPES: readonly ChargerType[] = ['smartevse', 'openevse', 'goe'];

export interface ChargerSettings {
  type: ChargerType;
  /** Base URL of the charger's local HTTP API, e.g. "http://192.168.1.20" (no trailing slash). */
  url: string;
  enabled: boolean;
  /** openevse: "import" sends the house import power; "allowance" sends the power that makes
   *  OpenEVSE's shaper formula give the box's allowance (needs maxPowerW). */
  mode?: 'import' | 'allowance';
  /** openevse: the shaper's max_pwr as configured on the OpenEVSE, W. */
  maxPowerW?: number;
  /** openevse and goe: phases the charger charges on (OpenEVSE's "three phase" setting), 1 or 3. */
  phases?: 1 | 3;
}

export interface OutputsSettings {
  modbusTcp: ModbusTcpSettings;
  chargers: ChargerSettings[];
}

export const MAX_CHARGERS = 4;
const MODBUS_FIELDS = ['enabled', 'port', 'unitId'];
const CHARGER_FIELDS = ['type', 'url', 'enabled', 'mode', 'maxPowerW', 'phases'];

export function defaultOutputsSettings(): OutputsSettings {
  return { modbusTcp: { enabled: false, port: 502, unitId: 1 }, chargers: [] };
}

/** True when the charger takes the engine's allowance (so its own current is fed back to the engine). */
export function followsAllowance(charger: ChargerSettings): boolean {
  return charger.type === 'goe' || (charger.type === 'openevse' && charger.mode === 'allowance');
}

function isInteger(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** The URL as stored (trailing slashes dropped), or the reason it cannot be used. */
export function checkChargerUrl(value: unknown): { ok: true; url: string } | { ok: false; error: string } {
  if (typeof value !== 'string' || value.length === 0) return { ok: false, error: 'url must be text like "http://192.168.1.20"' };
  if (value.length > 200) return { ok: false, error: 'url is longer than 200 characters' };
  const m = /^http:\/\/([^/?#@\s]+)(\/[^?#\s]*)?$/.exec(value);
  if (!m) {
    if (/^https:/i.test(value)) return { ok: false, error: "url must be plain http:// (the chargers' local APIs do not use TLS)" };
    if (/^http:\/\/[^/]*@/.test(value)) return { ok: false, error: 'url must not contain a user name or password (it is shown on the settings page)' };
    return { ok: false, error: `url must look like "http://192.168.1.20" or "http://charger.local:8080/path" (no query), got "${value}"` };
  }
  const hostPort = m[1] as string;
  const colon = hostPort.lastIndexOf(':');
  if (colon > 0 && hostPort.indexOf(']') < colon) {
    const port = Number(hostPort.slice(colon + 1));
    if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, error: 'url port must be 1 to 65535' };
  }
  let path = m[2] ?? '';
  while (path.length > 0 && path[path.length - 1] === '/') path = path.slice(0, -1);
  return { ok: true, url: 'http://' + hostPort + path };
}

/** One charger entry: the complete checked entry, or every reason (prefixed with `where`). */
export function checkCharger(raw: unknown, where: string): { ok: true; value: ChargerSettings } | { ok: false; errors: string[] } {
  if (!isPlainObject(raw)) return { ok: false, errors: [`${where} must be an object {type, url, ...}`] };
  const errors: string[] = [];
  for (const key of unknownKeys(raw, CHARGER_FIELDS)) errors.push(`unknown field "${where}.${key}"`);
  const type = raw.type;
  if (CHARGER_TYPES.indexOf(type as ChargerType) < 0) errors.push(`${where}.type must be one of ${CHARGER_TYPES.join(', ')}`);
  const url = checkChargerUrl(raw.url);
  if (!url.ok) errors.push(`${where}.${url.error}`);
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') errors.push(`${where}.enabled must be true or false`);
  const value: ChargerSettings = { type: type as ChargerType, url: url.ok ? url.url : '', enabled: raw.enabled !== false };
  if (type === 'smartevse') {
    for (const key of ['mode', 'maxPowerW', 'phases'])
      if (raw[key] !== undefined) errors.push(`${where}.${key} is not used by smartevse (it gets the line currents)`);
  }
  if (type === 'goe' && raw.mode !== undefined) errors.push(`${where}.mode is only for openevse`);
  if (type === 'goe' && raw.maxPowerW !== undefined) errors.push(`${where}.maxPowerW is only for openevse`);
  if (type === 'openevse' || type === 'goe') {
    if (raw.phases !== undefined && raw.phases !== 1 && raw.phases !== 3) errors.push(`${where}.phases must be 1 or 3`);
    else value.phases = raw.phases === 1 ? 1 : 3;
  }
  if (type === 'openevse') {
    if (raw.mode !== undefined && raw.mode !== 'import' && raw.mode !== 'allowance') errors.push(`${where}.mode must be "import" or "allowance"`);
    else value.mode = raw.mode === 'allowance' ? 'allowance' : 'import';
    if (raw.maxPowerW !== undefined) {
      if (!isInteger(raw.maxPowerW, 500, 200000)) errors.push(`${where}.maxPowerW must be whole watts from 500 to 200000 (OpenEVSE's shaper max_pwr)`);
      else value.maxPowerW = raw.maxPowerW;
    } else if (value.mode === 'allowance') {
      errors.push(`${where}.maxPowerW is needed in "allowance" mode: the shaper's max_pwr as set on the OpenEVSE, W`);
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, value };
}

function checkModbus(raw: Record<string, unknown>, current: ModbusTcpSettings, errors: string[]): ModbusTcpSettings {
  const next: ModbusTcpSettings = { ...current };
  for (const key of unknownKeys(raw, MODBUS_FIELDS)) errors.push(`unknown field "outputs.modbusTcp.${key}"`);
  if (raw.enabled !== undefined) {
    if (typeof raw.enabled !== 'boolean') errors.push('outputs.modbusTcp.enabled must be true or false');
    else next.enabled = raw.enabled;
  }
  if (raw.port !== undefined) {
    if (!isInteger(raw.port, 1, 65535)) errors.push('outputs.modbusTcp.port must be a whole number from 1 to 65535 (502 is the Modbus standard)');
    else next.port = raw.port;
  }
  if (raw.unitId !== undefined) {
    if (!isInteger(raw.unitId, 1, 247)) errors.push('outputs.modbusTcp.unitId must be a whole number from 1 to 247 (chargers expect 1 unless told otherwise)');
    else next.unitId = raw.unitId;
  }
  return next;
}

function checkChargerList(raw: unknown, errors: string[]): ChargerSettings[] {
  if (!Array.isArray(raw)) {
    errors.push('outputs.chargers must be a list of {type, url, ...}');
    return [];
  }
  if (raw.length > MAX_CHARGERS) errors.push(`outputs.chargers holds at most ${MAX_CHARGERS} chargers`);
  const list: ChargerSettings[] = [];
  for (let i = 0; i < raw.length && i < MAX_CHARGERS; i++) {
    const c = checkCharger(raw[i], `outputs.chargers[${i}]`);
    if (c.ok) list.push(c.value);
    else errors.push(...c.errors);
  }
  return list;
}

function checkOneFollower(chargers: ChargerSettings[], errors: string[]): void {
  const followers = chargers.filter((c) => c.enabled && followsAllowance(c));
  if (followers.length > 1) {
    errors.push(
      'outputs.chargers: only one enabled charger may follow the allowance (go-e, or OpenEVSE in "allowance" mode): the box works out one charger\'s allowance',
    );
  }
}

export const outputsSection: SettingsSection<OutputsSettings> = {
  name: 'outputs',
  defaults: defaultOutputsSettings,
  readStored(raw) {
    const value = defaultOutputsSettings();
    const problems: string[] = [];
    if (!isPlainObject(raw)) {
      if (raw !== undefined) problems.push('outputs is not an object; outputs off');
      return { value, problems };
    }
    if (raw.modbusTcp !== undefined) {
      if (!isPlainObject(raw.modbusTcp)) problems.push('outputs.modbusTcp is not an object; Modbus off');
      else {
        // Field by field: a bad port keeps the default port, not the whole section's defaults.
        for (const key of MODBUS_FIELDS) {
          if (raw.modbusTcp[key] === undefined) continue;
          const errors: string[] = [];
          const next = checkModbus({ [key]: raw.modbusTcp[key] }, value.modbusTcp, errors);
          if (errors.length) problems.push(...errors.map((e) => e + '; using the default'));
          else value.modbusTcp = next;
        }
      }
    }
    if (raw.chargers !== undefined) {
      if (!Array.isArray(raw.chargers)) problems.push('outputs.chargers is not a list; no chargers');
      else {
        for (let i = 0; i < raw.chargers.length; i++) {
          const c =
            i < MAX_CHARGERS
              ? checkCharger(raw.chargers[i], `outputs.chargers[${i}]`)
              : { ok: false as const, errors: [`outputs.chargers[${i}]: more than ${MAX_CHARGERS} chargers`] };
          if (c.ok) value.chargers.push(c.value);
          else problems.push(c.errors.join('; ') + ' (charger left out)');
        }
        const errors: string[] = [];
        checkOneFollower(value.chargers, errors);
        if (errors.length) {
          // Keep the first follower; switch the others off (kept, so nothing the user typed is lost).
          let seen = false;
          for (const c of value.chargers) {
            if (!c.enabled || !followsAllowance(c)) continue;
            if (seen) c.enabled = false;
            seen = true;
          }
          problems.push(errors[0] + '; all but the first are switched off');
        }
      }
    }
    return { value, problems };
  },
  applyPatch(current, patch) {
    const errors: string[] = [];
    if (!isPlainObject(patch)) return { ok: false, errors: ['outputs must be an object {modbusTcp?, chargers?}'] };
    for (const key of unknownKeys(patch, ['modbusTcp', 'chargers'])) errors.push(`unknown field "outputs.${key}"`);
    const next: OutputsSettings = { modbusTcp: { ...current.modbusTcp }, chargers: current.chargers.map((c) => ({ ...c })) };
    if (patch.modbusTcp !== undefined) {
      if (!isPlainObject(patch.modbusTcp)) errors.push('outputs.modbusTcp must be an object {enabled?, port?, unitId?}');
      else next.modbusTcp = checkModbus(patch.modbusTcp, current.modbusTcp, errors);
    }
    // The list is replaced as a whole (the page sends all of it).
    if (patch.chargers !== undefined) next.chargers = checkChargerList(patch.chargers, errors);
    checkOneFollower(next.chargers, errors);
    return errors.length ? { ok: false, errors } : { ok: true, value: next };
  },
};
