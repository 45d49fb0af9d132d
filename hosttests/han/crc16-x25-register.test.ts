/**
 * crc16X25Register lets the HDLC splitter continue the frame check (FCS) from the register the
 * header check (HCS) left, instead of running the CRC over the header twice. Chained over any
 * split of a range it must give exactly the one-pass CRC, on every length (its short, 16-31 byte
 * and sliced paths) and at every byte offset of the view.
 */
import { crc16X25, crc16X25Register } from '../../decoders/util/crc16-x25';

/** Bit-by-bit CRC-16/X.25 (reflected 0x8408, init and final XOR 0xFFFF): the reference. */
function bitwise(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i];
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return (crc ^ 0xffff) & 0xffff;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

describe('crc16X25Register', () => {
  it('gives the check value of CRC-16/X.25 ("123456789" -> 0x906E)', () => {
    const b = Uint8Array.from('123456789', (c) => c.charCodeAt(0));
    expect((crc16X25Register(b, 0, b.length, 0xffff) ^ 0xffff) & 0xffff).toBe(0x906e);
    expect(crc16X25(b)).toBe(0x906e);
  });

  it('chained over any split equals the one-pass CRC, every length 0..100, every offset mod 4', () => {
    const rnd = seeded(7);
    const buffer = new Uint8Array(120);
    for (let i = 0; i < buffer.length; i++) buffer[i] = Math.floor(rnd() * 256);
    for (let offset = 0; offset < 4; offset++) {
      const view = buffer.subarray(offset);
      for (let length = 0; length <= 100; length++) {
        const reference = bitwise(view, 3, 3 + length);
        expect(crc16X25(view, 3, 3 + length)).toBe(reference);
        const split = 3 + Math.floor(rnd() * (length + 1));
        const register = crc16X25Register(view, split, 3 + length, crc16X25Register(view, 3, split, 0xffff));
        expect((register ^ 0xffff) & 0xffff).toBe(reference);
      }
    }
  });
});
