/**
 * Splitter bounds and framing details on real frames: buffers never grow past maxFrameBytes,
 * segmented APDUs larger than the bound are refused, M-Bus segments must arrive in order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameResult } from '../../decoders/frame-result';
import { HdlcSplitter } from '../../decoders/hdlc/hdlc-splitter';
import { MbusSplitter } from '../../decoders/mbus/mbus-splitter';
import { MeterStream } from '../../decoders/meter-stream';
import { loadHanVectors } from './vectors';

const vectors = loadHanVectors();
const named = (n: string) => vectors.find((v) => v.name === n)!;
const codes = (rs: FrameResult[]) => rs.map((r) => (r.ok ? 'ok' : r.error.code));

function feed(s: { push(b: Uint8Array, e: (r: FrameResult) => void): void; flush(e: (r: FrameResult) => void): void }, ...parts: Uint8Array[]) {
  const out: FrameResult[] = [];
  for (const p of parts) s.push(p, (r) => out.push(r));
  s.flush((r) => out.push(r));
  return out;
}

test('HDLC frame longer than maxFrameBytes: overflow, and the next frame is still found', () => {
  const big = named('ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L375-1').bytes; // 377 bytes
  const small = named('ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-1').bytes;
  const rs = feed(new HdlcSplitter({ maxFrameBytes: 256 }), big, small);
  expect(codes(rs)).toEqual(['overflow', 'ok']);
});

test('segmented HDLC APDU larger than maxFrameBytes: overflow, no reading', () => {
  const seg = named('node-dsmr-parser/aidon-example-2-segmented').bytes; // 3 frames of ~200 bytes
  const rs = feed(new HdlcSplitter({ maxFrameBytes: 400 }), seg);
  expect(codes(rs)).toContain('overflow');
  expect(codes(rs)).not.toContain('ok');
  expect(codes(feed(new HdlcSplitter({ maxFrameBytes: 1024 }), seg))).toEqual(['ok']);
});

test('a lost middle HDLC segment: the joined APDU never decodes', () => {
  const seg = named('node-dsmr-parser/aidon-example-2-segmented').bytes;
  const withoutMiddle = new Uint8Array([...seg.subarray(0, 201), ...seg.subarray(402)]);
  const rs = feed(new HdlcSplitter(), withoutMiddle);
  expect(codes(rs)).not.toContain('ok');
  expect(rs.length).toBeGreaterThan(0);
});

test('M-Bus: second segment alone or segments swapped are refused', () => {
  const m = named('node-dsmr-parser/m-bus/austria-example-1');
  const first = m.bytes.subarray(0, 256);
  const second = m.bytes.subarray(256);
  expect(codes(feed(new MbusSplitter(m.options), second))).toEqual(['truncated']);
  expect(codes(feed(new MbusSplitter(m.options), second, first))).toEqual(['truncated', 'truncated']);
  expect(codes(feed(new MbusSplitter(m.options), first, second))).toEqual(['ok']);
  // a first segment followed by a new first segment restarts the APDU
  expect(codes(feed(new MbusSplitter(m.options), first, first, second))).toEqual(['ok']);
});

test('MeterStream: a P1 line that becomes a HAN line unlocks and finds HDLC', () => {
  const p1 = new Uint8Array(readFileSync(join(__dirname, '..', 'vectors', 'p1', 'ndokter-dsmr_parser', 'telegram_iskra_ie.txt')));
  const s = new MeterStream();
  const out: FrameResult[] = [];
  s.push(p1, (r) => out.push(r));
  s.push(new TextEncoder().encode('\r\n'), (r) => out.push(r));
  expect(s.detectedFormat()).toBe('dsmr');
  const h = named('ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1').bytes;
  for (let i = 0; i < 60; i++) s.push(h, (r) => out.push(r));
  expect(s.detectedFormat()).toBe('hdlc');
  expect(out.filter((r) => r.ok && r.format === 'hdlc').length).toBeGreaterThan(20);
});
