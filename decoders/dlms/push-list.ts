/**
 * THE HAN list reader: the body of a DLMS data-notification (one A-XDR `Data` value, IEC
 * 62056-6-2 / Green Book 9.5) read once, straight from the bytes, into one compact item list that
 * every list shape (lists/) detects and maps from. No value objects: typed arrays allocated once
 * per decoder.
 *
 *   body   = 01|02 count(BER) element*            array or structure (the push list)
 *   element, one item each:
 *     scalar                       00 null | 03 boolean | 09 0A 0C strings | 0D 0F 10 11 12 05 06
 *                                  14 15 16 integers | 17 18 floats | 19 1A 1B date-time/date/time
 *     02 02 0F s 16 u              scaler_unit: kept as an item, and given to the value before it
 *     02 n 09 06 <name> value [02 02 0F s 16 u] ...
 *                                  OBIS-tagged structure (Aidon, TINETZ Kaifa, L+G E350): ONE item,
 *                                  the value, with its name and scaler_unit
 *     01|02 n (02 04 12 cc cc 09 06 <name> 0F attr 12 ii ii)*   as element 0
 *                                  capture-object descriptors (L+G E450/E570 push setups): the
 *                                  descriptors are kept; item i is the value of descriptor i
 *     anything else                one item of kind ITEM_OTHER (its extent only)
 *
 * Names, after the pass:
 *   - a described list (element 0 holds as many descriptors as the list has elements): item i
 *     takes the name and attribute of descriptor i, for every i (element 0 is the value of the
 *     first descriptor, the push setup's object list, whatever the push setup is called:
 *     0-6:25.9.0 or 0-8:25.9.0); a scaler_unit sent as attribute 3 goes to the attribute-2 value
 *     of the same name;
 *   - otherwise a 6-byte octet-string followed by an item that is not one names that item
 *     (Kamstrup and Austrian Kaifa interleave names and values), and a scaler_unit right after a
 *     named value is that value's.
 * Names are offsets into `bytes` (the OBIS logical name's 6 bytes); nothing is looked up here.
 *
 * Layouts: a list whose bytes equal one of the last lists' but in its values gets that list's
 * items back and only its values read again (list-layout.ts: exact, bounded, and what keeps a
 * HAN frame's decode within the device bound).
 *
 * Bounds: counts are checked against the bytes left (a hostile count cannot make it loop or
 * allocate), nesting is limited, more than CAPACITY elements is refused. read() never throws:
 * it returns -1 and says why in `error`, in the words of the A-XDR rules that failed.
 */

import type { ObisEntry } from '../obis/obis-table';

import { ITEM_BOOLEAN, ITEM_DESCRIPTORS, ITEM_NULL, ITEM_NUMBER, ITEM_OCTETS, ITEM_OTHER, ITEM_SCALER_UNIT, ITEM_TEXT, LIST_CAPACITY } from './list-items';
import { ListLayouts, type ListLayout } from './list-layout';

export { ITEM_BOOLEAN, ITEM_DESCRIPTORS, ITEM_NULL, ITEM_NUMBER, ITEM_OCTETS, ITEM_OTHER, ITEM_SCALER_UNIT, ITEM_TEXT };

/** Descriptors a described list may have (E450 and E570 push ~10-30). */
const DESCRIPTOR_CAPACITY = 64;
/** Slots per array: the list's items and one scratch slot for values read only for their extent. */
const SLOTS = LIST_CAPACITY + 1;
const SCRATCH = LIST_CAPACITY;
const MAX_DEPTH = 16;
/** Entries the per-decoder OBIS memo holds before it starts afresh (noise must not grow it). */
const MEMO_LIMIT = 256;

export class PushList {
  /** The bytes of the last read(); every offset below points into them. */
  bytes: Uint8Array = new Uint8Array(0);
  /** Elements of the list. */
  count = 0;
  /** 0x01 array or 0x02 structure. */
  listTag = 0;
  /** Items that came as OBIS-tagged structures. */
  tagged = 0;
  /** Items with an OBIS name (tagged, interleaved or described). */
  named = 0;
  /** Element 0 holds one descriptor per element: item i is the value of descriptor i. */
  described = false;
  /** Why the last read() failed (A-XDR words). */
  error = '';
  /** The last read() failed because the body is one well-formed value, not a list. */
  notAList = false;

