/**
 * Small helpers the list shapes share: reading A-XDR values as numbers and text, applying a
 * COSEM scaler, filling a reading through the one OBIS table, and the final clean-up every
 * HAN reading gets (absent, never 0, where the grid says a value cannot exist).
 */
import type { MeterReading, PhaseReading } from '../../reading';
import { dlmsUnitName, lookupObis, lookupObisParts, setObisField, unitScale, type ObisEntry } from '../../obis/obis-table';
import { bytesToText, printableOrUndefined, type AxdrValue } from '../axdr';
import { cosemDateTimeIso, decodeCosemDateTime } from '../cosem-datetime';
import { FLAT_NUMBER, FLAT_OCTETS, FLAT_TEXT, type FlatList } from '../flat-list';

export function num(v: AxdrValue | undefined): number | undefined {
  return v && v.kind === 'number' ? v.value : undefined;
}

/** Text of a visible-string, or of a printable octet-string. */
export function text(v: AxdrValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'text') return v.text;
  if (v.kind === 'octets') return printableOrUndefined(v.bytes);
  return undefined;
}

/** text() of item i of a flat list (same rules: a visible-string, or a printable octet-string). */
export function flatText(l: FlatList, i: number): string | undefined {
  if (i < 0 || i >= l.count) return undefined;
  const kind = l.kind[i];
  if (kind !== FLAT_TEXT && kind !== FLAT_OCTETS) return undefined;
  const bytes = l.bytes.subarray(l.at[i], l.at[i] + l.len[i]);
  if (kind === FLAT_TEXT) return bytesToText(bytes);
  return printableOrUndefined(bytes);
}

/** flatText of item 0 (the list id each flat shape's detect asks for), made once per read(). */
export function flatListId(l: FlatList): string | undefined {
  if (!l.text0Done) {
    l.text0 = flatText(l, 0);
    l.text0Done = true;
  }
  return l.text0;
}

export function isLogicalName(v: AxdrValue | undefined): v is { kind: 'octets'; bytes: Uint8Array } {
  return v !== undefined && v.kind === 'octets' && v.bytes.length === 6;
}

export function sameName(v: AxdrValue | undefined, a: number, b: number, c: number, d: number, e: number): boolean {
  if (!isLogicalName(v)) return false;
  const n = v.bytes;
  return n[0] === a && n[1] === b && n[2] === c && n[3] === d && n[4] === e;
}

/** Math.pow(10, i) for i = 0..128 (scalers are int8), the same numbers scale() computes; never written. */
const POW10: readonly number[] = (() => {
  const t: number[] = [];
  for (let i = 0; i <= 128; i++) t.push(Math.pow(10, i));
  return t;
})();

/** raw * 10^scaler without binary noise for negative scalers (2307 * 10^-1 -> 230.7, not 230.70000000000002). */
export function scale(raw: number, scaler: number): number {
  if (scaler === 0) return raw;
  return scaler < 0 ? raw / Math.pow(10, -scaler) : raw * Math.pow(10, scaler);
}

/** A COSEM scaler_unit structure { integer scaler, enum unit }, or undefined. */
export function scalerUnit(v: AxdrValue | undefined): { scaler: number; unit: number } | undefined {
  if (!v || v.kind !== 'structure' || v.items.length !== 2) return undefined;
  const s = v.items[0];
  const u = v.items[1];
  if (s.kind !== 'number' || u.kind !== 'number') return undefined;
  return { scaler: s.value, unit: u.value };
}

export type ReadingDraft = Record<string, unknown> & { protocol: 'dlms' };

export function newDraft(): ReadingDraft {
  return { protocol: 'dlms' };
}

/** Instantaneous voltage or current of a phase (1-x:31/32/51/52/71/72.7.x). */
export function isVoltageOrCurrent(name: Uint8Array): boolean {
  const c = name[2];
  return name[0] === 1 && name[3] === 7 && (c === 31 || c === 32 || c === 51 || c === 52 || c === 71 || c === 72);
}

/**
 * Put one OBIS-named value into the draft. Numbers get scaler and unit applied (a unit that does
 * not fit the field drops the value instead of guessing). A voltage or current with neither a
 * scaler_unit nor a known implicit scale is dropped: meters send them in V, 0.1 V, A, 0.01 A or
 * mA, and a current off by 100 is worse than none for the headroom. Returns false for names we
 * do not map.
 */
