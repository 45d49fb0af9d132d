/**
 * DecoderOptions.asciiText from a platform's native UTF-8 TextDecoder (Moddable's text/decoder on
 * the device, the global TextDecoder in Node and xsnap). One native call turns a whole telegram
 * into a string; the text decoders then scan it with String.indexOf, which the XS engine runs
 * natively, instead of touching every byte in bytecode.
 *
 * A UTF-8 decoder gives one character per byte only for bytes below 0x80, so the result is
 * refused (undefined: the caller converts in JavaScript) when the length differs (multi-byte
 * sequences) or a replacement character appears (invalid bytes decode to U+FFFD, one per byte).
 */
import type { DecoderOptions } from '../frame-result';

/** The one method used from a TextDecoder. */
export interface Utf8DecoderLike {
  decode(bytes: Uint8Array): string;
}

export function asciiTextWith(decoder: Utf8DecoderLike): NonNullable<DecoderOptions['asciiText']> {
  return (bytes: Uint8Array, start: number, end: number): string | undefined => {
    const text = decoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
    return text.length === end - start && text.indexOf('\uFFFD') < 0 ? text : undefined;
  };
}
