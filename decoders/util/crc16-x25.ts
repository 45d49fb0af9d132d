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
    // (crc16X25Register's short loop, here without the extra call)
    const t0 = X25_T0;
    let crc = 0xffff;
    for (let i = start; i < end; i++) crc = (crc >>> 8) ^ t0[(crc ^ bytes[i]) & 0xff];
    return (crc ^ 0xffff) & 0xffff;
  }
  return (crc16Update(X25_TABLES, bytes, start, end, 0xffff) ^ 0xffff) & 0xffff;
}

/**
 * The CRC register after bytes[start, end), continuing from `register` (0xFFFF at the start of a
 * message); the CRC is (register ^ 0xFFFF) & 0xFFFF. Lets the HDLC splitter run the frame check
 * on from where the header check ended instead of over the header a second time.
 */
export function crc16X25Register(bytes: Uint8Array, start: number, end: number, register: number): number {
  if (end - start >= 32) return crc16Update(X25_TABLES, bytes, start, end, register);
  const t0 = X25_T0;
  let crc = register;
  let i = start;
  if (end - start >= 16) {
    // crc16Update's sliced loop (eight bytes per turn, two DataView reads) for 16-31 bytes too:
    // the rest of a short frame after its header is often under crc16Update's 32-byte threshold,
    // and byte by byte costs about twice as much under XS. (From 32 on crc16Update itself, which
    // XS runs faster than this copy.)
    const t1 = X25_TABLES[1];
    const t2 = X25_TABLES[2];
    const t3 = X25_TABLES[3];
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const end8 = end - 7; i < end8; i += 8) {
      let w = dv.getUint32(i, true);
      let y = crc ^ (w & 0xffff);
      crc = t3[y & 0xff] ^ t2[y >>> 8] ^ t1[(w >>> 16) & 0xff] ^ t0[w >>> 24];
      w = dv.getUint32(i + 4, true);
      y = crc ^ (w & 0xffff);
      crc = t3[y & 0xff] ^ t2[y >>> 8] ^ t1[(w >>> 16) & 0xff] ^ t0[w >>> 24];
    }
  }
  for (; i < end; i++) crc = (crc >>> 8) ^ t0[(crc ^ bytes[i]) & 0xff];
  return crc;
}

/** True when the two bytes at `at` (LSB first) equal the CRC-16/X.25 of bytes[start, at). */
export function checkCrc16X25(
  bytes: Uint8Array,
  start: number,
  at: number,
  x25: (bytes: Uint8Array, start: number, end: number) => number = crc16X25,
): boolean {
  const crc = x25(bytes, start, at);
  return bytes[at] === (crc & 0xff) && bytes[at + 1] === crc >>> 8;
}
