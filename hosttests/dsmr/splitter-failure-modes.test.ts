/**
 * The DSMR splitter on hostile streams, one failure mode per test (named after it, as
 * ndokter/dsmr_parser and esphome dsmr_parser do). Real telegrams from the vector folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecoderOptions, FrameResult } from '../../decoders/frame-result';
import { DsmrSplitter } from '../../decoders/dsmr/splitter';
import { MeterStream } from '../../decoders/meter-stream';
import { crc16Arc } from '../../decoders/util/crc16-arc';
import { latin1Bytes } from '../../decoders/util/ascii';
import { P1_ROOT } from './vectors';

const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(P1_ROOT, name)));
const V5 = read('ndokter-dsmr_parser/telegram_v5.txt'); // DSMR 5, CRC 6EEE
const V42 = read('ndokter-dsmr_parser/telegram_v4_2.txt'); // DSMR 4.2, CRC 6796
const V22 = read('ndokter-dsmr_parser/telegram_v2_2.txt'); // DSMR 2.2, no CRC

const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const text = (s: string): Uint8Array => latin1Bytes(s);

function split(bytes: Uint8Array, options: DecoderOptions = {}, chunk = bytes.length): { results: FrameResult[]; garbage: number } {
  const s = new DsmrSplitter(options);
  const results: FrameResult[] = [];
  for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk), (r) => results.push(r));
  s.flush((r) => results.push(r));
  return { results, garbage: s.garbageBytes() };
}
const codes = (rs: FrameResult[]): string[] => rs.map((r) => (r.ok ? 'ok' : r.error.code));
const reading = (r: FrameResult | undefined) => (r && r.ok ? r.reading : undefined);
const alone = (t: Uint8Array) => reading(split(t).results[0]);

/** Index just past the CRC digits of a telegram (the '!' plus 4 hex). */
const crcEnd = (t: Uint8Array): number => t.lastIndexOf(0x21) + 5;

test('CRC-16/ARC check value and a real telegram', () => {
  expect(crc16Arc(text('123456789'))).toBe(0xbb3d);
  const bang = V5.lastIndexOf(0x21);
  expect(crc16Arc(V5, 0, bang + 1)).toBe(0x6eee);
});

test('telegram preceded by an unclosed one: the cut one is truncated, the next decodes', () => {
  const cut = V42.subarray(0, 300);
  const { results } = split(cat(cut, V5));
  expect(codes(results)).toEqual(['truncated', 'ok']);
  expect(reading(results[1])).toEqual(alone(V5));
});

test('telegram trailed by an unopened one: the tail without "/" is skipped and counted, no error', () => {
  const tail = V42.subarray(200);
  const { results, garbage } = split(cat(V5, tail));
  expect(codes(results)).toEqual(['ok']);
  expect(garbage).toBe(tail.length);
});

test('garbage between telegrams: both decode, the garbage is counted', () => {
  const junk = text('\x00\xff noise 1-0:1.7.0(99.999*kW) !FFFF\r\n');
  const { results, garbage } = split(cat(junk, V5, junk, V42));
  expect(codes(results)).toEqual(['ok', 'ok']);
  expect(garbage).toBe(2 * junk.length);
});

test('back-to-back telegrams with and without the CR LF between them', () => {
  expect(codes(split(cat(V5, V42, V5)).results)).toEqual(['ok', 'ok', 'ok']);
  const noCrlf = V5.subarray(0, crcEnd(V5));
  expect(codes(split(cat(noCrlf, noCrlf, V42)).results)).toEqual(['ok', 'ok', 'ok']);
});

test('telegram cut at every byte position, then a whole one: never a wrong reading, the next always decodes', () => {
  const expected = alone(V42);
  const end = crcEnd(V5);
  const firstValue = V5.indexOf(0x28); // "("
  for (let k = 1; k < V5.length; k++) {
    const { results, garbage } = split(cat(V5.subarray(0, k), V42));
    const last = results[results.length - 1];
    expect({ k, last: reading(last) }).toEqual({ k, last: expected });
    if (k <= firstValue) {
      // Cut before its first value: no telegram at all (a '/' in garbage, a header that never
      // went on), its bytes counted as garbage.
      expect({ k, n: results.length, garbage }).toEqual({ k, n: 1, garbage: k });
      continue;
    }
    expect({ k, n: results.length }).toEqual({ k, n: 2 });
    const first = results[0];
    if (k >= end) expect({ k, first: codes([first]) }).toEqual({ k, first: ['ok'] });
    else expect({ k, first: codes([first])[0] }).toEqual({ k, first: k === end - 4 ? 'missing-checksum' : 'truncated' });
  }
});

