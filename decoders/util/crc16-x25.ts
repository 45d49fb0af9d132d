/**
 * CRC-16/X.25 (a.k.a. CRC-16/IBM-SDLC, the HDLC FCS of ISO/IEC 13239 used by IEC 62056-46):
 * polynomial 0x1021 processed LSB first (reflected 0x8408), init 0xFFFF, final XOR 0xFFFF.
 * On the wire the 16-bit result is sent least significant byte first.
 *
 * Table-driven: one 256-entry table, built once when the module is evaluated and only read
 * afterwards (so it may be preloaded and frozen on Moddable, like the OBIS index).
 */

function buildTable(): Uint16Array {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
    t[i] = crc;
  }
  return t;
}

const TABLE = buildTable();

/** CRC-16/X.25 of bytes[start, end). */
export function crc16X25(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = TABLE;
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]) & 0xff];
  return (crc ^ 0xffff) & 0xffff;
}

/** True when the two bytes at `at` (LSB first) equal the CRC-16/X.25 of bytes[start, at). */
export function checkCrc16X25(bytes: Uint8Array, start: number, at: number): boolean {
  const crc = crc16X25(bytes, start, at);
  return bytes[at] === (crc & 0xff) && bytes[at + 1] === crc >>> 8;
}