  readonly kind = new Uint8Array(SLOTS);
  /** Wire tag of the value (0x06 double-long-unsigned, 0x12 long-unsigned, 0x09 octet-string...). */
  readonly type = new Uint8Array(SLOTS);
  /** Numbers, booleans as 1 / 0. */
  readonly value = new Float64Array(SLOTS);
  /** Numbers, booleans, octets, text, other: where the content (after the tag and length) starts and how long it is. */
  readonly at = new Int32Array(SLOTS);
  readonly len = new Int32Array(SLOTS);
  /** Offset of the item's 6-byte OBIS name in `bytes`, or -1. */
  readonly nameAt = new Int32Array(SLOTS);
  /** 1 when the item has a scaler_unit (`scaler`, `unit`); ITEM_SCALER_UNIT items hold theirs too. */
  readonly hasUnit = new Uint8Array(SLOTS);
  readonly scaler = new Int8Array(SLOTS);
  readonly unit = new Uint8Array(SLOTS);
  /** Described lists: the COSEM attribute the item is the value of (2 value, 3 scaler_unit); else 0. */
  readonly attribute = new Uint8Array(SLOTS);

  descriptorCount = 0;
  private readonly descriptorName = new Int32Array(DESCRIPTOR_CAPACITY);
  private readonly descriptorAttribute = new Uint8Array(DESCRIPTOR_CAPACITY);

  /**
   * Per decoder, made at run time (never module state), for the mappers: OBIS table entries by
   * the name's A-E bytes as one number (null = not in the table; a meter repeats the same names
   * every frame: ~100 XS computrons a table look-up, ~10 a Map.get), unit factors by DLMS unit
   * and field unit, and the list id text of item 0 once per read().
   */
  readonly obisEntries: Map<number, ObisEntry | null> = new Map();
  readonly unitFactors: Record<string, number> = Object.create(null) as Record<string, number>;
  text0: string | undefined = undefined;
  text0Done = false;

  /** The lists read before, for a list that differs from one of them only in its values (list-layout.ts). */
  private readonly layouts = new ListLayouts();

  /**
   * A list shape's memo for the layout of the list read last (kept with the layout, list-layout.ts):
   * undefined after a full read until a shape sets it. Only what follows from the layout's bytes
   * may go in (which items, names, units, kinds), never a value: the next list with the same layout
   * has other values. Setting it after a list whose layout is not kept does nothing.
   */
  get layoutMemo(): unknown {
    const layout = this.layouts.current;
    return layout === undefined ? undefined : layout.memo;
  }

  set layoutMemo(memo: unknown) {
    const layout = this.layouts.current;
    if (layout !== undefined) layout.memo = memo;
  }

  /** Read the list whose tag is at b[p]; the index after it, or -1 (`error` says why). */
  read(b: Uint8Array, p: number, end: number): number {
    this.bytes = b;
    this.count = 0;
    this.tagged = 0;
    this.named = 0;
    this.described = false;
    this.descriptorCount = 0;
    this.text0 = undefined;
    this.text0Done = false;
    this.notAList = false;
    const layouts = this.layouts;
    if (!layouts.active()) {
      layouts.release();
      return this.readFull(b, p, end);
    }
    const layout = layouts.match(b, p, end);
    if (layout !== undefined) return this.replay(layout, b);
    const next = this.readFull(b, p, end);
    if (next >= 0) layouts.remember(b, p, end, next, this, this);
    else layouts.release();
    return next;
  }

