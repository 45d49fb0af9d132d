/**
 * The "non-standard 16-bit-length" M-Bus header of Austrian Sagemcom T210-D meters (Netz NÖ/EVN):
 * the first DLMS transport segment carries 257 bytes from C to the end of the data and is sent as
 * `68 01 01 68` (decoders/mbus/mbus-splitter.ts says where that layout is documented).
 *
 * Real captures: hosttests/vectors/han-nokey/amsreader-firmware/ (four users' meters, keys never
 * published). Without a key they can only end as 'encrypted-no-key', so these tests check what the
 * bytes do prove: every checksum and stop byte passes at L = 257, the two segments join into one
 * general-glo-ciphering APDU whose own length field (0x81 0xF8 = 248) matches exactly, and the
 * standard-header frames of another T210-D still work. Reading the header any other way fails the
 * checksum (tested below by breaking one byte).
 */
import type { FrameResult } from '../../decoders/frame-result';
import { MbusSplitter } from '../../decoders/mbus/mbus-splitter';
import { MeterStream } from '../../decoders/meter-stream';
import { VECTORS, capturesIn, codes, feed } from '../../tools/captures/han-captures';
import { join } from 'node:path';

const NOKEY = join(VECTORS, 'han-nokey', 'amsreader-firmware');
const captures = capturesIn(NOKEY);

function raw(r: FrameResult): Uint8Array {
  if (!r.raw) throw new Error('result without raw bytes');
  return r.raw;
}

test('the four Sagemcom captures are there', () => {
  expect(captures.map((c) => c.name)).toEqual(['sagemcom-t210d-gh155-4', 'sagemcom-t210d-gh155-6', 'sagemcom-t210d-gh248-3', 'sagemcom-t210d-gh867-1']);
});

describe.each(captures.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const telegrams = c.sidecar.expected_source.telegrams as number;

  test.each([c.bytes.length, 64, 7, 1])('every telegram framed and joined, chunks of %i', (chunk) => {
    const s = new MbusSplitter();
    const rs = feed(s, c.bytes, chunk);
    expect(codes(rs)).toEqual(new Array(telegrams).fill('encrypted-no-key'));
    expect(s.garbageBytes).toBe(0);
    for (const r of rs) {
      const apdu = raw(r);
      // general-glo-ciphering, 8-byte system title "SAGY...", length 0x81 0xF8, SC 0x20
      expect([apdu[0], apdu[1]]).toEqual([0xdb, 0x08]);
      expect(String.fromCharCode(apdu[2], apdu[3], apdu[4], apdu[5])).toBe('SAGY');
      expect([apdu[10], apdu[11], apdu[12]]).toEqual([0x81, 0xf8, 0x20]);
      expect(apdu.length).toBe(12 + 0xf8); // both segments joined, nothing lost or added
    }
  });

  test('the front locks onto M-Bus and says a key is missing', () => {
    const ms = new MeterStream();
    const rs: FrameResult[] = [];
    ms.push(c.bytes, (r) => rs.push(r));
    ms.flush((r) => rs.push(r));
    const mbus = rs.filter((r) => r.format === 'mbus').map((r) => (r.ok ? 'ok' : r.error.code));
    expect(mbus).toEqual(new Array(telegrams).fill('encrypted-no-key'));
    expect(ms.detectedFormat()).toBe('mbus');
    // Before the lock every splitter sees the bytes: in gh155-6 a 0x7E inside the ciphertext
    // starts an HDLC candidate that fails its check (reported once as hdlc:checksum). Nothing
    // else may come out, and never a reading.
    expect(rs.filter((r) => r.format !== 'mbus').map((r) => (r.ok ? 'ok' : `${r.format}:${r.error.code}`))).toEqual(
      c.name === 'sagemcom-t210d-gh155-6' ? ['hdlc:checksum'] : [],
    );
  });
});

