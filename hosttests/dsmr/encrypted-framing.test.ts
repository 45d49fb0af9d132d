/**
 * Encrypted P1 (0xDB general-glo-ciphering around a telegram) on hostile streams, through the
 * MeterStream front: garbage around frames, back-to-back frames, a frame cut short, a false
 * 0xDB start, any chunking, a tampered byte, and our own encryption round trip (aesGcmEncrypt
 * building a frame exactly as the Smarty spec lays it out).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecoderOptions, FrameResult } from '../../decoders/frame-result';
import { aesGcmEncrypt } from '../../decoders/crypto/gcm';
import { decodeEncryptedDsmr } from '../../decoders/dsmr/encrypted';
import { MeterStream } from '../../decoders/meter-stream';
import { latin1Bytes } from '../../decoders/util/ascii';
import { parseHexText } from '../../decoders/util/hex';
import { P1_ROOT } from './vectors';

const FRAME = new Uint8Array(readFileSync(join(P1_ROOT, 'encrypted', 'esphome-smarty-synthetic.bin')));
const KEYS: DecoderOptions = {
  encryptionKey: parseHexText('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
  authenticationKey: parseHexText('00112233445566778899AABBCCDDEEFF'),
};

const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function run(bytes: Uint8Array, options: DecoderOptions = KEYS, chunk = bytes.length): FrameResult[] {
  const s = new MeterStream(options);
  const out: FrameResult[] = [];
  for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk), (r) => out.push(r));
  s.flush((r) => out.push(r));
  return out;
}
const codes = (rs: FrameResult[]): string[] => rs.map((r) => (r.ok ? `ok:${r.format}` : r.error.code));

test('one frame decodes to the T210-D-r telegram it carries', () => {
  const [r] = run(FRAME);
  expect(r.ok && r.reading).toMatchObject({ encrypted: true, powerImportW: 286, energyImportWh: 6545766, reactivePowerExportVar: 166 });
});

test('garbage around and back-to-back frames: every frame decodes', () => {
  const junk = new Uint8Array([0x00, 0x55, 0x12]);
  expect(codes(run(cat(junk, FRAME, FRAME, junk, FRAME))).filter((c) => c !== 'garbage')).toEqual([
    'ok:dsmr-encrypted',
    'ok:dsmr-encrypted',
    'ok:dsmr-encrypted',
  ]);
});

test('any chunking (1..40 bytes) gives the same result', () => {
  const stream = cat(FRAME, FRAME);
  for (let size = 1; size <= 40; size++) {
    expect({ size, c: codes(run(stream, KEYS, size)) }).toEqual({ size, c: ['ok:dsmr-encrypted', 'ok:dsmr-encrypted'] });
  }
});

test('a frame cut short is reported truncated at the end of input', () => {
  expect(codes(run(FRAME.subarray(0, 300)))).toEqual(['truncated']);
});

test('a tampered ciphertext byte fails authentication (decrypt-failed), never a reading', () => {
  const bad = FRAME.slice();
  bad[100] ^= 0x01;
  expect(codes(run(bad))).toEqual(['decrypt-failed']);
  // Without the authentication key the tag cannot be checked; the inner CRC still catches it.
  expect(codes(run(bad, { encryptionKey: KEYS.encryptionKey }))).toEqual(['checksum']);
});

test('a 0xDB that does not start a frame header is skipped and the real frame still decodes', () => {
  const falseStart = new Uint8Array([0xdb, 0x07, 0x41, 0x42]);
  const results = codes(run(cat(falseStart, FRAME)));
  expect(results.filter((c) => c.startsWith('ok'))).toEqual(['ok:dsmr-encrypted']);
});

test('our own frame built with aesGcmEncrypt (Smarty layout) round-trips, with a 12-byte tag', () => {
  const telegram = latin1Bytes('/ISk5\\2MT382-1000\r\n\r\n1-0:1.7.0(001.19*kW)\r\n!\r\n');
  const systemTitle = latin1Bytes('TESTMETR');
  const fc = new Uint8Array([0, 0, 0, 42]);
  const aad = cat(new Uint8Array([0x30]), KEYS.authenticationKey!);
  const { ciphertext, tag } = aesGcmEncrypt({ key: KEYS.encryptionKey!, iv: cat(systemTitle, fc), plaintext: telegram, aad, tagLength: 12 });
  const len = 1 + 4 + ciphertext.length + 12;
  const frame = cat(new Uint8Array([0xdb, 0x08]), systemTitle, new Uint8Array([0x82, len >> 8, len & 0xff, 0x30]), fc, ciphertext, tag);
  const r = decodeEncryptedDsmr(frame, KEYS);
  expect(r.ok && r.reading.powerImportW).toBe(1190);
  expect(codes(run(frame))).toEqual(['ok:dsmr-encrypted']);
  // Wrong authentication key: the tag does not match.
  const wrongAk = { ...KEYS, authenticationKey: new Uint8Array(16) };
  expect(codes([decodeEncryptedDsmr(frame, wrongAk)])).toEqual(['decrypt-failed']);
});

test('an unknown security control byte is unsupported, a frame shorter than its length field is malformed', () => {
  const sc = FRAME.slice();
  sc[13] = 0x10;
  expect(codes([decodeEncryptedDsmr(sc, KEYS)])).toEqual(['unsupported']);
  expect(codes([decodeEncryptedDsmr(FRAME.subarray(0, 200), KEYS)])).toEqual(['malformed']);
});

test('a cut-off frame whose length runs on into the next frame: that next frame still decodes (rescan)', () => {
  for (const cut of [20, 100, 300, FRAME.length - 1]) {
    const results = codes(run(cat(FRAME.subarray(0, cut), FRAME, FRAME)));
    expect({ cut, ok: results.filter((c) => c === 'ok:dsmr-encrypted').length }).toEqual({ cut, ok: 2 });
  }
});

test('a stray "/" before an encrypted frame does not swallow it', () => {
  const results = codes(run(cat(latin1Bytes('x/y'), FRAME)));
  expect(results.filter((c) => c.startsWith('ok'))).toEqual(['ok:dsmr-encrypted']);
});

test('a false 0xDB start whose header is rejected across a chunk boundary gives its bytes back (no telegram lost)', () => {
  const telegram = latin1Bytes('/ISk5\\2MT382-1000\r\n\r\n1-0:1.7.0(001.19*kW)\r\n!\r\n');
  const stream = cat(new Uint8Array([0x41, 0xdb, 0x17]), new Uint8Array([0xdb]), telegram, new Uint8Array([0xdb, 0x08, 0x2f]), telegram);
  for (let size = 1; size <= 12; size++) {
    const results = codes(run(stream, {}, size));
    expect({ size, ok: results.filter((c) => c === 'ok:dsmr').length }).toEqual({ size, ok: 2 });
  }
});

/** DSMR 2.2 telegram (no CRC) as a 7E1 line read as 8N1 sends it: parity bit set where needed. */
const V22 = new Uint8Array(readFileSync(join(P1_ROOT, 'ndokter-dsmr_parser', 'telegram_v2_2.txt')));
const with7e1Parity = (bytes: Uint8Array): Uint8Array =>
  bytes.map((b) => {
    let ones = 0;
    for (let x = b; x; x >>= 1) ones += x & 1;
    return ones % 2 === 1 ? b | 0x80 : b;
  });

