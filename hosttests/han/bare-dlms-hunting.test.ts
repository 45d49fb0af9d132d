/**
 * The bare-DLMS splitter's hunting (decoders/dlms/bare-dlms-splitter.ts): every "DB 08" judged
 * where it lies, wrong headers passed by, a header or frame cut by a chunk edge carried over.
 * Real APDUs (the glo-ciphering APDUs inside two real HDLC captures) behind hostile starts must
 * come out the same whatever the chunking; a start inside a link-layer frame is not taken.
 */
import type { FrameResult } from '../../decoders/frame-result';
import { BareDlmsSplitter } from '../../decoders/dlms/bare-dlms-splitter';
import { loadHanVectors } from './vectors';

const vectors = loadHanVectors();
const named = (n: string) => vectors.find((v) => v.name === n)!;

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const all = parts.map((p) => Uint8Array.from(p));
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function run(s: BareDlmsSplitter, bytes: Uint8Array, chunk: number): string[] {
  const out: FrameResult[] = [];
  const emit = (r: FrameResult) => out.push(r);
  for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk), emit);
  s.flush(emit);
  return out.map((r) => (r.ok ? `${r.format}:${r.reading.powerImportW}` : r.error.code));
}

const TITLE = [0x4b, 0x46, 0x4d, 0x10, 0x20, 0x02, 0xc8, 0xf5];
const HOSTILE = [
  [0xdb, 0xdb, 0xdb], // lone starts
  // "DB 08" repeated (then zeros: the last one's length is 0, so it does not take the APDU
  // after it as its body - bare DLMS has no checksum that would tell it was no frame)
  [0xdb, 0x08, 0xdb, 0x08, 0xdb, 0x08, 0xdb, 0x08, 0xdb, 0x08, 0xdb, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  [0xdb, 0x08, ...TITLE, 0x85, 0, 0], // a length of five bytes: no such header
  [0xdb, 0x08, ...TITLE, 0x03, 0x30], // a length below 5
  [0xdb, 0x08, ...TITLE, 0x82, 0xff, 0xff], // longer than the buffer
  [0xe6, 0xe7, 0x00, 0xdb, 0x08, ...TITLE, 0x10, 0x30, 1, 2, 3, 4], // after an LLC header: inside an HDLC frame
];

describe('bare DLMS hunting', () => {
  for (const name of ['austria/lg-e450-burgenland-lng2', 'node-dsmr-parser/encrypted/aidon-example-2-with-aad']) {
    test(`${name}: the APDU behind every hostile start, and after a stream of 0xDB, at every chunk size`, () => {
      const v = named(name);
      const b = v.bytes;
      const apdu = b.subarray(b.indexOf(0xdb), b.length - 3); // before FCS and closing flag
      const stream = concat(...HOSTILE.flatMap((h) => [h, apdu]), new Uint8Array(300).fill(0xdb), apdu, [0xdb, 0x08]);
      const whole = run(new BareDlmsSplitter(v.options), stream, stream.length);
      expect(whole.length).toBe(HOSTILE.length + 1);
      expect(new Set(whole).size).toBe(1);
      expect(whole[0]).toMatch(/^dlms:/);
      for (let chunk = 1; chunk <= 40; chunk++) expect({ chunk, r: run(new BareDlmsSplitter(v.options), stream, chunk) }).toEqual({ chunk, r: whole });
    });
  }
});