test('gh155-4: ten telegrams, header 68 01 01 68 then 68 0D 0D 68, frame counters counting up by one', () => {
  const c = captures.find((x) => x.name === 'sagemcom-t210d-gh155-4')!;
  expect([...c.bytes.subarray(0, 4)]).toEqual([0x68, 0x01, 0x01, 0x68]);
  expect([...c.bytes.subarray(263, 267)]).toEqual([0x68, 0x0d, 0x0d, 0x68]);
  const rs = feed(new MbusSplitter(), c.bytes);
  const counters = rs.map((r) => {
    const a = raw(r);
    return ((a[13] << 24) | (a[14] << 16) | (a[15] << 8) | a[16]) >>> 0;
  });
  for (let i = 1; i < counters.length; i++) expect(counters[i]).toBe(counters[i - 1] + 1);
});

describe('a broken 257-byte frame is rejected, never decoded, and the next telegram still comes out', () => {
  const c = captures.find((x) => x.name === 'sagemcom-t210d-gh155-4')!;
  const two = c.bytes.slice(0, 2 * 282);

  test('one byte changed inside the first segment: checksum error, segment 2 reported lost, next telegram decoded', () => {
    const bad = two.slice();
    bad[100] ^= 0x01;
    const rs = feed(new MbusSplitter(), bad);
    const got = codes(rs);
    expect(got[0]).toBe('checksum');
    expect(got.filter((x) => x === 'encrypted-no-key')).toHaveLength(1); // only the intact second telegram
    expect(got[got.length - 1]).toBe('encrypted-no-key');
    // (after the failure the bytes are scanned again: 0x68 bytes inside the ciphertext may be
    // reported as malformed starts on the way)
    expect(rs.some((r) => !r.ok && /segment 1 without its predecessor/.test(r.error.message))).toBe(true);
  });

  test('stop byte lost after 257 bytes: truncated, then the next telegram', () => {
    const bad = two.slice();
    bad[262] = 0x00;
    expect(codes(feed(new MbusSplitter(), bad))).toContain('encrypted-no-key');
    expect(codes(feed(new MbusSplitter(), bad))[0]).toBe('truncated');
  });

  test('68 04 04 68 and 68 00 00 68 still mean nothing (too short for DLMS transport)', () => {
    for (const l of [0x00, 0x04]) {
      const bad = two.slice();
      bad[1] = l;
      bad[2] = l;
      const rs = feed(new MbusSplitter(), bad);
      expect(codes(rs)[0]).toBe('malformed');
      expect(codes(rs)).toContain('encrypted-no-key'); // the second telegram is found again
    }
  });

  test('length bytes that differ (01 02) are rejected as before', () => {
    const bad = two.slice();
    bad[2] = 0x02;
    const rs = feed(new MbusSplitter(), bad);
    expect(rs[0]).toMatchObject({ ok: false, error: { code: 'malformed', message: 'M-Bus length bytes differ or too short (1, 2)' } });
  });
});

/**
 * L = 2 and 3 (258 and 259 bytes) never occur in a capture; the splitter accepts them because
 * amsreader-firmware's MbusParser.cpp documents "L below 4 means L + 256". BUILT IN THIS TEST from
 * the real first telegram of gh155-4: one or two APDU bytes moved from segment 2 into segment 1,
 * L bytes and checksums recomputed. The same APDU must come out.
 */
test.each([2, 3])('documented layout, L = %i (built from a real telegram): the same APDU comes out', (l) => {
  const c = captures.find((x) => x.name === 'sagemcom-t210d-gh155-4')!;
  const real = c.bytes.slice(0, 282);
  const apdu = [...real.subarray(9, 261), ...real.subarray(272, 280)]; // 252 + 8 APDU bytes
  const move = l - 1;
  const frame = (lByte: number, head: Uint8Array, data: number[]): number[] => {
    const body = [...head.subarray(4, 9), ...data];
    const cs = body.reduce((s, b) => (s + b) & 0xff, 0);
    return [0x68, lByte, lByte, 0x68, ...body, cs, 0x16];
  };
  const first = apdu.slice(0, 252 + move);
  const second = apdu.slice(252 + move);
  const bytes = Uint8Array.from([...frame(l, real.subarray(0, 9), first), ...frame(5 + second.length, real.subarray(263, 272), second)]);
  expect(bytes.length).toBe(282);
  const want = feed(new MbusSplitter(), real);
  const got = feed(new MbusSplitter(), bytes, 3);
  expect(codes(got)).toEqual(['encrypted-no-key']);
  expect([...raw(got[0])]).toEqual([...raw(want[0])]);
});