export function applyObisValue(
  draft: ReadingDraft,
  name: Uint8Array,
  value: AxdrValue,
  su?: { scaler: number; unit: number },
  implicitScaler?: number,
): boolean {
  // Clock objects (0-0:1.0.0, Kamstrup's 0-1:1.0.0) carry a 12-byte COSEM date-time.
  if (name[0] === 0 && name[2] === 1 && name[3] === 0 && name[4] === 0) {
    if (value.kind === 'octets' && value.bytes.length === 12) {
      const dt = decodeCosemDateTime(value.bytes);
      if (dt) draft.meterTime = dt.iso;
      return true;
    }
    return false;
  }
  const entry = lookupObis(name);
  if (!entry) return false;
  if (entry.shape === 'number') {
    if (value.kind !== 'number') return false;
    if (!su && implicitScaler === undefined && isVoltageOrCurrent(name)) return false;
    let factor = 1;
    if (su) {
      const unitName = dlmsUnitName(su.unit);
      // Unit 255 = "count/unitless": accept as the field's own unit.
      const f = unitName === undefined ? (su.unit === 255 ? 1 : undefined) : unitScale(unitName, entry.unit);
      if (f === undefined) return false;
      factor = f;
    }
    const scaler = su ? su.scaler : implicitScaler ?? 0;
    setObisField(draft, entry.field, scale(value.value, scaler) * factor);
    return true;
  }
  if (entry.shape === 'text' || entry.shape === 'hex-text') {
    const t = text(value);
    if (t === undefined) return false;
    setObisField(draft, entry.field, t);
    return true;
  }
  return false;
}

/**
 * applyObisValue for a value held in item `vi` of a flat list (the logical name's 6 bytes at
 * l.bytes[nameAt]): the same rules, the same fields, the same numbers, without value objects.
 */
export function applyObisFlat(
  draft: ReadingDraft,
  l: FlatList,
  nameAt: number,
  vi: number,
  su?: { scaler: number; unit: number },
  implicitScaler?: number,
): boolean {
  return su ? applyObisFlatWith(draft, l, nameAt, vi, true, su.scaler, su.unit) : applyObisFlatWith(draft, l, nameAt, vi, false, implicitScaler, 0);
}

/**
 * applyObisFlat with the scaler_unit as plain numbers (no object per value, for the hot loops):
 * withUnit true = a scaler_unit { scaler, unit }; false = none, `scaler` is then the implicit
 * scaler or undefined.
 */
export function applyObisFlatWith(
  draft: ReadingDraft,
  l: FlatList,
  nameAt: number,
  vi: number,
  withUnit: boolean,
  scalerIn: number | undefined,
  unit: number,
): boolean {
  const b = l.bytes;
  const a0 = b[nameAt];
  const c = b[nameAt + 2];
  const d = b[nameAt + 3];
  const e = b[nameAt + 4];
  const kind = l.kind[vi];
  if (a0 === 0 && c === 1 && d === 0 && e === 0) {
    if (kind === FLAT_OCTETS && l.len[vi] === 12) {
      const iso = cosemDateTimeIso(b, l.at[vi]);
      if (iso !== undefined) draft.meterTime = iso;
      return true;
    }
    return false;
  }
  // lookupObisParts through the list's memo, keyed by the name's A-E bytes as one number: a
  // meter repeats the same names every frame (~100 XS computrons a look-up, ~10 a Map.get).
  const key = (((a0 * 256 + b[nameAt + 1]) * 256 + c) * 256 + d) * 256 + e;
  const memo = l.obisEntries;
  let known = memo.get(key);
  if (known === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear(); // (noise must not grow it without bound)
    known = lookupObisParts(a0, b[nameAt + 1], c, d, e) ?? null;
    memo.set(key, known);
  }
  if (known === null) return false;
  const entry: ObisEntry = known;
  if (entry.shape === 'number') {
    if (kind !== FLAT_NUMBER) return false;
    if (!withUnit && scalerIn === undefined && a0 === 1 && d === 7 && (c === 31 || c === 32 || c === 51 || c === 52 || c === 71 || c === 72)) return false;
    let factor = 1;
    if (withUnit) {
      // (as applyObisValue; remembered per unit and field unit, the look-ups cost ~150 under XS)
      const key = unit + entry.unit;
      let f = l.unitFactors[key];
      if (f === undefined) {
        const unitName = dlmsUnitName(unit);
        const g = unitName === undefined ? (unit === 255 ? 1 : undefined) : unitScale(unitName, entry.unit);
        f = g === undefined ? -1 : g;
        l.unitFactors[key] = f;
      }
      if (f < 0) return false;
      factor = f;
    }
    const scaler = scalerIn ?? 0;
    // scale() and setObisField() written out (two calls less per value): the same arithmetic
    // (10^n from the same Math.pow) and the same holder objects.
    const raw = l.value[vi];
    const pw = POW10[scaler < 0 ? -scaler : scaler]; // undefined for a non-integer or huge scaler
    const v = (scaler === 0 ? raw : pw === undefined ? scale(raw, scaler) : scaler < 0 ? raw / pw : raw * pw) * factor;
    const path = entry.field;
    if (path.length === 1) draft[path[0]] = v;
    else {
      const sub = path[1];
      let holder = draft[path[0]] as Record<string | number, unknown> | undefined;
      if (holder === undefined) {
        holder = (typeof sub === 'number' ? [] : {}) as Record<string | number, unknown>;
        draft[path[0]] = holder;
      }
      holder[sub] = v;
    }
    return true;
  }
  if (entry.shape === 'text' || entry.shape === 'hex-text') {
    const t = flatText(l, vi);
    if (t === undefined) return false;
    setObisField(draft, entry.field, t);
    return true;
  }
  return false;
}

