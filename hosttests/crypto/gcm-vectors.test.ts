/**
 * AES-128 and AES-128-GCM against published vectors:
 * - FIPS-197 Appendix C.1 (AES-128 block).
 * - McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 1-6 (AES-128),
 *   the same cases NIST's GCM validation starts from: empty input, 96-bit IV, AAD, 64-bit IV,
 *   480-bit IV.
 * - A randomized cross-check against node:crypto (tests only; decoders/ stays pure).
 */
import { createCipheriv } from 'node:crypto';
import { aes128EncryptBlock, aes128ExpandKey } from '../../decoders/crypto/aes128';
import { AesGcmKey, aesGcmDecrypt, aesGcmEncrypt } from '../../decoders/crypto/gcm';
import { parseHexText, toHex } from '../../decoders/util/hex';

const h = (s: string): Uint8Array => parseHexText(s);

describe('AES-128 block (FIPS-197 C.1)', () => {
  it('encrypts the appendix example', () => {
    const rk = aes128ExpandKey(h('000102030405060708090a0b0c0d0e0f'));
    const out = new Uint8Array(16);
    aes128EncryptBlock(rk, h('00112233445566778899aabbccddeeff'), 0, out, 0);
    expect(toHex(out)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
  });
  it('expands the FIPS-197 A.1 key schedule (last round key)', () => {
    const rk = aes128ExpandKey(h('2b7e151628aed2a6abf7158809cf4f3c'));
    expect(rk[43].toString(16)).toBe('b6630ca6');
  });
});

const K3 = 'feffe9928665731c6d6a8f9467308308';
const P3 = 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' + '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const P4 = P3.slice(0, 120);
const A4 = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';

const cases = [
  {
    name: 'TC1 empty plaintext, zero key',
    k: '00000000000000000000000000000000',
    iv: '000000000000000000000000',
    p: '',
    a: '',
    c: '',
    t: '58e2fccefa7e3061367f1d57a4e7455a',
  },
  {
    name: 'TC2 one zero block',
    k: '00000000000000000000000000000000',
    iv: '000000000000000000000000',
    p: '00000000000000000000000000000000',
    a: '',
    c: '0388dace60b6a392f328c2b971b2fe78',
    t: 'ab6e47d42cec13bdf53a67b21257bddf',
  },
  {
    name: 'TC3 four blocks, 96-bit IV',
    k: K3,
    iv: 'cafebabefacedbaddecaf888',
    p: P3,
    a: '',
    c: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985',
    t: '4d5c2af327cd64a62cf35abd2ba6fab4',
  },
  {
    name: 'TC4 partial block with AAD',
    k: K3,
    iv: 'cafebabefacedbaddecaf888',
    p: P4,
    a: A4,
    c: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    t: '5bc94fbc3221a5db94fae95ae7121a47',
  },
  {
    name: 'TC5 64-bit IV',
    k: K3,
    iv: 'cafebabefacedbad',
    p: P4,
    a: A4,
    c: '61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598',
    t: '3612d2e79e3b0785561be14aaca2fccb',
  },
  {
    name: 'TC6 480-bit IV',
    k: K3,
    iv: '9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b',
    p: P4,
    a: A4,
    c: '8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5',
    t: '619cc5aefffe0bfa462af43c1699d050',
  },
];

describe('AES-128-GCM (McGrew-Viega test cases)', () => {
  for (const tc of cases) {
    it(`${tc.name}: encrypts`, () => {
      const r = aesGcmEncrypt({ key: h(tc.k), iv: h(tc.iv), plaintext: h(tc.p), aad: h(tc.a) });
      expect(toHex(r.ciphertext)).toBe(tc.c);
      expect(toHex(r.tag)).toBe(tc.t);
    });
    it(`${tc.name}: decrypts and checks the full tag`, () => {
      const p = aesGcmDecrypt({ key: h(tc.k), iv: h(tc.iv), ciphertext: h(tc.c), aad: h(tc.a), tag: h(tc.t) });
      expect(p && toHex(p)).toBe(tc.p);
    });
  }

  it('accepts a tag truncated to 12 bytes (DLMS) and rejects one flipped bit in it', () => {
    const tc = cases[3];
    const tag12 = h(tc.t).slice(0, 12);
    expect(aesGcmDecrypt({ key: h(K3), iv: h(tc.iv), ciphertext: h(tc.c), aad: h(A4), tag: tag12 })).toBeDefined();
    tag12[11] ^= 0x01;
    expect(aesGcmDecrypt({ key: h(K3), iv: h(tc.iv), ciphertext: h(tc.c), aad: h(A4), tag: tag12 })).toBeUndefined();
  });

  it('rejects tampered ciphertext, tampered AAD, the wrong key and an empty tag', () => {
    const tc = cases[3];
    const c = h(tc.c);
    c[0] ^= 0x80;
    expect(aesGcmDecrypt({ key: h(K3), iv: h(tc.iv), ciphertext: c, aad: h(A4), tag: h(tc.t) })).toBeUndefined();
    const a = h(A4);
    a[a.length - 1] ^= 1;
    expect(aesGcmDecrypt({ key: h(K3), iv: h(tc.iv), ciphertext: h(tc.c), aad: a, tag: h(tc.t) })).toBeUndefined();
    const k = h(K3);
    k[5] ^= 1;
    expect(aesGcmDecrypt({ key: k, iv: h(tc.iv), ciphertext: h(tc.c), aad: h(A4), tag: h(tc.t) })).toBeUndefined();
    expect(aesGcmDecrypt({ key: h(K3), iv: h(tc.iv), ciphertext: h(tc.c), aad: h(A4), tag: new Uint8Array(0) })).toBeUndefined();
  });

  it('decrypts without a tag when none is given (no authentication key)', () => {
    const tc = cases[2];
    const p = aesGcmDecrypt({ key: h(tc.k), iv: h(tc.iv), ciphertext: h(tc.c) });
    expect(p && toHex(p)).toBe(tc.p);
  });

  it('matches node:crypto on random lengths, keys and AAD', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, rnd);
    for (let round = 0; round < 60; round++) {
      const key = bytes(16);
      const iv = bytes(12);
      const plaintext = bytes(round * 7);
      const aad = bytes(round % 5 === 0 ? 17 : round % 3);
      const cipher = createCipheriv('aes-128-gcm', key, iv);
      cipher.setAAD(aad);
      const c = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const tag = cipher.getAuthTag();
      const ours = aesGcmEncrypt({ key, iv, plaintext, aad, tagLength: 12 });
      expect(toHex(ours.ciphertext)).toBe(c.toString('hex'));
      expect(toHex(ours.tag)).toBe(tag.subarray(0, 12).toString('hex'));
    }
  });
});

