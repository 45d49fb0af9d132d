/**
 * "OBIS interleaved": the body is one flat structure in which logical names are followed by
 * their value and, when the meter gives one, a scaler_unit structure:
 *
 *   { [list id | date-time], name(6), value, [scaler_unit], name(6), value, [scaler_unit], ..., [meter number] }
 *
 * - Kamstrup (Norway, Sweden, Denmark: list id "Kamstrup_V0001"): no scaler_unit at all. Scaling
 *   is implicit, from Kamstrup's HAN description: current 0.01 A, voltage 1 V, power W/var,
 *   energy 0.01 kWh (= 10 Wh). The Swedish/Danish ("not Norwegian") frames in the vectors follow
 *   the same scaling (9.96 A / 231 V / 2531 W are plausible only so).
 * - Austrian Kaifa (M-Bus, after decryption): scaler_unit after each value.
 * Kamstrup 1-phase lists simply omit L2/L3 names; nothing is filled for them.
 */
import type { AxdrValue } from '../axdr';
import type { DataNotification } from '../apdu';
import type { ListShape } from './list-shape';
import type { MeterReading } from '../../reading';
import { FLAT_SCALER_UNIT, type FlatList } from '../flat-list';
import { applyObisFlatWith, applyObisValue, finishReading, flatListId, flatText, isLogicalName, newDraft, scalerUnit, text } from './values';

function flat(n: DataNotification): AxdrValue[] | undefined {
  return n.body.kind === 'structure' ? n.body.items : undefined;
}

function countNames(items: AxdrValue[]): number {
  let names = 0;
  for (let i = 0; i + 1 < items.length; i++) if (isLogicalName(items[i]) && !isLogicalName(items[i + 1])) names++;
  return names;
}

/** Kamstrup implicit scalers by OBIS C (quantity) and D (processing). */
function kamstrupScaler(c: number, d: number): number {
  if (c === 31 || c === 51 || c === 71) return -2; // current, 0.01 A
  if (d === 8 && c >= 1 && c <= 4) return 1; // energy, 0.01 kWh = 10 Wh
  return 0; // voltage V, power W / var
}

function mapInterleaved(n: DataNotification, kamstrup: boolean) {
  const items = flat(n) ?? [];
  const draft = newDraft();
  let mapped = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (!isLogicalName(it) || i + 1 >= items.length || isLogicalName(items[i + 1])) continue;
    const name = it.bytes;
    const value = items[i + 1];
    const su = scalerUnit(items[i + 2]);
    const implicit = kamstrup ? kamstrupScaler(name[2], name[3]) : undefined;
    if (applyObisValue(draft, name, value, kamstrup ? undefined : su, implicit)) mapped++;
    i += su && !kamstrup ? 2 : 1;
  }
  if (!kamstrup && draft.meterId === undefined) {
    // Austrian Kaifa: the meter number is the last, untagged printable octet-string.
    const last = text(items[items.length - 1]);
    if (last !== undefined && !isLogicalName(items[items.length - 2])) draft.meterId = last;
  }
  if (mapped === 0) return 'no known OBIS codes in the list';
  return finishReading(draft, n.time?.iso);
}

export const kamstrupList: ListShape = {
  name: 'kamstrup',
  meters: 'Kamstrup 6841/6851/6861 (NO, SE, DK), list id Kamstrup_V0001',
  detect(n) {
    const items = flat(n);
    if (!items || items.length < 3) return false;
    const id = text(items[0]);
    return id !== undefined && id.indexOf('Kamstrup') === 0 && countNames(items) > 0;
  },
  map(n) {
    const items = flat(n) ?? [];
    const r = mapInterleaved(n, true);
    if (typeof r !== 'string') {
      r.listId = text(items[0]);
      r.manufacturer = 'Kamstrup';
    }
    return r;
  },
  flat: {
    detect(l) {
      if (l.listTag !== 0x02 || l.count < 3) return false;
      const id = flatListId(l);
      return id !== undefined && id.indexOf('Kamstrup') === 0 && hasFlatNames(l, 1);
    },
    map: mapKamstrupFlat,
  },
};

