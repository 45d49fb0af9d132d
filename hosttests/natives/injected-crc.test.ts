/**
 * DecoderOptions.crc16: the device passes Moddable's native CRC-16s instead of the JavaScript
 * tables. The splitters must call the injected function for every check (so the device really
 * saves the per-byte loop) and must trust its answer (a wrong CRC function rejects frames).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameResult } from '../../decoders/frame-result';
import { MeterStream } from '../../decoders/meter-stream';
import { crc16Arc } from '../../decoders/util/crc16-arc';
import { crc16X25 } from '../../decoders/util/crc16-x25';
import { parseHexText } from '../../decoders/util/hex';

const vectors = join(__dirname, '..', 'vectors');
const dsmr = new Uint8Array(readFileSync(join(vectors, 'p1/ndokter-dsmr_parser/telegram_v5.txt')));
const hdlc = parseHexText(readFileSync(join(vectors, 'han/node-dsmr-parser/aidon-example-1.hex'), 'utf8'));

function run(
  bytes: Uint8Array,
  crc16: { arc?: (b: Uint8Array, s: number, e: number) => number; x25?: (b: Uint8Array, s: number, e: number) => number },
): FrameResult[] {
  const out: FrameResult[] = [];
  const stream = new MeterStream({ crc16 });
  stream.push(bytes, (r) => out.push(r));
  stream.flush((r) => out.push(r));
  return out;
}

describe('injected CRC-16 functions', () => {
  test('a P1 telegram is checked with the injected CRC-16/ARC over "/" .. "!"', () => {
    const calls: Array<[number, number]> = [];
    const out = run(dsmr, {
      arc: (b, s, e) => {
        calls.push([s, e]);
        return crc16Arc(b, s, e);
      },
    });
    expect(out.filter((r) => r.ok)).toHaveLength(1);
    expect(calls.length).toBeGreaterThanOrEqual(1);
    const bang = dsmr.indexOf(0x21);
    expect(calls.some(([s, e]) => e - s === bang + 1)).toBe(true);
  });

  test('a wrong CRC-16/ARC makes the telegram a checksum error, never a reading', () => {
    const out = run(dsmr, { arc: (b, s, e) => crc16Arc(b, s, e) ^ 1 });
    expect(out.some((r) => r.ok)).toBe(false);
    expect(out.some((r) => !r.ok && r.error.code === 'checksum')).toBe(true);
  });

  test('an HDLC frame is checked with the injected CRC-16/X.25 (HCS and FCS)', () => {
    let calls = 0;
    const out = run(hdlc, {
      x25: (b, s, e) => {
        calls++;
        return crc16X25(b, s, e);
      },
    });
    expect(out.filter((r) => r.ok && r.format === 'hdlc')).toHaveLength(1);
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  test('a wrong CRC-16/X.25 decodes nothing from the HDLC frame', () => {
    const out = run(hdlc, { x25: (b, s, e) => crc16X25(b, s, e) ^ 0x8000 });
    expect(out.some((r) => r.ok)).toBe(false);
  });
});

describe('asciiTextWith (DecoderOptions.asciiText from a TextDecoder)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { asciiTextWith } = require('../../decoders/util/native-ascii') as typeof import('../../decoders/util/native-ascii');
  const ascii = asciiTextWith(new TextDecoder());
  test('gives one character per byte for ASCII, over the asked range only', () => {
    expect(ascii(Uint8Array.of(0x2f, 0x41, 0x21, 0x0d, 0x0a), 1, 3)).toBe('A!');
    expect(ascii(dsmr, 0, dsmr.length)).toBe(String.fromCharCode(...dsmr));
  });
  test('refuses bytes it cannot map one to one (the caller falls back to its Latin-1 path)', () => {
    expect(ascii(Uint8Array.of(0x41, 0xc3, 0xa9), 0, 3)).toBeUndefined(); // valid UTF-8, 2 bytes -> 1 char
    expect(ascii(Uint8Array.of(0x41, 0x80, 0x42), 0, 3)).toBeUndefined(); // invalid byte -> U+FFFD
    expect(ascii(Uint8Array.of(0x7e, 0xa0, 0x7e), 0, 3)).toBeUndefined(); // HDLC-like binary
  });
});