  /**
   * A list with a remembered layout: its items as the full read left them, the values read again
   * at their offsets by the full read's rules (numberValue; the commonest two written out here:
   * the replay runs for nearly every list a meter sends). The layout says every value's bytes are there.
   */
  private replay(layout: ListLayout, b: Uint8Array): number {
    this.layouts.restore(layout, this);
    const value = this.value;
    const type = this.type;
    const at = this.at;
    const numbers = layout.numbers;
    for (let k = 0; k < numbers.length; k++) {
      const i = numbers[k];
      const t = type[i];
      const q = at[i];
      if (t === 0x06) value[i] = b[q] * 0x1000000 + ((b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3]);
      else if (t === 0x12) value[i] = (b[q] << 8) | b[q + 1];
      else value[i] = numberValue(b, q, t);
    }
    this.count = layout.count;
    this.listTag = layout.listTag;
    this.tagged = layout.tagged;
    this.named = layout.named;
    this.described = layout.described;
    this.descriptorCount = layout.descriptorCount;
    return layout.start + layout.length;
  }

  /** The full read: every element parsed. */
  private readFull(b: Uint8Array, p: number, end: number): number {
    if (p >= end) return this.need(1, p, end);
    const listTag = b[p];
    if (listTag !== 0x01 && listTag !== 0x02) {
      // one value: well-formed (its tag known, its bytes there) or not
      if (this.scalar(b, p, end, SCRATCH) < 0) return -1;
      this.notAList = true;
      return this.fail(`the body is a single value (A-XDR tag 0x${listTag.toString(16)}), not a list`);
    }
    let q = p + 1;
    let count: number;
    if (q < end && b[q] < 0x80) count = b[q++];
    else {
      q = this.length(b, q, end);
      if (q < 0) return -1;
      count = this.lengthValue;
    }
    if (count > end - q) return this.fail(`${count} items but ${end - q} bytes left`);
    if (count > LIST_CAPACITY) return this.fail(`a list of ${count} items (at most ${LIST_CAPACITY} are read)`);
    this.listTag = listTag;
    const kind = this.kind;
    const nameAt = this.nameAt;
    const hasUnit = this.hasUnit;
    const attribute = this.attribute;
    for (let i = 0; i < count; i++) {
      nameAt[i] = -1;
      hasUnit[i] = 0;
      attribute[i] = 0;
      // (the commonest values were read inline here, and in nested(), before the layout replay:
      // with it they bought nothing on the bench's captures, so they went)
      const tag = q < end ? b[q] : -1;
      q = tag === 0x02 || tag === 0x01 ? this.nested(b, q, end, i) : this.scalar(b, q, end, i);
      if (q < 0) return -1;
    }
    this.count = count;
    if (this.descriptorCount > 0 && kind[0] === ITEM_DESCRIPTORS && this.descriptorCount === count) this.nameDescribed();
    else this.nameInterleaved();
    return q;
  }

  /** Element i is a structure or array at b[q]: scaler_unit, tagged structure, descriptors or other. */
  private nested(b: Uint8Array, q: number, end: number, i: number): number {
    const tag = b[q];
    const n = q + 1 < end ? b[q + 1] : -1;
    if (tag === 0x02 && n === 2 && q + 6 <= end && b[q + 2] === 0x0f && b[q + 4] === 0x16) {
      const s = b[q + 3];
      this.kind[i] = ITEM_SCALER_UNIT;
      this.type[i] = 0x02;
      this.scaler[i] = s >= 0x80 ? s - 0x100 : s;
      this.unit[i] = b[q + 5];
      this.hasUnit[i] = 1;
      return q + 6;
    }
    if (tag === 0x02 && n >= 2 && n < 0x80 && q + 10 <= end && b[q + 2] === 0x09 && b[q + 3] === 0x06) {
      if (n > end - q - 2) return this.fail(`${n} items but ${end - q - 2} bytes left`);
      // { logical name, value, [scaler_unit], [more...] }: the value is the item.
      this.nameAt[i] = q + 4;
      this.tagged++;
      this.named++;
      let p = q + 10;
      const v = p < end ? b[p] : -1;
      if (v === 0x02 || v === 0x01) {
        p = this.skip(b, p, end, 2);
        if (p < 0) return -1;
        this.kind[i] = ITEM_OTHER;
        this.type[i] = v;
        this.at[i] = q + 10;
        this.len[i] = p - q - 10;
      } else {
        p = this.scalar(b, p, end, i);
        if (p < 0) return -1;
      }
      if (n >= 3) {
        if (p + 6 <= end && b[p] === 0x02 && b[p + 1] === 0x02 && b[p + 2] === 0x0f && b[p + 4] === 0x16) {
          const s = b[p + 3];
          this.scaler[i] = s >= 0x80 ? s - 0x100 : s;
          this.unit[i] = b[p + 5];
          this.hasUnit[i] = 1;
          p += 6;
        } else {
          p = this.skip(b, p, end, 2);
          if (p < 0) return -1;
        }
        for (let extra = 3; extra < n; extra++) {
          p = this.skip(b, p, end, 2);
          if (p < 0) return -1;
        }
      }
      return p;
    }
    if (i === 0 && n > 0 && n < 0x80 && q + 2 + 18 <= end && isDescriptor(b, q + 2)) {
      const p = this.descriptors(b, q, end, n);
      if (p !== 0) return p;
    }
    const p = this.skip(b, q, end, 1);
    if (p < 0) return -1;
    this.kind[i] = ITEM_OTHER;
    this.type[i] = tag;
    this.at[i] = q;
    this.len[i] = p - q;
    return p;
  }

