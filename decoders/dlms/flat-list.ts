/**
 * A push list whose items are all scalars (no nested structure), read straight from the bytes
 * into preallocated arrays instead of one A-XDR value object per item (axdr.ts readAxdr): under
 * XS the object tree cost ~160 computrons a value, this about a third of it. Kaifa positional
 * lists, Kamstrup's interleaved name/value lists and other flat shapes are mapped from it
 * (lists/flat-shapes.ts).
 *
 *   01|02 count(short form)  item item ...     every item one of:
 *   00 null | 03 boolean | 09/0A/0C short-length octet/visible/utf8 string | 0F 11 16 0D 12 10 06 05
 *   14 15 integers | 19 1A 1B date-time/date/time octets | 02 02 0F s 16 u scaler_unit structure
 *
 * It only says yes when readAxdr would read the very same values without error (same bounds
 * checks); anything else (nested items, long-form lengths, floats, bit-strings, a bound that
 * fails, more than CAPACITY items) makes read() return -1 and the caller takes the general path,
 * which reports any error exactly as before.
 */

import type { ObisEntry } from '../obis/obis-table';

/** Items a flat list may hold (the longest real list, Kaifa list 3, has 18; Kamstrup ~40). */
const CAPACITY = 64;

/** Item kinds as the A-XDR tree names them. */
export const FLAT_NULL = 0;
export const FLAT_NUMBER = 1;
export const FLAT_OCTETS = 2;
export const FLAT_TEXT = 3;
export const FLAT_BOOLEAN = 4;
/**
 * A scaler_unit structure in its one common form, 02 02 0F scaler 16 unit (interleaved lists put
 * one after each value): `value` holds the scaler (int8), `unit` the unit. The tree reads it as a
 * structure of two numbers; every shape's flat form treats it as the tree treats a structure
 * (not a number, text, octets or name: they all test for what they want, never for its absence).
 */
export const FLAT_SCALER_UNIT = 5;

export class FlatList {
  /** The bytes read by the last read(); offsets below point into them. */
  bytes: Uint8Array = new Uint8Array(0);
  count = 0;
  /** Items that are 6-byte octet-strings (logical names, tag 0x09): shapes that want names skip lists with too few. */
  names = 0;
  /** 0x01 array or 0x02 structure. */
  listTag = 0;
  readonly kind = new Uint8Array(CAPACITY);
  /** Wire tag of each item (0x06 double-long-unsigned, 0x12 long-unsigned...). */
  readonly tag = new Uint8Array(CAPACITY);
  /** Numbers (and booleans as 1/0). */
  readonly value = new Float64Array(CAPACITY);
  /** Octet and text items: where their content starts and how long it is. */
  readonly at = new Int32Array(CAPACITY);
  readonly len = new Int32Array(CAPACITY);
  /** Unit of a FLAT_SCALER_UNIT item (its scaler is in `value`). */
  readonly unit = new Uint8Array(CAPACITY);

  /** Read the list at bytes[p] (its 01|02 tag); the index after it, or -1 (see header). */
  read(b: Uint8Array, p: number, end: number): number {
    if (p + 2 > end) return -1;
    const listTag = b[p];
    const count = b[p + 1];
    if ((listTag !== 0x01 && listTag !== 0x02) || count >= 0x80 || count > CAPACITY) return -1;
    p += 2;
    if (count > end - p) return -1;
    const kind = this.kind;
    const tags = this.tag;
    const value = this.value;
    let names = 0;
    for (let i = 0; i < count; i++) {
      // The three commonest items inline (names and strings, double-long-unsigned,
      // long-unsigned); the rest through item(). A call or a switch case costs under XS.
      const tag = p < end ? b[p] : -1;
      if (tag === 0x09 && p + 1 < end && b[p + 1] < 0x80) {
        const n = b[p + 1];
        p += 2;
        if (p + n > end) return -1;
        tags[i] = 0x09;
        kind[i] = FLAT_OCTETS;
        this.at[i] = p;
        this.len[i] = n;
        if (n === 6) names++;
        p += n;
      } else if (tag === 0x06 && p + 5 <= end) {
        value[i] = b[p + 1] * 0x1000000 + ((b[p + 2] << 16) | (b[p + 3] << 8) | b[p + 4]);
        tags[i] = 0x06;
        kind[i] = FLAT_NUMBER;
        p += 5;
      } else if (tag === 0x12 && p + 3 <= end) {
        value[i] = (b[p + 1] << 8) | b[p + 2];
        tags[i] = 0x12;
        kind[i] = FLAT_NUMBER;
        p += 3;
      } else if (tag === 0x02 && p + 6 <= end && b[p + 1] === 0x02 && b[p + 2] === 0x0f && b[p + 4] === 0x16) {
        const scaler = b[p + 3];
        value[i] = scaler >= 0x80 ? scaler - 0x100 : scaler;
        this.unit[i] = b[p + 5];
        tags[i] = 0x02;
        kind[i] = FLAT_SCALER_UNIT;
        p += 6;
      } else {
        p = this.item(b, p, end, i);
        if (p < 0) return -1;
      }
    }
    this.text0 = undefined;
    this.text0Done = false;
    this.bytes = b;
    this.count = count;
    this.names = names;
    this.listTag = listTag;
    return p;
  }

