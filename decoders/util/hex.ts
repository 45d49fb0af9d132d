/**
 * Hex text <-> bytes.
 *
 * parseHexText accepts the fixture format used in hosttests/vectors (space-separated bytes,
 * 16 per line) and anything looser: any whitespace, optional "0x" prefixes, ':' or '-' or ','
 * separators, and '#' or '//' comments running to the end of the line. Anything else is an
 * error, thrown as a RangeError with the position: this is a tool/configuration parser, not a
 * per-byte path, so it may throw (splitters never do).
 */

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 65 && code <= 70) return code - 55; // A-F
  if (code >= 97 && code <= 102) return code - 87; // a-f
  return -1;
}

export function parseHexText(text: string): Uint8Array {
  const out = new Uint8Array(text.length >> 1);
  let n = 0;
  let high = -1;
  let i = 0;
  const len = text.length;
  while (i < len) {
    const c = text.charCodeAt(i);
    // '#' or '//' comment: skip to end of line.
    if (c === 35 || (c === 47 && text.charCodeAt(i + 1) === 47)) {
      while (i < len && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    // "0x" / "0X" prefix at the start of a byte.
    if (c === 48 && high < 0 && (text.charCodeAt(i + 1) | 0x20) === 120 && nibble(text.charCodeAt(i + 2)) >= 0) {
      i += 2;
      continue;
    }
    const v = nibble(c);
    if (v >= 0) {
      if (high < 0) high = v;
      else {
        out[n++] = (high << 4) | v;
        high = -1;
      }
    } else if (c === 32 || c === 9 || c === 10 || c === 13 || c === 58 || c === 45 || c === 44) {
      // Separators may only fall between bytes, never between the two digits of one byte.
      if (high >= 0) throw new RangeError(`hex: lone digit before position ${i}`);
    } else {
      throw new RangeError(`hex: unexpected character '${text.charAt(i)}' at position ${i}`);
    }
    i++;
  }
  if (high >= 0) throw new RangeError('hex: odd number of hex digits');
  return out.slice(0, n);
}

const DIGITS = '0123456789abcdef';

export function toHex(bytes: Uint8Array, separator = ''): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && separator) s += separator;
    const b = bytes[i];
    s += DIGITS.charAt(b >> 4) + DIGITS.charAt(b & 15);
  }
  return s;
}

/** Strict variant for keys: exactly `length` bytes of hex (whitespace allowed), else undefined. */
export function parseHexKey(text: string, length = 16): Uint8Array | undefined {
  let bytes: Uint8Array;
  try {
    bytes = parseHexText(text);
  } catch {
    return undefined;
  }
  return bytes.length === length ? bytes : undefined;
}
