/**
 * A-XDR (IEC 61334-6, as COSEM uses it: IEC 62056-6-2 / Green Book 9.5) pieces the DLMS layers
 * share: a bounds-checked cursor for the fixed fields of the general-glo-ciphering header
 * (glo-ciphering.ts; the data-notification and block-transfer headers are read in place in
 * apdu.ts, a frame at a time) and the text of octet- and visible-strings. The `Data` values of a
 * push list are read by push-list.ts.
 *
 *   integers big endian; L is a BER length: < 0x80 itself, 0x81 nn, 0x82 nn nn (0x83/0x84 too)
 *
 * Errors throw AxdrError, which the caller turns into a result (nothing escapes to the splitter).
 */

class AxdrError extends Error {}

/** A cursor over a byte array; every read checks the bound. */
export class ByteReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
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
function isPrintable(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] < 0x20 || bytes[i] >= 0x7f) return false;
  return true;
}

/**
 * Bytes known to be printable ASCII as text. Short ones (meter ids, list ids) in one native call
 * instead of a string per byte; at most 64 arguments, since each takes an XS stack slot and
 * Moddable targets have few.
 */
function printableText(bytes: Uint8Array): string {
  if (bytes.length <= MAX_APPLY) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}