  /**
   * Read one scalar value at b[p] into slot i (also used alone, for the value inside an
   * OBIS-tagged structure); the index after it, or -1 when readAxdr would read it differently.
   */
  item(b: Uint8Array, p: number, end: number, i: number): number {
    if (p >= end || i >= CAPACITY) return -1;
    const tag = b[p++];
    this.tag[i] = tag;
    // Cases in order of frequency in push lists; each mirrors readAxdr's reading and bounds.
    switch (tag) {
      case 0x06:
      case 0x05: {
        if (p + 4 > end) return -1;
        const v = b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
        this.value[i] = tag === 0x05 && v >= 0x80000000 ? v - 0x100000000 : v;
        this.kind[i] = FLAT_NUMBER;
        return p + 4;
      }
      case 0x12:
      case 0x10: {
        if (p + 2 > end) return -1;
        const v = (b[p] << 8) | b[p + 1];
        this.value[i] = tag === 0x10 && v >= 0x8000 ? v - 0x10000 : v;
        this.kind[i] = FLAT_NUMBER;
        return p + 2;
      }
      case 0x09:
      case 0x0a:
      case 0x0c: {
        if (p >= end) return -1;
        const n = b[p++];
        if (n >= 0x80 || p + n > end) return -1;
        this.at[i] = p;
        this.len[i] = n;
        this.kind[i] = tag === 0x09 ? FLAT_OCTETS : FLAT_TEXT;
        return p + n;
      }
      case 0x16:
      case 0x0f:
      case 0x11:
      case 0x0d: {
        if (p >= end) return -1;
        const v = b[p];
        this.value[i] = tag === 0x0f && v >= 0x80 ? v - 0x100 : v;
        this.kind[i] = FLAT_NUMBER;
        return p + 1;
      }
      case 0x00:
        this.kind[i] = FLAT_NULL;
        return p;
      case 0x03:
        if (p >= end) return -1;
        this.value[i] = b[p] !== 0 ? 1 : 0;
        this.kind[i] = FLAT_BOOLEAN;
        return p + 1;
      case 0x14:
      case 0x15: {
        if (p + 8 > end) return -1;
        const hi = b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
        const lo = b[p + 4] * 0x1000000 + ((b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]);
        const signedHi = tag === 0x14 && hi >= 0x80000000 ? hi - 0x100000000 : hi;
        this.value[i] = signedHi * 0x100000000 + lo;
        this.kind[i] = FLAT_NUMBER;
        return p + 8;
      }
      case 0x19:
      case 0x1a:
      case 0x1b: {
        const n = tag === 0x19 ? 12 : tag === 0x1a ? 5 : 4;
        if (p + n > end) return -1;
        this.at[i] = p;
        this.len[i] = n;
        this.kind[i] = FLAT_OCTETS;
        return p + n;
      }
      default:
        return -1; // nested, float, bit-string or unknown: the general path decides
    }
  }

  /**
   * Unit factors already worked out (values.ts applyObisFlat), by DLMS unit code and field unit:
   * a list repeats the same few every frame. Made at run time per decoder (never module state).
   */
  readonly unitFactors: Record<string, number> = Object.create(null) as Record<string, number>;

  /**
   * OBIS table entries already looked up (values.ts applyObisFlat), keyed by the logical name's
   * A-E bytes as one number; null = not in the table. Per decoder, made at run time.
   */
  readonly obisEntries: Map<number, ObisEntry | null> = new Map();

  /** flatText of item 0 (the list id every flat shape's detect asks for), made once per list. */
  text0: string | undefined = undefined;
  text0Done = false;

  /** Item i as a number, as values.ts num() gives it for the tree (undefined unless a number). */
  num(i: number): number | undefined {
    return i < this.count && this.kind[i] === FLAT_NUMBER ? this.value[i] : undefined;
  }

  /** True when item i is an octet-string of 6 bytes (a logical name), as isLogicalName. */
  isName(i: number): boolean {
    return i >= 0 && i < this.count && this.kind[i] === FLAT_OCTETS && this.len[i] === 6 && this.tag[i] === 0x09;
  }
}
