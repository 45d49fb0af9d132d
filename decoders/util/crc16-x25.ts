/**
 * CRC-16/X.25 (a.k.a. CRC-16/IBM-SDLC, the HDLC FCS of ISO/IEC 13239 used by IEC 62056-46):
 * polynomial 0x1021 processed LSB first (reflected 0x8408), init 0xFFFF, final XOR 0xFFFF.
 * On the wire the 16-bit result is sent least significant byte first. The table-driven loop is
 * shared with CRC-16/ARC (crc16-reflected.ts); the CRC runs over every HDLC frame byte.
 */
import { crc16SliceTables, crc16Update } from './crc16-reflected';

const X25_TABLES = crc16SliceTables(0x8408);
const X25_T0 = X25_TABLES[0];

/** CRC-16/X.25 of bytes[start, end). */
export function crc16X25(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (end - start < 32) {
    // Short ranges (the HDLC header check, 5-12 bytes) byte by byte right here: the sliced
    // loop's set-up and one more call cost more than they save below 32 bytes under XS.
    const t0 = X25_T0;
    let crc = 0xffff;
    for (let i = start; i < end; i++) crc = (crc >>> 8) ^ t0[(crc ^ bytes[i]) & 0xff];
    return (crc ^ 0xffff) & 0xffff;
  }
  return (crc16Update(X25_TABLES, bytes, start, end, 0xffff) ^ 0xffff) & 0xffff;
}

/** True when the two bytes at `at` (LSB first) equal the CRC-16/X.25 of bytes[start, at). */
export function checkCrc16X25(bytes: Uint8Array, start: number, at: number, x25: (bytes: Uint8Array, start: number, end: number) => number = crc16X25): boolean {
  const crc = x25(bytes, start, at);
  return bytes[at] === (crc & 0xff) && bytes[at + 1] === crc >>> 8;
}
