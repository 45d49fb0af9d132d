/**
 * Values that carry their OBIS name (tagged structures, interleaved names, described lists: the
 * reader names them, push-list.ts) mapped through the one OBIS table. The one mapping every named
 * list shape uses (obis-named.ts, kamstrup.ts); the units of a make come in as `whose`.
 *
 * - A number with a scaler_unit: scaled, and its unit converted to the field's (kWh -> Wh); a
 *   unit that does not fit the field drops the value instead of guessing.
 * - A per-phase voltage or current without one: set aside for phase-units.ts (documented unit
 *   of the make, or physics, or absent).
 * - Any other number without one: in the field's base unit (W, Wh, var, varh), which the real
 *   captures confirm (E450 1-1:1.8.0 = 19 809 717 Wh; Kamstrup energy 0.01 kWh is documented).
 * - The clock (0-0:1.0.0, Kamstrup's 0-1:1.0.0): a 12-byte COSEM date-time.
 * - The COSEM logical device name (0-0:42.0.0, "LGZ1030769231250") is the meter id when the
 *   list sends no 0-0:96.1.x: it names the meter as uniquely as its serial number.
 * - In a described list only attribute-2 values (the registers' values) are mapped; attribute 1
 *   is a logical name, attribute 3 a scaler_unit (given to its value by the reader).
 */
import { dlmsUnitName, lookupObisParts, setObisField, unitScale, type ObisEntry } from '../../obis/obis-table';
import { cosemDateTimeIso } from '../cosem-datetime';
import { ITEM_NUMBER, ITEM_OCTETS, ITEM_TEXT, PushList } from '../push-list';
import { newRawPhaseValues, settlePhaseUnits, UNITS_KAMSTRUP } from './phase-units';
import { itemText, POW10, scale, type ReadingDraft } from './values';

export interface NamedValues {
  /** Values mapped (0: the list names nothing we know). */
  mapped: number;
  /** Text of 0-0:42.0.0, the COSEM logical device name, when sent. */
  deviceName: string | undefined;
}

/**
 * Map every named value of the list into the draft. `whose`: UNITS_INFER / UNITS_KAIFA /
 * UNITS_KAMSTRUP (phase-units.ts), or a function that picks them from the draft once the list's
 * own values (its list id) are in. Kamstrup's energy registers without scaler_unit are in
 * 0.01 kWh (Kamstrup HAN description). The caller decides what the device name is for (the
 * meter id when no other id was sent).
 */
export function mapNamedValues(draft: ReadingDraft, l: PushList, whose: number | ((draft: ReadingDraft) => number)): NamedValues {
  const b = l.bytes;
  const count = l.count;
  const kind = l.kind;
  const nameAt = l.nameAt;
  const raw = newRawPhaseValues();
  let rawSeen = false;
  let deviceName: string | undefined;
  let mapped = 0;
  const memo = l.obisEntries;
  const kamstrup = whose === UNITS_KAMSTRUP;
  for (let i = 0; i < count; i++) {
    const at = nameAt[i];
    if (at < 0) continue;
    const k = kind[i];
    if (k !== ITEM_NUMBER && k !== ITEM_OCTETS && k !== ITEM_TEXT) continue;
    if (l.described && l.attribute[i] !== 2) continue;
    const a0 = b[at];
    const c = b[at + 2];
    const d = b[at + 3];
    const e = b[at + 4];
    if (a0 === 0 && d === 0 && e === 0) {
      if (c === 1) {
        // the clock
        if (k === ITEM_OCTETS && l.len[i] === 12) {
          const iso = cosemDateTimeIso(b, l.at[i]);
          if (iso !== undefined) draft.meterTime = iso;
          mapped++;
        }
        continue;
      }
      if (c === 42 && b[at + 1] === 0) {
        deviceName = itemText(l, i);
        continue;
      }
    }
    // The table entry through the list's memo, keyed by the name's A-E bytes as one number.
    const key = (((a0 * 256 + b[at + 1]) * 256 + c) * 256 + d) * 256 + e;
    let known = memo.get(key);
    if (known === undefined) {
      if (memo.size >= PushList.MEMO_LIMIT) memo.clear();
      known = lookupObisParts(a0, b[at + 1], c, d, e) ?? null;
      memo.set(key, known);
    }
    if (known === null) continue;
    const entry: ObisEntry = known;
    if (entry.shape === 'number') {
      if (k !== ITEM_NUMBER) continue;
      const v = l.value[i];
      if (l.hasUnit[i] === 1) {
        // (the factor remembered per DLMS unit and field unit: the look-ups cost ~150 under XS)
        const unit = l.unit[i];
        const fkey = unit + entry.unit;
        let f = l.unitFactors[fkey];
        if (f === undefined) {
          const unitName = dlmsUnitName(unit);
          // unit 255 = "count / unitless": taken as the field's own unit
          const g = unitName === undefined ? (unit === 255 ? 1 : undefined) : unitScale(unitName, entry.unit);
          f = g === undefined ? -1 : g;
          l.unitFactors[fkey] = f;
        }
        if (f < 0) continue;
        const s = l.scaler[i];
        const pw = POW10[s < 0 ? -s : s];
        set(draft, entry, (s === 0 ? v : s < 0 ? v / pw : v * pw) * f);
        mapped++;
        continue;
      }
      if (a0 === 1 && d === 7 && (c === 32 || c === 52 || c === 72 || c === 31 || c === 51 || c === 71)) {
        // Set aside; its key is made here (undefined for now) so the reading's keys keep the
        // list's order whatever unit the value gets.
        const voltage = c === 32 || c === 52 || c === 72;
        const phase = c === 31 || c === 32 ? 0 : c === 51 || c === 52 ? 1 : 2;
        (voltage ? raw.voltage : raw.current)[phase] = v;
        reserve(draft, phase, voltage ? 'voltageV' : 'currentA');
        rawSeen = true;
        continue;
      }
      set(draft, entry, kamstrup && d === 8 && c >= 1 && c <= 4 ? scale(v, 1) : v);
      mapped++;
      continue;
    }
    if (entry.shape === 'text' || entry.shape === 'hex-text') {
      const t = itemText(l, i);
      if (t === undefined) continue;
      setObisField(draft, entry.field, t);
      mapped++;
    }
  }
  // (counted as mapped only when they get a value: a unit nobody can tell leaves nothing)
  if (rawSeen) mapped += settlePhaseUnits(draft, raw, typeof whose === 'number' ? whose : whose(draft));
  return { mapped, deviceName };
}

const PHASE_KEYS = ['l1', 'l2', 'l3'] as const;

/** The phase object's `field` key, made (value undefined) when absent. */
function reserve(draft: ReadingDraft, phase: number, field: 'voltageV' | 'currentA'): void {
  const key = PHASE_KEYS[phase];
  let p = draft[key] as Record<string, unknown> | undefined;
  if (p === undefined) {
    p = {};
    draft[key] = p;
  }
  if (!(field in p)) p[field] = undefined;
}

/** setObisField for a number, written out (this runs for every value of every list). */
function set(draft: ReadingDraft, entry: ObisEntry, v: number): void {
  const path = entry.field;
  if (path.length === 1) {
    draft[path[0]] = v;
    return;
  }
  const sub = path[1];
  let holder = draft[path[0]] as Record<string | number, unknown> | undefined;
  if (holder === undefined) {
    holder = (typeof sub === 'number' ? [] : {}) as Record<string | number, unknown>;
    draft[path[0]] = holder;
  }
  holder[sub] = v;
}
