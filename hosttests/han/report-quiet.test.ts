/**
 * One report per 64 bytes on a line that breaks every short frame (decoders/hdlc/hdlc-splitter.ts,
 * decoders/mbus/mbus-splitter.ts, REPORT_QUIET): a reported failure claims its frame and at least
 * 64 bytes, failures starting inside are not reported again, a good frame ends the claim. Whatever
 * the chunking. (Without it the shortest broken frames, one every 8 bytes, cost an error result
 * each: the worst case of issue 13's bench.)
 */
import type { FrameResult } from '../../decoders/frame-result';
import { HdlcSplitter } from '../../decoders/hdlc/hdlc-splitter';
import { MbusSplitter } from '../../decoders/mbus/mbus-splitter';
import { loadHanVectors } from './vectors';

const vectors = loadHanVectors();
const named = (n: string) => vectors.find((v) => v.name === n)!;

function repeat(unit: number[], times: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push(...unit);
  return out;
}

function run(
  s: { push(c: Uint8Array, e: (r: FrameResult) => void): void; flush(e: (r: FrameResult) => void): void },
  bytes: Uint8Array,
  chunk: number,
): string[] {
  const out: string[] = [];
  const emit = (r: FrameResult) => out.push(r.ok ? 'ok' : r.error.code);
  for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk), emit);
  s.flush(emit);
  return out;
}

describe('a reported failure claims 64 bytes', () => {
  test('HDLC: the shortest frames (7 bytes between shared flags) with a wrong FCS, 40 of them: 5 reports; a good frame ends the claim', () => {
    const broken = repeat([0x7e, 0xa0, 0x07, 0x03, 0x01, 0x13, 0x00, 0x00], 40);
    const good = named('node-dsmr-parser/kamstrup-example-1');
    expect(good.options).toEqual({});
    const alone = Uint8Array.from([...broken, 0x7e]);
    const between = Uint8Array.from([...broken.slice(0, 16), ...good.bytes, ...broken.slice(0, 16), 0x7e]);
    for (const chunk of [1, 5, 128, 4096]) {
      // failures at format bytes 1, 65, 129, 193, 257 reported; the 35 between them not
      expect({ chunk, r: run(new HdlcSplitter(), alone, chunk) }).toEqual({ chunk, r: ['checksum', 'checksum', 'checksum', 'checksum', 'checksum'] });
      // two broken frames, a good one, two broken ones: the first of each pair reported
      expect({ chunk, r: run(new HdlcSplitter(), between, chunk) }).toEqual({ chunk, r: ['checksum', 'ok', 'checksum'] });
    }
  });

  test('M-Bus: the shortest long frames (L = 5, 11 bytes) with a wrong checksum, 30 of them: 5 reports; a good frame ends the claim', () => {
    const broken = repeat([0x68, 0x05, 0x05, 0x68, 0x53, 0xff, 0x10, 0x01, 0x67, 0x00, 0x16], 30);
    const good = named('node-dsmr-parser/m-bus/austria-example-1'); // encrypted: decoded with its key
    const alone = Uint8Array.from(broken);
    const between = Uint8Array.from([...broken.slice(0, 22), ...good.bytes, ...broken.slice(0, 22)]);
    for (const chunk of [1, 5, 128, 4096]) {
      // failures at 0, 66, 132, 198, 264 reported (each claims 64 bytes: the next frame start at or after it)
      expect({ chunk, r: run(new MbusSplitter(good.options), alone, chunk) }).toEqual({
        chunk,
        r: ['checksum', 'checksum', 'checksum', 'checksum', 'checksum'],
      });
      const r = run(new MbusSplitter(good.options), between, chunk);
      expect({ chunk, r: r.filter((c) => c !== 'ok') }).toEqual({ chunk, r: ['checksum', 'checksum'] });
      expect(r.indexOf('ok')).toBe(1);
    }
  });
});