  /**
   * Element 0 as capture-object descriptors: n x { class-id long-unsigned, logical name octets 6,
   * attribute integer, data-index long-unsigned } (18 bytes each). The index after them, or 0
   * when an element is not a descriptor (the caller then skips the element as ITEM_OTHER).
   */
  private descriptors(b: Uint8Array, q: number, end: number, n: number): number {
    if (q + 2 + 18 * n > end || n > DESCRIPTOR_CAPACITY) return 0;
    let p = q + 2;
    const names = this.descriptorName;
    const attributes = this.descriptorAttribute;
    for (let k = 0; k < n; k++) {
      // isDescriptor written out (this runs 10-30 times a frame)
      if (b[p] !== 0x02 || b[p + 1] !== 0x04 || b[p + 2] !== 0x12 || b[p + 5] !== 0x09 || b[p + 6] !== 0x06 || b[p + 13] !== 0x0f || b[p + 15] !== 0x12)
        return 0;
      names[k] = p + 7;
      attributes[k] = b[p + 14];
      p += 18;
    }
    this.descriptorCount = n;
    this.kind[0] = ITEM_DESCRIPTORS;
    this.type[0] = b[q];
    this.at[0] = q;
    this.len[0] = p - q;
    return p;
  }

  /** Item i takes descriptor i's name and attribute; attribute-3 scaler_units go to their values. */
  private nameDescribed(): void {
    this.described = true;
    const count = this.count;
    let scalers = 0;
    for (let i = 1; i < count; i++) {
      this.nameAt[i] = this.descriptorName[i];
      const attr = this.descriptorAttribute[i];
      this.attribute[i] = attr;
      if (attr === 3 && this.kind[i] === ITEM_SCALER_UNIT) scalers++;
    }
    this.named = count - 1;
    if (scalers === 0) return;
    const b = this.bytes;
    for (let i = 1; i < count; i++) {
      if (this.attribute[i] !== 3 || this.kind[i] !== ITEM_SCALER_UNIT) continue;
      const s = this.nameAt[i];
      for (let j = 1; j < count; j++) {
        if (this.attribute[j] !== 2 || this.kind[j] !== ITEM_NUMBER) continue;
        const t = this.nameAt[j];
        if (b[s] === b[t] && b[s + 1] === b[t + 1] && b[s + 2] === b[t + 2] && b[s + 3] === b[t + 3] && b[s + 4] === b[t + 4]) {
          this.hasUnit[j] = 1;
          this.scaler[j] = this.scaler[i];
          this.unit[j] = this.unit[i];
        }
      }
    }
  }