/**
 * Kamstrup's list read as a flat list: mapInterleaved(n, true) item for item (a flat list holds
 * no scaler_unit structures, and Kamstrup's are implicit anyway).
 */
function mapKamstrupFlat(l: FlatList, timeIso: string | undefined): MeterReading | string {
  const b = l.bytes;
  const draft = newDraft();
  let mapped = 0;
  const tag = l.tag;
  const len = l.len;
  const count = l.count;
  for (let i = 0; i + 1 < count; i++) {
    // a logical name (6-byte octet-string) followed by a value that is not one
    if (tag[i] !== 0x09 || len[i] !== 6 || (tag[i + 1] === 0x09 && len[i + 1] === 6)) continue;
    const nameAt = l.at[i];
    // kamstrupScaler written out (a call per value less)
    const c = b[nameAt + 2];
    const d = b[nameAt + 3];
    const scaler = c === 31 || c === 51 || c === 71 ? -2 : d === 8 && c >= 1 && c <= 4 ? 1 : 0;
    if (applyObisFlatWith(draft, l, nameAt, i + 1, false, scaler, 0)) mapped++;
    i += 1;
  }
  if (mapped === 0) return 'no known OBIS codes in the list';
  const r = finishReading(draft, timeIso);
  r.listId = flatListId(l);
  r.manufacturer = 'Kamstrup';
  return r;
}

/**
 * countNames(items) >= wanted for a flat list: a logical name (6-byte octet-string) followed by
 * something else, counted until `wanted` are found (a Kamstrup list has ~20: the detect needs one).
 */
function hasFlatNames(l: FlatList, wanted: number): boolean {
  const tag = l.tag;
  const len = l.len;
  let names = 0;
  let prevName = false;
  for (let i = 0; i < l.count; i++) {
    const name = tag[i] === 0x09 && len[i] === 6;
    if (prevName && !name && ++names >= wanted) return true;
    prevName = name;
  }
  return false;
}

export const obisInterleaved: ListShape = {
  name: 'obis-interleaved',
  meters: 'Austrian Kaifa over M-Bus (KFM system title), other flat name/value lists',
  detect(n) {
    const items = flat(n);
    return items !== undefined && countNames(items) >= 2;
  },
  map(n) {
    return mapInterleaved(n, false);
  },
  flat: {
    detect(l) {
      // (it counts names, so it cannot reach 2 with fewer than 2 in the list)
      return l.listTag === 0x02 && l.names >= 2 && hasFlatNames(l, 2);
    },
    map: mapInterleavedFlat,
  },
};

/**
 * mapInterleaved(n, false) for a flat list, item for item: a scaler_unit after a value (the one
 * structure a flat list holds, FLAT_SCALER_UNIT) goes with it, as scalerUnit() reads it.
 */
function mapInterleavedFlat(l: FlatList, timeIso: string | undefined): MeterReading | string {
  const draft = newDraft();
  let mapped = 0;
  const tag = l.tag;
  const len = l.len;
  const kind = l.kind;
  const count = l.count;
  for (let i = 0; i + 1 < count; i++) {
    if (tag[i] !== 0x09 || len[i] !== 6 || (tag[i + 1] === 0x09 && len[i + 1] === 6)) continue;
    const withUnit = i + 2 < count && kind[i + 2] === FLAT_SCALER_UNIT;
    const applied = withUnit
      ? applyObisFlatWith(draft, l, l.at[i], i + 1, true, l.value[i + 2], l.unit[i + 2])
      : applyObisFlatWith(draft, l, l.at[i], i + 1, false, undefined, 0);
    if (applied) mapped++;
    i += withUnit ? 2 : 1;
  }
  if (draft.meterId === undefined) {
    // Austrian Kaifa: the meter number is the last, untagged printable octet-string.
    const last = flatText(l, count - 1);
    if (last !== undefined && !l.isName(count - 2)) draft.meterId = last;
  }
  if (mapped === 0) return 'no known OBIS codes in the list';
  return finishReading(draft, timeIso);
}