test('any chunking gives the same results as one chunk (chunk edges at every size 1..64)', () => {
  const stream = cat(text('xx'), V5, V42.subarray(0, 500), V22, text('junk'), V42);
  const whole = split(stream);
  for (let size = 1; size <= 64; size++) {
    const chunked = split(stream, {}, size);
    expect({ size, codes: codes(chunked.results), garbage: chunked.garbage }).toEqual({ size, codes: codes(whole.results), garbage: whole.garbage });
    expect(chunked.results.map(reading)).toEqual(whole.results.map(reading));
  }
});

test('bad CRC: rejected as checksum and never parsed into numbers', () => {
  const bad = V5.slice();
  const at = bad.indexOf(0x2e, 60); // a '.' inside a value
  bad[at - 1] = bad[at - 1] === 0x31 ? 0x32 : 0x31;
  const { results } = split(bad);
  expect(codes(results)).toEqual(['checksum']);
  expect(results[0].ok).toBe(false);
  expect('reading' in results[0]).toBe(false);
  // Only an explicit skipChecksum parses it, and the reading says so.
  const skipped = split(bad, { skipChecksum: true }).results[0];
  expect(skipped.ok && skipped.reading.checksumChecked).toBe(false);
});

test('missing CRC: DSMR 5 rejected as missing-checksum, DSMR 2.2 (never has one) accepted', () => {
  const bang = V5.lastIndexOf(0x21);
  const noCrc = cat(V5.subarray(0, bang + 1), text('\r\n'));
  expect(codes(split(noCrc).results)).toEqual(['missing-checksum']);
  expect(codes(split(V22).results)).toEqual(['ok']);
  expect(alone(V22)?.energyImportTariffWh).toEqual([1001, 1001]);
});

test('7E1 read as 8N1 (parity bit set): bytes masked, same reading as the clean telegram', () => {
  const parity = V22.map((b) => {
    let ones = 0;
    for (let x = b; x; x >>= 1) ones += x & 1;
    return ones % 2 === 1 ? b | 0x80 : b;
  });
  expect(parity[0]).toBe(0xaf);
  const { results } = split(cat(text('\x80\x8d'), parity, parity));
  expect(codes(results)).toEqual(['ok', 'ok']);
  expect(reading(results[0])).toEqual(alone(V22));
});

test('oversized telegram: reported once as overflow, the buffer stays bounded, the next one decodes', () => {
  const big = cat(V42.subarray(0, V42.lastIndexOf(0x21)), V42.subarray(20, 400), text('!0000\r\n'));
  const small = text('/ISk5\\2MT382-1000\r\n\r\n1-0:1.7.0(001.19*kW)\r\n!\r\n');
  const { results } = split(cat(big, small), { maxFrameBytes: 512 });
  expect(codes(results)).toEqual(['overflow', 'ok']);
  expect(reading(results[1])?.powerImportW).toBe(1190);
});

test('a "/" inside a text value does not cut the telegram; one inside an unclosed value does', () => {
  const withSlash = text('/ISk5\\2MT382-1003\r\n\r\n0-0:96.13.0(test-/-test)\r\n1-0:1.7.0(0000.14*kW)\r\n!\r\n');
  expect(codes(split(withSlash).results)).toEqual(['ok']);
  expect(alone(withSlash)?.textMessage).toBe('test-/-test');
  const cutInValue = cat(text('/ISk5\\2MT382-1003\r\n\r\n1-0:1.8.1(0001'), V5);
  const { results } = split(cutInValue);
  expect(codes(results)).toEqual(['truncated', 'ok']);
  expect(reading(results[1])).toEqual(alone(V5));
});

test('3-digit unpadded CRC is accepted only when the line ends right after it', () => {
  const t = read('ndokter-dsmr_parser/telegram_unpadded_crc.txt');
  expect(codes(split(t).results)).toEqual(['ok']);
  const bang = t.lastIndexOf(0x21);
  expect(codes(split(cat(t.subarray(0, bang + 3), text('x'))).results)).toEqual(['truncated']);
});

test('random bytes and random cuts never throw and never give a reading without a valid telegram', () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = [V5, V42, V22, text('/'), text('!'), text('('), text(')\r\n')];
  for (let round = 0; round < 200; round++) {
    const parts: Uint8Array[] = [];
    for (let p = 0; p < 6; p++) {
      if (rnd(3) === 0) parts.push(Uint8Array.from({ length: rnd(80) }, () => rnd(256)));
      else {
        const src = pieces[rnd(pieces.length)];
        const a = rnd(src.length);
        parts.push(src.subarray(rnd(2) ? 0 : a, rnd(2) ? src.length : a + rnd(src.length - a + 1)));
      }
    }
    const { results } = split(cat(...parts), { maxFrameBytes: 1024 }, 1 + rnd(100));
    for (const r of results) {
      // CRC-protected (DSMR 4+) readings must be one of the real telegrams; a DSMR 2.2 piece
      // closed by a stray "!" is a valid CRC-less telegram by definition, so only those may differ.
      if (r.ok) {
        if (r.reading.dsmrVersion !== undefined) expect([alone(V5), alone(V42)]).toContainEqual(r.reading);
      } else expect(['truncated', 'checksum', 'missing-checksum', 'overflow']).toContain(r.error.code);
    }
  }
});