  /** Interleaved names: a 6-byte octet-string names the next item unless that is one too. */
  private nameInterleaved(): void {
    const count = this.count;
    const kind = this.kind;
    const type = this.type;
    const len = this.len;
    const nameAt = this.nameAt;
    for (let i = 0; i + 1 < count; i++) {
      if (type[i] !== 0x09 || len[i] !== 6 || nameAt[i] >= 0) continue;
      const k = i + 1;
      const next = kind[k];
      if ((type[k] === 0x09 && len[k] === 6) || nameAt[k] >= 0 || next === ITEM_SCALER_UNIT) continue;
      nameAt[k] = this.at[i];
      this.named++;
      // its scaler_unit, when one follows (Austrian Kaifa over M-Bus: name, value, scaler_unit)
      if (next === ITEM_NUMBER && k + 1 < count && kind[k + 1] === ITEM_SCALER_UNIT) {
        this.hasUnit[k] = 1;
        this.scaler[k] = this.scaler[k + 1];
        this.unit[k] = this.unit[k + 1];
      }
      i = k;
    }
  }

  /** A scalar element at b[q] into item i (readAxdr's reading and bounds); -1 on failure. */
  private scalar(b: Uint8Array, q: number, end: number, i: number): number {
    if (q >= end) return this.need(1, q, end);
    const tag = b[q];
    let p = q + 1;
    this.type[i] = tag;
    switch (tag) {
      case 0x06:
      case 0x05: {
        if (p + 4 > end) return this.need(4, p, end);
        this.value[i] = numberValue(b, p, tag);
        this.kind[i] = ITEM_NUMBER;
        this.at[i] = p;
        this.len[i] = 4;
        return p + 4;
      }
      case 0x12:
      case 0x10: {
        if (p + 2 > end) return this.need(2, p, end);
        this.value[i] = numberValue(b, p, tag);
        this.kind[i] = ITEM_NUMBER;
        this.at[i] = p;
        this.len[i] = 2;
        return p + 2;
      }
      case 0x09:
      case 0x0a:
      case 0x0c: {
        p = this.length(b, p, end);
        if (p < 0) return -1;
        const n = this.lengthValue;
        if (p + n > end) return this.need(n, p, end);
        this.at[i] = p;
        this.len[i] = n;
        this.kind[i] = tag === 0x09 ? ITEM_OCTETS : ITEM_TEXT;
        return p + n;
      }
      case 0x16:
      case 0x0f:
      case 0x11:
      case 0x0d: {
        if (p >= end) return this.need(1, p, end);
        this.value[i] = numberValue(b, p, tag);
        this.kind[i] = ITEM_NUMBER;
        this.at[i] = p;
        this.len[i] = 1;
        return p + 1;
      }
      case 0x00:
        this.kind[i] = ITEM_NULL;
        return p;
      case 0x03:
        if (p >= end) return this.need(1, p, end);
        this.value[i] = numberValue(b, p, tag);
        this.kind[i] = ITEM_BOOLEAN;
        this.at[i] = p;
        this.len[i] = 1;
        return p + 1;
      case 0x14:
      case 0x15: {
        if (p + 4 > end) return this.need(4, p, end);
        if (p + 8 > end) return this.need(4, p + 4, end);
        this.value[i] = numberValue(b, p, tag);
        this.kind[i] = ITEM_NUMBER;
        this.at[i] = p;
        this.len[i] = 8;
        return p + 8;
      }
      case 0x17:
      case 0x18: {
        const n = tag === 0x17 ? 4 : 8;
        if (p + n > end) return this.need(n, p, end);
        this.value[i] = numberValue(b, p, tag);
        this.kind[i] = ITEM_NUMBER;
        this.at[i] = p;
        this.len[i] = n;
        return p + n;
      }
      case 0x19:
      case 0x1a:
      case 0x1b: {
        const n = tag === 0x19 ? 12 : tag === 0x1a ? 5 : 4;
        if (p + n > end) return this.need(n, p, end);
        this.at[i] = p;
        this.len[i] = n;
        this.kind[i] = ITEM_OCTETS;
        return p + n;
      }
      case 0x04: {
        p = this.length(b, p, end);
        if (p < 0) return -1;
        const n = (this.lengthValue + 7) >> 3;
        if (p + n > end) return this.need(n, p, end);
        this.at[i] = p;
        this.len[i] = n;
        this.kind[i] = ITEM_OTHER;
        return p + n;
      }
      default:
        return this.fail(`unknown A-XDR tag 0x${tag.toString(16)} at offset ${q}`);
    }
  }

