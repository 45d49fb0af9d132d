/**
 * CRC-16/ARC as DSMR 4+/5 uses it for the P1 telegram checksum (DSMR P1 Companion Standard
 * 5.0.2, 6.2): polynomial x^16+x^15+x^2+1 (0x8005) processed LSB first (reflected 0xA001),
 * initial value 0, no final XOR, computed over every byte from '/' up to and including '!'.
 * Check value of "123456789" is 0xBB3D. The table-driven loop is shared with CRC-16/X.25
 * (crc16-reflected.ts).
 */
import { crc16SliceTables, crc16Update } from './crc16-reflected';

const ARC_TABLES = crc16SliceTables(0xa001);

/** CRC over bytes[start, end), continuing from `crc` (0 to start). */
export function crc16Arc(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  return crc16Update(ARC_TABLES, bytes, start, end, crc);
}
