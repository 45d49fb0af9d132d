/**
 * Table-driven CRC-16 for the reflected (LSB-first) polynomials both meter families use:
 * CRC-16/ARC for the DSMR P1 telegram (crc16-arc.ts) and CRC-16/X.25 for the HDLC HCS/FCS
 * (crc16-x25.ts). They differ only in polynomial, initial value and final XOR.
 *
 * "Slicing by 16": T0 is the usual byte table; Tk[i] is the CRC contribution of byte i followed by
 * k zero bytes, so sixteen bytes fold with sixteen independent look-ups and no shift of the running
 * CRC between them. The bytes are read as little-endian 32-bit words through a Uint32Array view
 * from the first 4-aligned byte on (a view costs one construction per call; DataView.getUint32 is
 * a method call per word). Tables (8 KiB a polynomial) are built once when a module is evaluated and
 * only read afterwards (preloaded into flash on Moddable; the device injects its native CRC anyway).
 * XS, crc16Arc computrons a byte over 200 / 1000 / 4000 bytes: slicing by 16 with the view 14.6 /
 * 13.0 / 12.7; the former slicing by 4 with DataView reads 16.3 / 15.6 / 15.4 (loop alone: by 8
 * with the view 14.9 / 13.7 / 13.5; by 32 gains nothing more on telegram-sized ranges). (Plain Array tables would save one
 * more computron a byte in XS but take 4 KiB a table instead of 512 bytes.)
 */

/** T0..T15 of a reflected polynomial: Tk[i] = CRC contribution of byte i followed by k zero bytes. */
export type Crc16Tables = readonly Uint16Array[];

/** Slicing depth of the word loop (bytes folded per iteration). */
const SLICES = 16;

/** True when a Uint32Array reads memory little-endian (ESP32, x86, ARM): then it can stand in for DataView. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The sixteen slicing tables of a reflected polynomial (e.g. 0xA001 for ARC, 0x8408 for X.25). */
export function crc16SliceTables(reflectedPoly: number): Crc16Tables {
  const t0 = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ reflectedPoly : c >>> 1;
    t0[i] = c;
  }
  const tables: Uint16Array[] = [t0];
  for (let k = 1; k < SLICES; k++) {
    const prev = tables[k - 1];
    const t = new Uint16Array(256);
    for (let i = 0; i < 256; i++) t[i] = (prev[i] >>> 8) ^ t0[prev[i] & 0xff];
    tables.push(t);
  }
  return tables;
}

/** The running CRC over bytes[start, end), continuing from `crc` (no initial value or final XOR applied). */
export function crc16Update(tables: Crc16Tables, bytes: Uint8Array, start: number, end: number, crc: number): number {
  const t0 = tables[0];
  let i = start;
  if (end - start >= 32) {
    // Byte by byte up to a 4-aligned address, so the words can be read through a Uint32Array.
    const offset = bytes.byteOffset;
    for (; ((offset + i) & 3) !== 0; i++) crc = (crc >>> 8) ^ t0[(crc ^ bytes[i]) & 0xff];
    const words = (end - i) >>> 2;
    if (!LITTLE_ENDIAN)
      return crc16Tail(t0, bytes, i + words * 4, end, foldWordsDataView(tables, new DataView(bytes.buffer, offset + i, words * 4), words, crc));
    // The word loop is here rather than in a function of its own: a call and its arguments
    // are a tenth of a short telegram's CRC under XS.
    const u = new Uint32Array(bytes.buffer, offset + i, words);
    i += words * 4;
    const t1 = tables[1],
      t2 = tables[2],
      t3 = tables[3];
    const t4 = tables[4],
      t5 = tables[5],
      t6 = tables[6],
      t7 = tables[7];
    const t8 = tables[8],
      t9 = tables[9],
      t10 = tables[10],
      t11 = tables[11];
    const t12 = tables[12],
      t13 = tables[13],
      t14 = tables[14],
      t15 = tables[15];
    let k = 0;
    for (const end4 = words - 3; k < end4; k += 4) {
      const a = u[k] ^ crc;
      const b = u[k + 1];
      const c = u[k + 2];
      const d = u[k + 3];
      crc =
        t15[a & 0xff] ^
        t14[(a >>> 8) & 0xff] ^
        t13[(a >>> 16) & 0xff] ^
        t12[a >>> 24] ^
        t11[b & 0xff] ^
        t10[(b >>> 8) & 0xff] ^
        t9[(b >>> 16) & 0xff] ^
        t8[b >>> 24] ^
        t7[c & 0xff] ^
        t6[(c >>> 8) & 0xff] ^
        t5[(c >>> 16) & 0xff] ^
        t4[c >>> 24] ^
        t3[d & 0xff] ^
        t2[(d >>> 8) & 0xff] ^
        t1[(d >>> 16) & 0xff] ^
        t0[d >>> 24];
    }
    // The last 0-3 words four bytes at a time.
    for (; k < words; k++) {
      const w = u[k] ^ crc;
      crc = t3[w & 0xff] ^ t2[(w >>> 8) & 0xff] ^ t1[(w >>> 16) & 0xff] ^ t0[w >>> 24];
    }
  }
  for (; i < end; i++) crc = (crc >>> 8) ^ t0[(crc ^ bytes[i]) & 0xff];
  return crc;
}

/** The byte loop over bytes[i, end). */
function crc16Tail(t0: Uint16Array, bytes: Uint8Array, i: number, end: number, crc: number): number {
  for (; i < end; i++) crc = (crc >>> 8) ^ t0[(crc ^ bytes[i]) & 0xff];
  return crc;
}

/**
 * The word fold on a big-endian engine (a Uint32Array would read the words the other way round):
 * `count` little-endian words of `view` four bytes at a time. Exported for the tests, which run on
 * little-endian machines only.
 */
export function foldWordsDataView(tables: Crc16Tables, view: DataView, count: number, crc: number): number {
  const t0 = tables[0],
    t1 = tables[1],
    t2 = tables[2],
    t3 = tables[3];
  for (let k = 0; k < count; k++) {
    const w = view.getUint32(k * 4, true) ^ crc;
    crc = t3[w & 0xff] ^ t2[(w >>> 8) & 0xff] ^ t1[(w >>> 16) & 0xff] ^ t0[w >>> 24];
  }
  return crc;
}
