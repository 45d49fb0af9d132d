/**
 * Broken input is rejected with a reason and never decoded into numbers: the broken vectors,
 * every single-byte corruption and every dropped byte of real frames, every truncation.
 */
import type { FrameResult } from '../../decoders/frame-result';
import { decodeAll, loadHanVectors } from './vectors';

const vectors = loadHanVectors();
const byName = (n: string) => vectors.find((v) => v.name === n)!;
const errors = (rs: FrameResult[]) => rs.filter((r) => !r.ok).map((r) => (r as { error: { code: string } }).error.code);
const oks = (rs: FrameResult[]) => rs.filter((r) => r.ok);

/** Good, unencrypted-or-keyed vectors that decode to exactly one reading. */
const good = vectors.filter((v) => !['karl-gustav-ams-han/TestCrc16Invalid', 'node-dsmr-parser/described-list', 'node-dsmr-parser/iskra-1'].includes(v.name));

describe('broken HAN vectors', () => {
  test('TestCrc16Invalid (corrupt header) is rejected on its HCS', () => {
    const rs = decodeAll(byName('karl-gustav-ams-han/TestCrc16Invalid'));
    expect(oks(rs)).toEqual([]);
    expect(errors(rs)).toContain('checksum');
  });

  test('described-list: FCS does not match (the source itself says crcValid: false) -> checksum', () => {
    const v = byName('node-dsmr-parser/described-list');
    expect(v.sidecar.expected_source.crcValid).toBe(false);
    const rs = decodeAll(v);
    expect(oks(rs)).toEqual([]);
    expect(errors(rs)).toEqual(['checksum']);
  });

  test('iskra-1: structure declares 12 elements but the frame ends inside the 10th -> malformed, not partial numbers', () => {
    // node-dsmr-parser decodes 1.8.0/2.8.0 from this (synthetic) frame and reports the rest null;
    // by the A-XDR rules the APDU is incomplete, so we reject it as a whole.
    const rs = decodeAll(byName('node-dsmr-parser/iskra-1'));
    expect(oks(rs)).toEqual([]);
    expect(errors(rs)).toEqual(['malformed']);
  });

  test('encrypted frames without a key: encrypted-no-key', () => {
    for (const v of good.filter((x) => x.options.encryptionKey)) {
      const rs = decodeAll({ ...v, options: {} });
      expect({ name: v.name, codes: errors(rs) }).toEqual({ name: v.name, codes: ['encrypted-no-key'] });
    }
  });

  test('encrypted frames with a wrong key: decrypt-failed (tag mismatch, or garbage plaintext when no AK)', () => {
    for (const v of good.filter((x) => x.options.encryptionKey)) {
      const key = new Uint8Array(v.options.encryptionKey!);
      key[0] ^= 1;
      const rs = decodeAll({ ...v, options: { ...v.options, encryptionKey: key } });
      expect({ name: v.name, codes: errors(rs) }).toEqual({ name: v.name, codes: ['decrypt-failed'] });
    }
  });

  test('a key of the wrong size is reported per frame, never thrown', () => {
    for (const v of good.filter((x) => x.options.encryptionKey)) {
      for (const n of [0, 5, 32]) {
        const rs = decodeAll({ ...v, options: { encryptionKey: new Uint8Array(n), authenticationKey: new Uint8Array(n) } });
        expect({ name: v.name, n, codes: errors(rs) }).toEqual({ name: v.name, n, codes: ['decrypt-failed'] });
      }
    }
  });

  test('wrong authentication key: tag mismatch -> decrypt-failed', () => {
    const v = byName('node-dsmr-parser/encrypted/aidon-example-2-with-aad');
    const ak = new Uint8Array(v.options.authenticationKey!);
    ak[5] ^= 0x80;
    const rs = decodeAll({ ...v, options: { ...v.options, authenticationKey: ak } });
    expect(errors(rs)).toEqual(['decrypt-failed']);
  });
});

describe('corruption never decodes', () => {
  for (const v of good) {
    test(`${v.name}: every single-byte change is rejected`, () => {
      const step = v.bytes.length > 300 ? 3 : 1;
      for (let i = 0; i < v.bytes.length; i += step) {
        const b = new Uint8Array(v.bytes);
        b[i] ^= 0x24;
        const rs = decodeAll(v, b);
        if (oks(rs).length !== 0) throw new Error(`byte ${i} flipped still decoded`);
      }
    });

    test(`${v.name}: a dropped byte anywhere is rejected`, () => {
      const step = v.bytes.length > 300 ? 5 : 1;
      for (let i = 0; i < v.bytes.length; i += step) {
        // One of two adjacent flags (7E 7E between segments) carries no data: dropping it is harmless.
        const x = v.bytes;
        if (x[i] === 0x7e && !v.isMbus && (x[i - 1] === 0x7e || x[i + 1] === 0x7e)) continue;
        const b = new Uint8Array(v.bytes.length - 1);
        b.set(v.bytes.subarray(0, i), 0);
        b.set(v.bytes.subarray(i + 1), i);
        const rs = decodeAll(v, b);
        if (oks(rs).length !== 0) throw new Error(`byte ${i} dropped still decoded`);
      }
    });

    test(`${v.name}: every prefix yields no reading, reports truncation, never throws`, () => {
      for (let n = 1; n < v.bytes.length; n++) {
        const rs = decodeAll(v, v.bytes.subarray(0, n));
        if (oks(rs).length !== 0) throw new Error(`prefix ${n} decoded`);
      }
      expect(errors(decodeAll(v, v.bytes.subarray(0, v.bytes.length - 1)))).toContain('truncated');
    });
  }
});