test('MeterStream front: garbage runs reported once each, counters add up', () => {
  const s = new MeterStream();
  const results: FrameResult[] = [];
  s.push(cat(text('@@@@'), V5, text('\r\n'), V42.subarray(0, 100), V5), (r) => results.push(r));
  s.flush((r) => results.push(r));
  expect(codes(results)).toEqual(['garbage', 'ok', 'truncated', 'ok']);
  const st = s.stats();
  expect(st).toMatchObject({ frames: 2, garbageBytes: 4, errors: { garbage: 1, truncated: 1 } });
  expect(s.detectedFormat()).toBe('dsmr');
});

test('missing CRC on a DSMR 5-era meter without a version line (time stamp 0-0:1.0.0 present) is rejected', () => {
  const t = read('ndokter-dsmr_parser/telegram_iskra_ie.txt');
  const bang = t.lastIndexOf(0x21);
  expect(codes(split(cat(t.subarray(0, bang + 1), text('\r\n'))).results)).toEqual(['missing-checksum']);
  // The same bytes with the CRC decode.
  expect(codes(split(t).results)).toEqual(['ok']);
});

test('7E1 telegram with a parity error is cut there (DSMR 2.2 has no CRC: parity is its only check)', () => {
  const parity = V22.map((b) => {
    let ones = 0;
    for (let x = b; x; x >>= 1) ones += x & 1;
    return ones % 2 === 1 ? b | 0x80 : b;
  });
  const bad = parity.slice();
  bad[60] ^= 0x01; // one bit flipped on the line: parity now odd
  const { results } = split(cat(bad, parity));
  expect(codes(results)).toEqual(['truncated', 'ok']);
  expect(reading(results[1])).toEqual(alone(V22));
});

test('0xDB inside a text "telegram" ends it, so an encrypted frame behind a stray "/" is not swallowed', () => {
  // A stray '/' before any value: garbage (stand-alone, the 0xDB too: no encrypted path here).
  const stray = split(cat(text('/junk'), new Uint8Array([0xdb, 0x08])));
  expect(codes(stray.results)).toEqual([]);
  expect(stray.garbage).toBe(7);
  // A telegram cut after its first value: truncated.
  expect(codes(split(cat(text('/ISk5\\2MT382-1000\r\n\r\n1-0:1.8.1(000'), new Uint8Array([0xdb, 0x08]))).results)).toEqual(['truncated']);
});

test('a "telegram" ending within its first 16 bytes is garbage, whatever it holds; from 16 bytes on a cut one with a value is truncated', () => {
  for (const unit of ['/()', '/()!', '/()!0000\r\n', '/(a/b)', '/(!)', '/123456789012()']) {
    const bytes = text(unit.repeat(60) + '/');
    const whole = split(bytes);
    // (the last '/' is still open at the end of input)
    expect({ unit, codes: codes(whole.results) }).toEqual({ unit, codes: ['truncated'] });
    expect({ unit, garbage: whole.garbage }).toEqual({ unit, garbage: bytes.length - 1 });
    for (const size of [1, 2, 5, 64])
      expect({ unit, size, r: codes(split(bytes, {}, size).results), g: split(bytes, {}, size).garbage }).toEqual({
        unit,
        size,
        r: codes(whole.results),
        g: whole.garbage,
      });
  }
  // 16 bytes with a value, cut by the next start: a cut telegram. Failures within 64 bytes of a
  // reported one are not reported again (one report per 64 bytes on a line breaking every
  // telegram); a good telegram ends that. (The last '/' is still open at the end of input.)
  const cut = text('/1234567890123()'.repeat(8) + '/');
  expect(codes(split(cut).results)).toEqual(['truncated', 'truncated', 'truncated']);
  for (const size of [1, 7, 64]) expect(codes(split(cut, {}, size).results)).toEqual(['truncated', 'truncated', 'truncated']);
  const withGood = cat(text('/1234567890123()'), V5, text('/1234567890123()/'));
  expect(codes(split(withGood).results)).toEqual(['truncated', 'ok', 'truncated', 'truncated']);
});

