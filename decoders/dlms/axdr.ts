/**
 * A-XDR decoding of COSEM `Data` values (IEC 62056-6-2 / DLMS UA 1000-2 "Green Book", 9.5;
 * A-XDR itself is IEC 61334-6). Every value is a tag byte followed by its content:
 *
 *   00 null-data                 09 octet-string  L bytes     12 long-unsigned (uint16)
 *   01 array     L items         0A visible-string L bytes    14 long64 (int64)
 *   02 structure L items         0C utf8-string   L bytes     15 long64-unsigned (uint64)
 *   03 boolean   1 byte          0D bcd           1 byte      16 enum (uint8)
 *   04 bit-string L bits         0F integer (int8)            17 float32, 18 float64 (big endian)
 *   05 double-long (int32)       10 long (int16)              19 date-time 12, 1A date 5, 1B time 4
 *   06 double-long-unsigned      11 unsigned (uint8)
 *
 * L is a BER length: < 0x80 itself, 0x81 nn, 0x82 nn nn (0x83/0x84 also accepted).
 * Integers are big endian. 64-bit integers become Numbers (exact up to 2^53, ample for Wh).
 *
 * Parsing is bounded: nesting depth and item counts are checked against the bytes that remain,
 * so a hostile length cannot make it allocate or recurse without limit. Errors throw AxdrError,
 * which the APDU decoder turns into a 'malformed' result (nothing escapes to the splitter).
 */

export type AxdrValue =
  | { kind: 'structure'; items: AxdrValue[] }
  | { kind: 'array'; items: AxdrValue[] }
  | { kind: 'octets'; bytes: Uint8Array }
  | { kind: 'text'; text: string }
  /** Integers, enum (tag 0x16), bcd and floats; `tag` keeps the wire type. */
  | { kind: 'number'; tag: number; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'bits'; bitLength: number; bytes: Uint8Array }
  | { kind: 'null' };

export const AXDR_ENUM = 0x16;
const MAX_DEPTH = 16;

export class AxdrError extends Error {}

/** A cursor over a byte array; every read checks the bound. */
export class ByteReader {
  pos: number;
  constructor(readonly bytes: Uint8Array, start = 0, readonly end = bytes.length) {
    this.pos = start;
  }
  remaining(): number {
    return this.end - this.pos;
  }
  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new AxdrError(`needs ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`);
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = (this.bytes[this.pos] << 8) | this.bytes[this.pos + 1];
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** BER length: short form, or 0x81..0x84 followed by 1..4 length bytes. */
  length(): number {
    const first = this.u8();
    if (first < 0x80) return first;
    const count = first & 0x7f;
    if (count < 1 || count > 4) throw new AxdrError(`bad length form 0x${first.toString(16)}`);
    let n = 0;
    for (let i = 0; i < count; i++) n = n * 256 + this.u8();
    return n;
  }
}

/**
 * Decode one `Data` value at the reader's position.
 * The common cases (structure/array counts and octet-string lengths in short form, fixed-size
 * integers) read the bytes directly instead of through ByteReader's methods: under XS a method
 * call per field was most of the walk's cost. Every read is still bounds-checked; when a bound
 * fails, the reader's own need()/length() raise the very same error as before.
 */