test('an unclosed text telegram followed by an encrypted frame: the 0xDB that ends the telegram starts the frame (7E1 and 8-bit, any chunking)', () => {
  // Fuzz finding garbage-resync-encrypted-p1-s2: garbage held 0xAF (a 7E1 '/'); 0xDB has even
  // parity, so the 7E1 "telegram" took it as '[' and the 0x08 after it (odd parity) ended the
  // telegram one byte too late: the frame start was lost.
  for (const start of [new Uint8Array([0xaf]), latin1Bytes('/'), latin1Bytes('/ISk5\\2MT382-1000\r\n\r\n1-0:1.8.1(000')]) {
    const stream = cat(new Uint8Array([0x7b]), start, new Uint8Array([0x41, 0x42]), FRAME, FRAME);
    for (let size = 1; size <= 40; size++) {
      const results = codes(run(stream, KEYS, size));
      // A start cut before any value ("(") was garbage; one cut after a value is truncated.
      const cut = start.indexOf(0x28) >= 0 ? ['truncated'] : [];
      expect({ start: start[0], size, results: results.filter((c) => c !== 'garbage') }).toEqual({
        start: start[0],
        size,
        results: [...cut, 'ok:dsmr-encrypted', 'ok:dsmr-encrypted'],
      });
    }
  }
});

test('a "[" in a 7E1 telegram (0xDB on the line, even-parity byte after it) stays text, at any chunk edge', () => {
  const plain = latin1Bytes(String.fromCharCode(...V22).replace('0-0:96.13.0()', '0-0:96.13.0([x])'));
  const line = with7e1Parity(plain);
  expect(line.indexOf(0xdb)).toBeGreaterThan(0);
  const alone = run(plain, {})[0];
  expect(alone.ok).toBe(true);
  for (let size = 1; size <= 40; size++) {
    const results = run(cat(line, line), {}, size);
    expect({ size, c: codes(results) }).toEqual({ size, c: ['ok:dsmr', 'ok:dsmr'] });
    expect(results[0].ok && results[0].reading).toEqual(alone.ok && alone.reading);
  }
});