describe('counter edges (long messages, any IV length)', () => {
  it('matches node:crypto where the counter low byte wraps (J0 from GHASH for IVs that are not 12 bytes, 300+ blocks)', () => {
    let seed = 777;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, rnd);
    const key = bytes(16);
    const prepared = new AesGcmKey(key);
    for (const [ivLength, length] of [
      [12, 4800],
      [12, 4111],
      [8, 700],
      [1, 1500],
      [16, 333],
      [60, 2049],
      [7, 4097],
      [13, 17],
    ]) {
      for (let k = 0; k < 3; k++) {
        const iv = bytes(ivLength);
        const plaintext = bytes(length + k);
        const aad = bytes(k * 9);
        const cipher = createCipheriv('aes-128-gcm', key, iv);
        cipher.setAAD(aad);
        const c = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        const tag = cipher.getAuthTag();
        const ours = prepared.encrypt({ iv, plaintext, aad });
        expect({ ivLength, length, c: toHex(ours.ciphertext) === c.toString('hex'), t: toHex(ours.tag) }).toEqual({
          ivLength,
          length,
          c: true,
          t: tag.toString('hex'),
        });
        const back = prepared.decrypt({ iv, ciphertext: ours.ciphertext, aad, tag: ours.tag });
        expect(back !== undefined && toHex(back) === toHex(plaintext)).toBe(true);
      }
    }
  });
});

describe('AesGcmKey (one prepared key, reused)', () => {
  it('gives the same results as the one-shot functions across many operations and IV lengths', () => {
    const key = new AesGcmKey(h(K3));
    for (const tc of cases.slice(2)) {
      const r = key.encrypt({ iv: h(tc.iv), plaintext: h(tc.p), aad: h(tc.a) });
      expect(toHex(r.ciphertext)).toBe(tc.c);
      expect(toHex(r.tag)).toBe(tc.t);
      // A failed check in between must not disturb the next operation.
      expect(key.decrypt({ iv: h(tc.iv), ciphertext: h(tc.c), aad: h(tc.a), tag: new Uint8Array(12) })).toBeUndefined();
      const p = key.decrypt({ iv: h(tc.iv), ciphertext: h(tc.c), aad: h(tc.a), tag: h(tc.t) });
      expect(p && toHex(p)).toBe(tc.p);
    }
  });
  it('refuses a key that is not 16 bytes', () => {
    expect(() => new AesGcmKey(new Uint8Array(15))).toThrow(RangeError);
  });
});