  /** Past the A-XDR value at b[q] (bounded, counts checked against the bytes left); -1 on failure. */
  private skip(b: Uint8Array, q: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return this.fail('nesting too deep');
    if (q >= end) return this.need(1, q, end);
    const tag = b[q];
    if (tag !== 0x01 && tag !== 0x02) return this.scalar(b, q, end, SCRATCH);
    let p = this.length(b, q + 1, end);
    if (p < 0) return -1;
    const count = this.lengthValue;
    if (count > end - p) return this.fail(`${count} items but ${end - p} bytes left`);
    for (let k = 0; k < count; k++) {
      p = this.skip(b, p, end, depth + 1);
      if (p < 0) return -1;
    }
    return p;
  }

  /** The BER length read by length(). */
  private lengthValue = 0;

  /** BER length at b[p] (short form, or 0x81..0x84 and that many bytes) into lengthValue; the index after it. */
  private length(b: Uint8Array, p: number, end: number): number {
    if (p >= end) return this.need(1, p, end);
    const first = b[p++];
    if (first < 0x80) {
      this.lengthValue = first;
      return p;
    }
    const n = first & 0x7f;
    if (n < 1 || n > 4) return this.fail(`bad length form 0x${first.toString(16)}`);
    let v = 0;
    for (let k = 0; k < n; k++) {
      if (p >= end) return this.need(1, p, end);
      v = v * 256 + b[p++];
    }
    this.lengthValue = v;
    return p;
  }

  private need(n: number, at: number, end: number): number {
    return this.fail(`needs ${n} bytes at offset ${at}, ${end - at} left`);
  }

  private fail(message: string): number {
    this.error = message;
    this.count = 0;
    return -1;
  }

  /** OBIS memo bound (see obisEntries): cleared when full. */
  static readonly MEMO_LIMIT = MEMO_LIMIT;
}

/**
 * The value of the number or boolean whose content starts at b[p] (its A-XDR tag `tag`, its
 * bytes known to be there): the one reading of each number type, for the full read (scalar)
 * and the layout replay.
 */
function numberValue(b: Uint8Array, p: number, tag: number): number {
  switch (tag) {
    case 0x06:
      return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
    case 0x12:
      return (b[p] << 8) | b[p + 1];
    case 0x05: {
      const v = b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
      return v >= 0x80000000 ? v - 0x100000000 : v;
    }
    case 0x10: {
      const v = (b[p] << 8) | b[p + 1];
      return v >= 0x8000 ? v - 0x10000 : v;
    }
    case 0x0f: {
      const v = b[p];
      return v >= 0x80 ? v - 0x100 : v;
    }
    case 0x16:
    case 0x11:
    case 0x0d:
      return b[p];
    case 0x03:
      return b[p] !== 0 ? 1 : 0;
    case 0x14:
    case 0x15: {
      const hi = b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
      const lo = b[p + 4] * 0x1000000 + ((b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]);
      // 64-bit integers as Numbers: exact up to 2^53, ample for Wh
      return (tag === 0x14 && hi >= 0x80000000 ? hi - 0x100000000 : hi) * 0x100000000 + lo;
    }
    default: {
      // 0x17 float32, 0x18 float64
      const view = new DataView(b.buffer, b.byteOffset + p, tag === 0x17 ? 4 : 8);
      return tag === 0x17 ? view.getFloat32(0) : view.getFloat64(0);
    }
  }
}

/** 02 04 12 cc cc 09 06 <name 6> 0F attr 12 ii ii at b[p] (the caller checked 18 bytes are there). */
function isDescriptor(b: Uint8Array, p: number): boolean {
  return b[p] === 0x02 && b[p + 1] === 0x04 && b[p + 2] === 0x12 && b[p + 5] === 0x09 && b[p + 6] === 0x06 && b[p + 13] === 0x0f && b[p + 15] === 0x12;
}
