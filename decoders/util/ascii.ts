/**
 * Bytes -> string. decoders/ stay platform-free, so they never construct a TextDecoder
 * themselves: the platform may inject its native one (DecoderOptions.asciiText, see textOf),
 * and the JavaScript Latin-1 conversion below is the fallback. DSMR telegrams are ASCII; the
 * occasional byte >= 0x80 is mapped as Latin-1 so nothing is lost or throws.
 */
import type { DecoderOptions } from '../frame-result';

/** Latin-1 decode of bytes[start, end). Chunks of 256 keep String.fromCharCode's argument list small: every argument takes an XS stack slot and Moddable targets have 384-768 slots (1024 overflowed the simulator build). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  let i = start;
  while (i < end) {
    const stop = end - i > 256 ? i + 256 : end;
    s += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
    i = stop;
  }
  return s;
}

/**
 * bytes[start, end) as one character per byte: the platform's native conversion
 * (DecoderOptions.asciiText, about 20 XS computrons a CALL) when it is given and can promise
 * that (ASCII only), else the JavaScript Latin-1 one above (about 6 computrons a BYTE). Both give
 * the same string for ASCII bytes, so results never depend on which one ran.
 */
export function textOf(options: DecoderOptions, bytes: Uint8Array, start = 0, end = bytes.length): string {
  // Not named `native`: the Moddable XS compiler reads a call `native("...")` as its
  // host-function form and refuses the module.
  const convert = options.asciiText;
  if (convert !== undefined) {
    const s = convert(bytes, start, end);
    if (s !== undefined) return s;
  }
  return latin1(bytes, start, end);
}

/** String -> bytes, one byte per char code (low 8 bits). For ASCII/Latin-1 text only. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * If `hex` is an even-length string of hex digits that encodes printable ASCII (0x20..0x7E),
 * return that text; otherwise undefined. DSMR sends equipment identifiers and text messages
 * hex-encoded ("4B384547..." = "K8EG...").
 */
export function hexToPrintableAscii(hex: string): string | undefined {
  const n = hex.length;
  if (n === 0 || (n & 1) !== 0) return undefined;
  // Eight hex digits at a time through Number('0x...') (NaN unless all are hex digits), then
  // four bytes by shifting: under XS this is about four times cheaper than a per-digit loop.
  const codes = new Array<number>(n >> 1);
  for (let i = 0; i < n; i += 8) {
    const part = hex.slice(i, i + 8);
    let v = Number('0x' + part);
    if (v !== v) return undefined;
    for (let k = ((i + part.length) >> 1) - 1; k >= i >> 1; k--) {
      const c = v & 0xff;
      if (c < 0x20 || c > 0x7e) return undefined;
      codes[k] = c;
      v = v >>> 8;
    }
  }
  return String.fromCharCode.apply(null, codes);
}

/** The value of a hex digit's character code (0-9, A-F, a-f), or -1. */
export function hexNibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}
