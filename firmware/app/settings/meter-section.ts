/**
 * The `meter` section: the meter's AES-128 keys (32 hex digits each) and the serial line (fixed
 * settings or "auto"). Patch keys: a value sets, null (or '' for a key) clears, absent keeps.
 * Stored keys are read one by one: a damaged line setting costs the line setting, not the keys.
 */
import type { LineSettings } from '../ports';
import { hexToBytes } from '../util/bytes';
import { cloneJson } from '../util/clone';
import { describeType, isRecord } from './section';
import type { SettingsSection } from './section';

export interface MeterSettings {
  /** AES-128 key, 32 hex digits. */
  encryptionKey?: string;
  authenticationKey?: string;
  /** Serial line: fixed settings, or "auto" to run the detection plan. */
  line?: 'auto' | LineSettings;
}

const FIELDS = ['encryptionKey', 'authenticationKey', 'line'];
const LINE_FIELDS = ['baud', 'dataBits', 'parity', 'stopBits', 'inverted'];
const BAUD_RATES = [300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

/** One field of the section checked alone: the new value (undefined = cleared) or the reasons. */
function checkField(name: string, value: unknown): { ok: true; value: unknown } | { ok: false; errors: string[] } {
  if (name === 'encryptionKey' || name === 'authenticationKey') {
    if (value === null || value === '') return { ok: true, value: undefined };
    if (typeof value !== 'string' || value.length !== 32 || !hexToBytes(value))
      return { ok: false, errors: [`meter.${name} must be 32 hex digits (16 bytes), or null to clear it`] };
    return { ok: true, value: value.toLowerCase() };
  }
  // line
  if (value === null) return { ok: true, value: undefined };
  if (value === 'auto') return { ok: true, value: 'auto' };
  if (!isRecord(value)) return { ok: false, errors: ['meter.line must be "auto" or {baud, dataBits, parity, stopBits}'] };
  const errors: string[] = [];
  for (const key of Object.keys(value)) if (LINE_FIELDS.indexOf(key) < 0) errors.push(`unknown field "meter.line.${key}"`);
  if (BAUD_RATES.indexOf(value.baud as number) < 0) errors.push('meter.line.baud must be one of ' + BAUD_RATES.join(', '));
  if (value.dataBits !== 7 && value.dataBits !== 8) errors.push('meter.line.dataBits must be 7 or 8');
  if (value.parity !== 'none' && value.parity !== 'even' && value.parity !== 'odd') errors.push('meter.line.parity must be none, even or odd');
  if (value.stopBits !== 1 && value.stopBits !== 2) errors.push('meter.line.stopBits must be 1 or 2');
  if (value.inverted !== undefined && typeof value.inverted !== 'boolean') errors.push('meter.line.inverted must be true or false');
  if (errors.length) return { ok: false, errors };
  const line: LineSettings = {
    baud: value.baud as number,
    dataBits: value.dataBits as 7 | 8,
    parity: value.parity as LineSettings['parity'],
    stopBits: value.stopBits as 1 | 2,
  };
  if (value.inverted !== undefined) line.inverted = value.inverted as boolean;
  return { ok: true, value: line };
}

function setField(target: MeterSettings, name: string, value: unknown): void {
  const record = target as Record<string, unknown>;
  if (value === undefined) delete record[name];
  else record[name] = value;
}

export const meterSection: SettingsSection<MeterSettings> = {
  name: 'meter',
  defaults: () => ({}),
  readStored(raw) {
    if (raw === undefined) return { value: {}, problems: [] };
    if (!isRecord(raw)) return { value: {}, problems: [`meter is ${describeType(raw)}, not an object: no meter keys, line from the defaults`] };
    const value: MeterSettings = {};
    const problems: string[] = [];
    for (const name of Object.keys(raw)) {
      if (FIELDS.indexOf(name) < 0) {
        problems.push(`unknown field "meter.${name}" left out`);
        continue;
      }
      const checked = checkField(name, raw[name]);
      if (checked.ok) setField(value, name, checked.value);
      else problems.push(checked.errors.join('; ') + ': the stored value could not be used');
    }
    return { value, problems };
  },
  applyPatch(current, patch) {
    if (!isRecord(patch)) return { ok: false, errors: ['meter must be an object'] };
    const next = cloneJson(current);
    const errors: string[] = [];
    for (const name of Object.keys(patch)) {
      if (FIELDS.indexOf(name) < 0) {
        errors.push(`unknown field "meter.${name}"`);
        continue;
      }
      if (patch[name] === undefined) continue;
      const checked = checkField(name, patch[name]);
      if (checked.ok) setField(next, name, checked.value);
      else errors.push(...checked.errors);
    }
    return errors.length ? { ok: false, errors } : { ok: true, value: next };
  },
};