/**
 * True when no key of the phase object holds a value. Current or voltage present answers at once
 * (the common case); only otherwise the for-in walk (an iterator under XS, ~100 computrons).
 */
/** Entries a flat list's OBIS memo holds before it starts afresh. */
const MEMO_LIMIT = 256;

function phaseEmpty(p: PhaseReading): boolean {
  if (p.currentA !== undefined || p.voltageV !== undefined) return false;
  for (const k in p) if ((p as Record<string, unknown>)[k] !== undefined) return false;
  return true;
}

/**
 * Final rules for every HAN reading:
 * - notification time becomes meterTime when the list itself carried no clock;
 * - L2 voltage 0 while L1 and L3 have voltage: an IT-grid meter measuring line voltages against
 *   L2 (Kaifa MA304H3E in Norway) - absent, and the meter sits on a 3-wire grid; an L2 current
 *   of exactly 0 from such a meter is absent too (Landis+Gyr E350 in Norway sends IL2 = 0);
 * - a 3-phase list with L1 and L3 currents but no L2 current: IT-grid meter with two current
 *   transformers (Aidon 6534, Landis+Gyr in Norway) - L2 stays absent (never 0), 3-wire;
 * - all three phase voltages between 100 and 160 V: the meter measures against an artificial
 *   star point of a 3x230 V grid without neutral (230 / sqrt 3 = 133 V; Kaifa MA304T4 in
 *   Norway reports ~137 V) - 3-wire. A 230/400 V TN grid never shows that on all phases;
 * - empty phase objects removed; phaseCount from what the list carries; frameKind 'short' for a
 *   list with only total power (Norwegian list 1), 'full' otherwise.
 */
export function finishReading(draft: ReadingDraft, notificationTime?: string): MeterReading {
  const r = draft as unknown as MeterReading;
  if (notificationTime !== undefined && r.meterTime === undefined) r.meterTime = notificationTime;
  const l1 = r.l1;
  const l2 = r.l2;
  const l3 = r.l3;
  // (each rule reads the phases only when they exist: optional chains and deletes of absent
  // keys are what this function spent most of its time on under XS)
  if (l2 !== undefined && l2.voltageV === 0 && l1 !== undefined && l1.voltageV && l3 !== undefined && l3.voltageV) {
    delete l2.voltageV;
    r.threeWire = true;
    // Such a meter has no L2 current transformer: Landis+Gyr E350 (Norway IT) sends IL2 = 0 next
    // to 31.8 A and 34.3 A. A 0 there is "not measured" (Kaifa sends a computed, non-zero I2).
    if (l2.currentA === 0) delete l2.currentA;
  }
  if (l1 !== undefined && l2 !== undefined && l3 !== undefined) {
    const v1 = l1.voltageV;
    const v2 = l2.voltageV;
    const v3 = l3.voltageV;
    if (v1 !== undefined && v2 !== undefined && v3 !== undefined && v1 > 100 && v1 < 160 && v2 > 100 && v2 < 160 && v3 > 100 && v3 < 160) {
      r.threeWire = true;
    }
  }
  if (l3 !== undefined && (l3.voltageV !== undefined || l3.currentA !== undefined)) {
    // a 3-phase list
    if (l1 !== undefined && l1.currentA !== undefined && l3.currentA !== undefined && (l2 === undefined || l2.currentA === undefined)) {
      r.threeWire = true;
    }
  }
  // (a key present with the value undefined is removed too, as before)
  if (l1 === undefined ? 'l1' in r : phaseEmpty(l1)) delete r.l1;
  if (l2 === undefined ? 'l2' in r : phaseEmpty(l2)) delete r.l2;
  if (l3 === undefined ? 'l3' in r : phaseEmpty(l3)) delete r.l3;
  if (r.phaseCount === undefined) {
    if (r.l2 || r.l3) r.phaseCount = 3;
    else if (r.l1) r.phaseCount = 1;
  }
  if (r.frameKind === undefined) {
    const onlyPower =
      !r.l1 && !r.l2 && !r.l3 && r.energyImportWh === undefined && r.meterId === undefined && r.listId === undefined;
    r.frameKind = onlyPower ? 'short' : 'full';
  }
  return r;
}
