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
 * The mapping runs in two parts: a plan of what to do with each item, decided from the names,
 * kinds and units alone, then the values through the plan. A meter's next list with the same
 * layout (push-list.ts, list-layout.ts) uses the plan made for the last one (about a third of
 * the mapping's cost under XS).
 */
import { dlmsUnitName, lookupObisParts, setObisField, unitScale, type ObisEntry } from '../../obis/obis-table';
import { cosemDateTimeIso } from '../cosem-datetime';
import { ITEM_NUMBER, ITEM_OCTETS, ITEM_TEXT, PushList } from '../push-list';
import { newRawPhaseValues, settlePhaseUnits, UNITS_KAMSTRUP, type RawPhaseValues } from './phase-units';
import { itemText, POW10, scale, type ReadingDraft } from './values';

export interface NamedValues {
  /** Values mapped (0: the list names nothing we know). */
  mapped: number;
  /** Text of 0-0:42.0.0, the COSEM logical device name, when sent. */
  deviceName: string | undefined;
}

/** What the plan does with an item (the steps of mapNamedValues, in item order). */
const OP_CLOCK = 0;
const OP_DEVICE_NAME = 1;
const OP_SCALED = 2;
const OP_RAW_PHASE = 3;
const OP_NUMBER = 4;
const OP_TEXT = 5;

/**
 * What mapNamedValues decides from the list's layout alone (names, kinds, lengths, attributes,
 * scaler_units): per item to map, what to do and with which table entry and factor. Made on a
 * list's full read and kept with its layout (PushList.layoutMemo), so a list read through its
 * layout skips the names, the table and the units and only maps its values.
 */
interface NamedPlan {
  /** The units rule it was made for (a plan is kept per rule). */
  whose: number | ((draft: ReadingDraft) => number);
  /** Steps: the first `count` entries of the arrays. */
  count: number;
  op: Uint8Array;
  item: Uint8Array;
  entry: (ObisEntry | undefined)[];
  /** The entry's field when it is a top-level key of the reading (set without a call), else undefined. */
  top: (string | undefined)[];
  /** OP_SCALED: the unit factor; OP_RAW_PHASE: the phase (0-2), +3 for a voltage; OP_NUMBER: 1 to scale by 10 (Kamstrup energy). */
  factor: Float64Array;
  /** OP_SCALED: the scaler. */
  scaler: Int8Array;
}

/**
 * Map every named value of the list into the draft. `whose`: UNITS_INFER / UNITS_KAIFA /
 * UNITS_KAMSTRUP (phase-units.ts), or a function that picks them from the draft once the list's
 * own values (its list id) are in. Kamstrup's energy registers without scaler_unit are in
 * 0.01 kWh (Kamstrup HAN description). The caller decides what the device name is for (the
 * meter id when no other id was sent).
 */
export function mapNamedValues(draft: ReadingDraft, l: PushList, whose: number | ((draft: ReadingDraft) => number)): NamedValues {
  const memo = l.layoutMemo as NamedPlan | undefined;
  let plan: NamedPlan;
  if (memo !== undefined && memo.whose === whose) plan = memo;
  else {
    plan = planNamedValues(l, whose);
    l.layoutMemo = plan;
  }
  return applyPlan(draft, l, plan, whose);
}

/** The plan of a list: every decision of the mapping that depends on the layout, none on a value. */
function planNamedValues(l: PushList, whose: number | ((draft: ReadingDraft) => number)): NamedPlan {
  const count = l.count;
  // (typed arrays of the list's size: writing into growing arrays cost XS more than the plan saved)
  const op = new Uint8Array(count);
  const item = new Uint8Array(count);
  const entries = new Array<ObisEntry | undefined>(count);
  const top = new Array<string | undefined>(count);
  const factor = new Float64Array(count);
  const scaler = new Int8Array(count);
  let n = 0;
  const b = l.bytes;
  const kind = l.kind;
  const nameAt = l.nameAt;
  const memo = l.obisEntries;
  const kamstrup = whose === UNITS_KAMSTRUP;
  for (let i = 0; i < count; i++) {
    const at = nameAt[i];
    if (at < 0) continue;
    const k = kind[i];
    if (k !== ITEM_NUMBER && k !== ITEM_OCTETS && k !== ITEM_TEXT) continue;
    if (l.described && l.attribute[i] !== 2) continue;
    // what to do with item i (o < 0: nothing), with which entry, factor and scaler
    let o = -1;
    let entry: ObisEntry | undefined;
    let f = 0;
    let s = 0;
    const a0 = b[at];
    const c = b[at + 2];
    const d = b[at + 3];
    const e = b[at + 4];
    if (a0 === 0 && d === 0 && e === 0 && c === 1) {
      // the clock
      if (k === ITEM_OCTETS && l.len[i] === 12) o = OP_CLOCK;
    } else if (a0 === 0 && d === 0 && e === 0 && c === 42 && b[at + 1] === 0) o = OP_DEVICE_NAME;
    else {
      // The table entry through the list's memo, keyed by the name's A-E bytes as one number.
      const key = (((a0 * 256 + b[at + 1]) * 256 + c) * 256 + d) * 256 + e;
      let known = memo.get(key);
      if (known === undefined) {
        if (memo.size >= PushList.MEMO_LIMIT) memo.clear();
        known = lookupObisParts(a0, b[at + 1], c, d, e) ?? null;
        memo.set(key, known);
      }
      if (known === null) continue;
      entry = known;
      if (entry.shape === 'number') {
        if (k !== ITEM_NUMBER) continue;
        if (l.hasUnit[i] === 1) {
          // (the factor remembered per DLMS unit and field unit: the look-ups cost ~150 under XS)
          const unit = l.unit[i];
          const fkey = unit + entry.unit;
          let g = l.unitFactors[fkey];
          if (g === undefined) {
            const unitName = dlmsUnitName(unit);
            // unit 255 = "count / unitless": taken as the field's own unit
            const h = unitName === undefined ? (unit === 255 ? 1 : undefined) : unitScale(unitName, entry.unit);
            g = h === undefined ? -1 : h;
            l.unitFactors[fkey] = g;
          }
          // (a unit that does not fit the field: the value is dropped)
          if (g < 0) continue;
          o = OP_SCALED;
          f = g;
          s = l.scaler[i];
        } else if (a0 === 1 && d === 7 && (c === 32 || c === 52 || c === 72 || c === 31 || c === 51 || c === 71)) {
          const phase = c === 31 || c === 32 ? 0 : c === 51 || c === 52 ? 1 : 2;
          o = OP_RAW_PHASE;
          f = c === 32 || c === 52 || c === 72 ? phase + 3 : phase;
        } else {
          o = OP_NUMBER;
          f = kamstrup && d === 8 && c >= 1 && c <= 4 ? 1 : 0;
        }
      } else if (entry.shape === 'text' || entry.shape === 'hex-text') o = OP_TEXT;
    }
    if (o < 0) continue;
    op[n] = o;
    item[n] = i;
    entries[n] = entry;
    top[n] = entry !== undefined && entry.field.length === 1 ? entry.field[0] : undefined;
    factor[n] = f;
    scaler[n] = s;
    n++;
  }
  return { whose, count: n, op, item, entry: entries, top, factor, scaler };
}

/** The values of the list through its plan, into the draft. */
function applyPlan(draft: ReadingDraft, l: PushList, plan: NamedPlan, whose: number | ((draft: ReadingDraft) => number)): NamedValues {
  const value = l.value;
  const ops = plan.op;
  const items = plan.item;
  let raw: RawPhaseValues | undefined;
  let deviceName: string | undefined;
  let mapped = 0;
  const steps = plan.count;
  for (let k = 0; k < steps; k++) {
    const op = ops[k];
    const i = items[k];
    if (op === OP_SCALED) {
      const v = value[i];
      const s = plan.scaler[k];
      const pw = POW10[s < 0 ? -s : s];
      const x = (s === 0 ? v : s < 0 ? v / pw : v * pw) * plan.factor[k];
      const key = plan.top[k];
      if (key !== undefined) draft[key] = x;
      else set(draft, plan.entry[k] as ObisEntry, x);
      mapped++;
    } else if (op === OP_NUMBER) {
      const v = value[i];
      const x = plan.factor[k] === 1 ? scale(v, 1) : v;
      const key = plan.top[k];
      if (key !== undefined) draft[key] = x;
      else set(draft, plan.entry[k] as ObisEntry, x);
      mapped++;
    } else if (op === OP_RAW_PHASE) {
      // Set aside; its key is made here (undefined for now) so the reading's keys keep the
      // list's order whatever unit the value gets.
      if (raw === undefined) raw = newRawPhaseValues();
      const f = plan.factor[k];
      const phase = f >= 3 ? f - 3 : f;
      (f >= 3 ? raw.voltage : raw.current)[phase] = value[i];
      reserve(draft, phase, f >= 3 ? 'voltageV' : 'currentA');
    } else if (op === OP_CLOCK) {
      const iso = cosemDateTimeIso(l.bytes, l.at[i]);
      if (iso !== undefined) draft.meterTime = iso;
      mapped++;
    } else if (op === OP_DEVICE_NAME) {
      deviceName = itemText(l, i);
    } else {
      const t = itemText(l, i);
      if (t === undefined) continue;
      setObisField(draft, (plan.entry[k] as ObisEntry).field, t);
      mapped++;
    }
  }
  // (counted as mapped only when they get a value: a unit nobody can tell leaves nothing)
  if (raw !== undefined) mapped += settlePhaseUnits(draft, raw, typeof whose === 'number' ? whose : whose(draft));
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

/** setObisField for a number, written out (the plan sets top-level fields itself; this is for the nested ones). */
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
