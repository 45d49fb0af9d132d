/**
 * Table-driven CRC-16 for the reflected (LSB-first) polynomials both meter families use:
 * CRC-16/ARC for the DSMR P1 telegram (crc16-arc.ts) and CRC-16/X.25 for the HDLC HCS/FCS
 * (crc16-x25.ts). They differ only in polynomial, initial value and final XOR.
 *
 * "Slicing by 4": T0 is the usual byte table; Tk[i] is the CRC contribution of byte i followed by
 * k zero bytes, so four bytes fold with four independent look-ups and no shift of the running CRC
 * between them. Tables (2 KiB a polynomial) are built once when a module is evaluated and only read
 * afterwards (they may be preloaded and frozen on Moddable).
 * XS: 15.4 computrons a byte with the four bytes read as one little-endian DataView word (17.2 with
 * byte loads, 23.5-28 for the byte table; slicing by 8 would need another 2 KiB of tables for about
 * the same gain as the DataView read).
 */

export type Crc16Tables = readonly [Uint16Array, Uint16Array, Uint16Array, Uint16Array];

/** The four slicing tables of a reflected polynomial (e.g. 0xA001 for ARC, 0x8408 for X.25). */
export function crc16SliceTables(reflectedPoly: number): Crc16Tables {
  const t0 = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ reflectedPoly : c >>> 1;
    t0[i] = c;
  }
  const next = (prev: Uint16Array): Uint16Array => {
    const t = new Uint16Array(256);
    for (let i = 0; i < 256; i++) t[i] = (prev[i] >>> 8) ^ t0[prev[i] & 0xff];
    return t;
  };
  const t1 = next(t0);
  const t2 = next(t1);
  return [t0, t1, t2, next(t2)];
}

/** The running CRC over bytes[start, end), continuing from `crc` (no initial value or final XOR applied). */
export function crc16Update(tables: Crc16Tables, bytes: Uint8Array, start: number, end: number, crc: number): number {
  const t0 = tables[0];
  const t1 = tables[1];
  const t2 = tables[2];
  const t3 = tables[3];
  let i = start;
  if (end - start >= 32) {
    // Four bytes in one little-endian DataView read (one call instead of four loads and shifts).
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
