/**
 * The two CRC-16s of the meter protocols from the SDK's native CRC module (modules/data/crc,
 * table-driven C) behind DecoderOptions.crc16. The JavaScript tables in decoders/util cost about
 * 15.5 XS computrons per byte, on every byte of every frame; the native one is one call a frame.
 *
 *   CRC-16/ARC   (P1 telegram, DSMR 5.0.2 6.2):  poly 0x8005, init 0x0000, reflected, xorout 0x0000
 *   CRC-16/X.25  (HDLC HCS/FCS, IEC 62056-46):   poly 0x1021, init 0xFFFF, reflected, xorout 0xFFFF
 * The SDK's CRC16 keeps a running value between checksum() calls until reset(), so every call
 * resets first.
 */
import type { Crc16Function } from '../../../decoders/frame-result';

/** The part of the SDK's CRC16 class (modules/data/crc) used; passed in so this glue stays pure. */
export interface Crc16Native {
  reset(): unknown;
  checksum(bytes: Uint8Array): number;
}
export type Crc16NativeClass = new (polynomial: number, initial: number, reflectInput: boolean, reflectOutput: boolean, xorOutput: number) => Crc16Native;

function nativeCrc16(CRC16: Crc16NativeClass, polynomial: number, initial: number, xorOutput: number): Crc16Function {
  const crc = new CRC16(polynomial, initial, true, true, xorOutput);
  return (bytes: Uint8Array, start: number, end: number): number => {
    crc.reset();
    return crc.checksum(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)) & 0xffff;
  };
}

/** Made at run time (a native object must not be created while the module is preloaded). */
export function nativeCrc16With(CRC16: Crc16NativeClass): { arc: Crc16Function; x25: Crc16Function } {
  return { arc: nativeCrc16(CRC16, 0x8005, 0x0000, 0x0000), x25: nativeCrc16(CRC16, 0x1021, 0xffff, 0xffff) };
}
