/**
 * A copy of bytes[start, end) as a new Uint8Array of its own.
 *
 * Under XS (the device engine) TypedArray.prototype.slice and set() are metered per byte (about
 * 2 computrons each), while ArrayBuffer.prototype.slice copies natively for about 25 computrons
 * a call, whatever the length: a 1 KiB telegram costs 35 instead of 2,000.
 */
export function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const at = bytes.byteOffset;
  return new Uint8Array(bytes.buffer.slice(at + start, at + end));
}