test("a stream of '/' (or 0xAF, or '/' CR LF, or header lines without values) is garbage, counted, not an error a byte", () => {
  for (const unit of ['/', '\xaf', '/\r\n', '/ISK5\\2M550T-1012\r\n']) {
    const bytes = text(unit.repeat(Math.ceil(1000 / unit.length)));
    for (const size of [1, 7, 128, bytes.length]) {
      const { results, garbage } = split(bytes, {}, size);
      // only the last start is still open at the end of input
      expect({ unit, size, codes: codes(results) }).toEqual({ unit, size, codes: ['truncated'] });
      expect({ unit, size, garbage }).toEqual({ unit, size, garbage: bytes.length - unit.length });
    }
  }
  // Through the front: one garbage report per maxFrameBytes, the CR LF not counted.
  const ms = new MeterStream({ maxFrameBytes: 256 });
  const results: FrameResult[] = [];
  const bytes = text('/\r\n'.repeat(1000));
  for (let i = 0; i < bytes.length; i += 128) ms.push(bytes.subarray(i, i + 128), (r) => results.push(r));
  expect(new Set(codes(results))).toEqual(new Set(['garbage']));
  expect(results.length).toBeLessThanOrEqual(Math.ceil(1000 / 256) + 1);
  expect(ms.stats().garbageBytes).toBe(999);
});

test('"/" .. "!" around nothing we know is malformed, not an empty reading; around no value at all it is garbage', () => {
  const junk = new Uint8Array([0x01, 0xff, 0x00, 0x7e, 0x13, 0x01, 0xff, 0x00, 0x7e, 0x13, 0x01, 0xff, 0x00, 0x7e, 0x13]);
  const noise = cat(text('/'), junk, text('(\r\n!\r\n'));
  expect(codes(split(noise).results)).toEqual(['malformed']);
  const noValue = cat(text('/'), junk, text('\r\n!\r\n'));
  const r = split(noValue);
  expect(codes(r.results)).toEqual([]);
  expect(r.garbage).toBe(noValue.length);
  for (const unit of ['/!', '/!12AB\r\n', '/x!1\r\n', '/x!12/']) {
    const bytes = text(unit.repeat(50));
    const whole = split(bytes);
    expect({ unit, codes: codes(whole.results) }).toEqual({ unit, codes: unit.endsWith('/') ? ['truncated'] : [] });
    for (const size of [1, 3, 7]) expect({ unit, size, garbage: split(bytes, {}, size).garbage }).toEqual({ unit, size, garbage: whole.garbage });
  }
});

test('overflow resumes hunting at the first byte that did not fit, whatever the chunking', () => {
  const stream = cat(V42, text('xx'), V22, V5);
  const whole = codes(split(stream, { maxFrameBytes: 300 }).results);
  for (const size of [1, 2, 3, 7, 64]) expect({ size, c: codes(split(stream, { maxFrameBytes: 300 }, size).results) }).toEqual({ size, c: whole });
  expect(whole[0]).toBe('overflow');
});

test('odd characters after "!" read the same when the CRC is taken in one piece or byte by byte', () => {
  // The four CRC digits in one chunk are read in one go (splitter crcInChunk); chunks of one
  // byte read them one at a time. Both must agree on every tail, valid or not.
  const body = V5.subarray(0, V5.lastIndexOf(0x21));
  const tails = [
    '!6EEE\r\n',
    '!6eee\r\n',
    '!6EEE',
    '!6EE\r\n',
    '!6EE',
    '!6E E\r\n',
    '!6EE \r\n',
    '!6EE\t\r\n',
    '!0x6E\r\n',
    '!+6EE\r\n',
    '!6e1\r\n',
    '!1e10\r\n',
    '!6EEF\r\n',
    '!\r\n',
    '!',
    '!6EEE\r\r\n',
    '!6EEE\n\n/',
    '!6EEE/',
    '!6E\xa0E\r\n',
    '!6EE\xa0\r\n',
    '!_6EE\r\n',
    '!6EEEE\r\n',
  ];
  for (const tail of tails) {
    const stream = cat(body, text(tail), V42);
    const whole = split(stream);
    const bytewise = split(stream, {}, 1);
    expect({ tail, codes: codes(whole.results), garbage: whole.garbage }).toEqual({ tail, codes: codes(bytewise.results), garbage: bytewise.garbage });
    expect(whole.results.map(reading)).toEqual(bytewise.results.map(reading));
    expect(whole.results.map((r) => (r.ok ? '' : r.error.message))).toEqual(bytewise.results.map((r) => (r.ok ? '' : r.error.message)));
  }
  expect(codes(split(cat(body, text('!6EEE\r\n'))).results)).toEqual(['ok']);
  expect(codes(split(cat(body, text('!6eee\r\n'))).results)).toEqual(['ok']);
});
