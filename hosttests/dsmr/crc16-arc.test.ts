/**
 * CRC-16/ARC (the DSMR telegram checksum) against a bit-by-bit reference written from the
 * definition (reflected polynomial 0xA001, init 0, no final XOR): every length 0..40 and random
 * slices and continuations, so the slicing-by-16 fast path (aligned head bytes, the 16-byte loop,
 * the 4-byte word tail, the byte tail) is compared at every alignment of the view.
 */
import { crc16Arc } from '../../decoders/util/crc16-arc';
import { crc16SliceTables, foldWordsDataView } from '../../decoders/util/crc16-reflected';

function reference(bytes: Uint8Array, start: number, end: number, crc: number): number {
  for (let i = start; i < end; i++) {
    crc ^= bytes[i];
    for (let k = 0; k < 8; k++) crc = (crc & 1) !== 0 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

let seed = 12345;
const rand = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
};

test('check value "123456789" = 0xBB3D', () => {
  expect(crc16Arc(new Uint8Array([49, 50, 51, 52, 53, 54, 55, 56, 57]))).toBe(0xbb3d);
});

test('every length 0..40 and random slices / continuations match the bitwise reference', () => {
  const data = new Uint8Array(2000);
  for (let i = 0; i < data.length; i++) data[i] = rand(256);
  for (let n = 0; n <= 40; n++) expect({ n, crc: crc16Arc(data, 0, n) }).toEqual({ n, crc: reference(data, 0, n, 0) });
  for (let t = 0; t < 300; t++) {
    const start = rand(1000);
    const end = start + rand(1000);
    const init = rand(0x10000);
    expect({ start, end, init, crc: crc16Arc(data, start, end, init) }).toEqual({ start, end, init, crc: reference(data, start, end, init) });
  }
});

test('views at every byte offset (the word loop reads through an aligned Uint32Array) match the reference', () => {
  const data = new Uint8Array(600);
  for (let i = 0; i < data.length; i++) data[i] = rand(256);
  for (let offset = 0; offset < 8; offset++) {
    const view = data.subarray(offset, offset + 500);
    for (let t = 0; t < 60; t++) {
      const start = rand(40);
      const end = start + 20 + rand(120);
      expect({ offset, start, end, crc: crc16Arc(view, start, end) }).toEqual({ offset, start, end, crc: reference(view, start, end, 0) });
    }
  }
});

test('the big-endian fallback (words through DataView) folds like the byte loop', () => {
  const tables = crc16SliceTables(0xa001);
  const data = new Uint8Array(256);
  for (let i = 0; i < data.length; i++) data[i] = rand(256);
  for (let t = 0; t < 100; t++) {
    const words = rand(60);
    const at = rand(8);
    const init = rand(0x10000);
    const view = new DataView(data.buffer, at, words * 4);
    expect({ words, at, init, crc: foldWordsDataView(tables, view, words, init) }).toEqual({ words, at, init, crc: reference(data, at, at + words * 4, init) });
  }
});