export function readAxdr(r: ByteReader, depth = 0): AxdrValue {
  if (depth > MAX_DEPTH) throw new AxdrError('nesting too deep');
  const b = r.bytes;
  const end = r.end;
  let p = r.pos;
  if (p >= end) r.need(1);
  const tag = b[p++];
  // Cases in order of frequency in push lists (XS compares them one by one).
  switch (tag) {
    case 0x02:
    case 0x01: {
      let count: number;
      if (p < end && b[p] < 0x80) {
        count = b[p];
        r.pos = p + 1;
      } else {
        r.pos = p;
        count = r.length();
      }
      // Each item is at least one byte: a count beyond what remains is a lie, not a reason to loop.
      if (count > r.end - r.pos) throw new AxdrError(`${count} items but ${r.remaining()} bytes left`);
      const items: AxdrValue[] = new Array(count);
      for (let i = 0; i < count; i++) items[i] = readAxdr(r, depth + 1);
      return { kind: tag === 0x01 ? 'array' : 'structure', items };
    }
    case 0x09: {
      if (p < end && b[p] < 0x80) {
        const n = b[p++];
        if (p + n > end) {
          r.pos = p;
          r.need(n);
        }
        r.pos = p + n;
        return { kind: 'octets', bytes: b.slice(p, p + n) };
      }
      r.pos = p;
      return { kind: 'octets', bytes: r.take(r.length()) };
    }
    case 0x16:
    case 0x0f:
    case 0x11:
    case 0x0d: {
      if (p >= end) {
        r.pos = p;
        r.need(1);
      }
      const v = b[p];
      r.pos = p + 1;
      return { kind: 'number', tag, value: tag === 0x0f && v >= 0x80 ? v - 0x100 : v };
    }
    case 0x06:
    case 0x05: {
      if (p + 4 > end) {
        r.pos = p;
        r.need(4);
      }
      const v = b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
      r.pos = p + 4;
      return { kind: 'number', tag, value: tag === 0x05 && v >= 0x80000000 ? v - 0x100000000 : v };
    }
    case 0x12:
    case 0x10: {
      if (p + 2 > end) {
        r.pos = p;
        r.need(2);
      }
      const v = (b[p] << 8) | b[p + 1];
      r.pos = p + 2;
      return { kind: 'number', tag, value: tag === 0x10 && v >= 0x8000 ? v - 0x10000 : v };
    }
    case 0x00:
      r.pos = p;
      return { kind: 'null' };
  }
  r.pos = p;
  switch (tag) {
    case 0x03:
      return { kind: 'boolean', value: r.u8() !== 0 };
    case 0x04: {
      const bitLength = r.length();
      return { kind: 'bits', bitLength, bytes: r.take((bitLength + 7) >> 3) };
    }
    case 0x0a:
    case 0x0c:
      return { kind: 'text', text: bytesToText(r.take(r.length())) };
    case 0x14:
    case 0x15: {
      const hi = r.u32();
      const lo = r.u32();
      const signedHi = tag === 0x14 && hi >= 0x80000000 ? hi - 0x100000000 : hi;
      return { kind: 'number', tag, value: signedHi * 0x100000000 + lo };
    }
    case 0x17:
    case 0x18: {
      const n = tag === 0x17 ? 4 : 8;
      r.need(n);
      const view = new DataView(r.bytes.buffer, r.bytes.byteOffset + r.pos, n);
      r.pos += n;
      return { kind: 'number', tag, value: n === 4 ? view.getFloat32(0) : view.getFloat64(0) };
    }
    case 0x19:
      return { kind: 'octets', bytes: r.take(12) };
    case 0x1a:
      return { kind: 'octets', bytes: r.take(5) };
    case 0x1b:
      return { kind: 'octets', bytes: r.take(4) };
    default:
      throw new AxdrError(`unknown A-XDR tag 0x${tag.toString(16)} at offset ${r.pos - 1}`);
  }
}

/**
 * A character outside printable ASCII (0x20..0x7E). Tested on a whole short string per value
 * (never per byte): under XS one native test is ~40 computrons where a JS loop over the bytes
 * costs ~30 per byte. Not global, not sticky: test() never writes lastIndex, so a frozen
 * (preloaded) instance works.
 */
const NOT_PRINTABLE = /[^ -~]/;

/** At most this many bytes become a string in one native call (each takes an XS stack slot). */
const MAX_APPLY = 64;

/** Bytes as text: printable ASCII kept, anything else dropped (meter ids and list ids are ASCII). */
export function bytesToText(bytes: Uint8Array): string {
  if (bytes.length <= MAX_APPLY) {
    const whole = String.fromCharCode.apply(null, bytes as unknown as number[]);
    if (!NOT_PRINTABLE.test(whole)) return whole;
  } else if (isPrintable(bytes)) return printableText(bytes);
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
  }
  return s;
}

/** The bytes as text when every one is printable ASCII (a name or an id), else undefined. */
export function printableOrUndefined(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return undefined;
  if (bytes.length > MAX_APPLY) return isPrintable(bytes) ? printableText(bytes) : undefined;
  const s = String.fromCharCode.apply(null, bytes as unknown as number[]);
  return NOT_PRINTABLE.test(s) ? undefined : s;
}

/** True when every byte is printable ASCII (so an octet-string is really a name or an id). */
export function isPrintable(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] < 0x20 || bytes[i] >= 0x7f) return false;
  return true;
}

/**
 * Bytes known to be printable ASCII as text. Short ones (meter ids, list ids) in one native call
 * instead of a string per byte; at most 64 arguments, since each takes an XS stack slot and
 * Moddable targets have few.
 */
export function printableText(bytes: Uint8Array): string {
  if (bytes.length <= MAX_APPLY) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}
