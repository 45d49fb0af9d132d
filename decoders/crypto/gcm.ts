/**
 * AES-128-GCM (NIST SP 800-38D), pure TypeScript.
 *
 *   H   = AES_K(0^128)
 *   J0  = IV || 0^31 || 1                      (96-bit IV, the DLMS case: system title || frame counter)
 *       = GHASH_H(IV || pad || 0^64 || [len(IV)]64)   (any other IV length)
 *   C   = P xor AES_K(inc32(J0)), AES_K(inc32^2(J0)), ...
 *   S   = GHASH_H(A || pad || C || pad || [len(A)]64 || [len(C)]64)
 *   T   = MSB_t(AES_K(J0) xor S)
 *
 * DLMS general-glo-ciphering (IEC 62056-5-3, Green Book) truncates the tag to 12 bytes; the tag
 * is compared in constant time over the length given. GHASH uses Shoup's 4-bit table method
 * (16 multiples of H per key, 128-bit values as four 32-bit words, word 0 most significant).
 */
import { aes128EncryptBlock, aes128ExpandKey } from './aes128';

export interface GcmDecryptParams {
  key: Uint8Array;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  aad?: Uint8Array;
  /** When absent the data is decrypted without authentication (some meters give no AK). */
  tag?: Uint8Array;
}

export interface GcmEncryptParams {
  key: Uint8Array;
  iv: Uint8Array;
  plaintext: Uint8Array;
  aad?: Uint8Array;
  /** Tag length in bytes, 4..16, default 16. */
  tagLength?: number;
}

/** Reduction constants for shifting 4 bits out of the low end (GCM bit order). */
const LAST4 = [
  0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0,
  0xe100, 0xfd20, 0xd940, 0xc560, 0x9180, 0x8da0, 0xa9c0, 0xb5e0,
];

/** Per-key GHASH state: table of i*H (64 words: 16 entries x 4 words) and the accumulator. */
class Ghash {
  readonly table = new Uint32Array(64);
  readonly y = new Uint32Array(4);

  constructor(h: Uint8Array) {
    const t = this.table;
    let v0 = word(h, 0);
    let v1 = word(h, 4);
    let v2 = word(h, 8);
    let v3 = word(h, 12);
    set(t, 8, v0, v1, v2, v3);
    for (let i = 4; i > 0; i >>= 1) {
      const carry = (v3 & 1) !== 0 ? 0xe1000000 : 0;
      v3 = ((v3 >>> 1) | (v2 << 31)) >>> 0;
      v2 = ((v2 >>> 1) | (v1 << 31)) >>> 0;
      v1 = ((v1 >>> 1) | (v0 << 31)) >>> 0;
      v0 = ((v0 >>> 1) ^ carry) >>> 0;
      set(t, i, v0, v1, v2, v3);
    }
    for (let i = 2; i <= 8; i *= 2) {
      for (let j = 1; j < i; j++) {
        for (let w = 0; w < 4; w++) t[(i + j) * 4 + w] = (t[i * 4 + w] ^ t[j * 4 + w]) >>> 0;
      }
    }
  }

  /** y = (y xor block) * H, where block = data[off..off+len) zero-padded to 16 bytes. */
  update(data: Uint8Array, off: number, len: number): void {
    const x = new Uint8Array(16);
    for (let i = 0; i < 16; i++) {
      const b = i < len ? data[off + i] : 0;
      x[i] = b ^ ((this.y[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff);
    }
    this.multiply(x);
  }

  updateAll(data: Uint8Array): void {
    for (let off = 0; off < data.length; off += 16) {
      this.update(data, off, data.length - off < 16 ? data.length - off : 16);
    }
  }

  private multiply(x: Uint8Array): void {
    const t = this.table;
    let lo = x[15] & 0x0f;
    let z0 = t[lo * 4];
    let z1 = t[lo * 4 + 1];
    let z2 = t[lo * 4 + 2];
    let z3 = t[lo * 4 + 3];
    for (let i = 15; i >= 0; i--) {
      lo = x[i] & 0x0f;
      const hi = x[i] >>> 4;
      if (i !== 15) {
        const rem = z3 & 0x0f;
        z3 = ((z3 >>> 4) | (z2 << 28)) >>> 0;
        z2 = ((z2 >>> 4) | (z1 << 28)) >>> 0;
        z1 = ((z1 >>> 4) | (z0 << 28)) >>> 0;
        z0 = ((z0 >>> 4) ^ (LAST4[rem] << 16)) >>> 0;
        z0 ^= t[lo * 4];
        z1 ^= t[lo * 4 + 1];
        z2 ^= t[lo * 4 + 2];
        z3 ^= t[lo * 4 + 3];
      }
      const rem = z3 & 0x0f;
      z3 = ((z3 >>> 4) | (z2 << 28)) >>> 0;
      z2 = ((z2 >>> 4) | (z1 << 28)) >>> 0;
      z1 = ((z1 >>> 4) | (z0 << 28)) >>> 0;
      z0 = ((z0 >>> 4) ^ (LAST4[rem] << 16)) >>> 0;
      z0 ^= t[hi * 4];
      z1 ^= t[hi * 4 + 1];
      z2 ^= t[hi * 4 + 2];
      z3 ^= t[hi * 4 + 3];
    }
    this.y[0] = z0;
    this.y[1] = z1;
    this.y[2] = z2;
    this.y[3] = z3;
  }

  /** Absorb the final length block: [bitlen(A)]64 || [bitlen(C)]64. */
  finish(aadBytes: number, dataBytes: number): Uint8Array {
    const block = new Uint8Array(16);
    putLength(block, 0, aadBytes);
    putLength(block, 8, dataBytes);
    this.update(block, 0, 16);
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) out[i] = (this.y[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff;
    return out;
  }
}

function word(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function set(t: Uint32Array, i: number, a: number, b: number, c: number, d: number): void {
  t[i * 4] = a;
  t[i * 4 + 1] = b;
  t[i * 4 + 2] = c;
  t[i * 4 + 3] = d;
}

/** Big-endian 64-bit bit length of `bytes` at block[off..off+8). */
function putLength(block: Uint8Array, off: number, bytes: number): void {
  const bitsHigh = Math.floor(bytes / 0x20000000); // bytes*8 / 2^32
  const bitsLow = (bytes * 8) >>> 0;
  block[off] = 0;
  block[off + 1] = 0;
  block[off + 2] = (bitsHigh >>> 8) & 0xff;
  block[off + 3] = bitsHigh & 0xff;
  block[off + 4] = bitsLow >>> 24;
  block[off + 5] = (bitsLow >>> 16) & 0xff;
  block[off + 6] = (bitsLow >>> 8) & 0xff;
  block[off + 7] = bitsLow & 0xff;
}

interface GcmSetup {
  rk: Uint32Array;
  h: Uint8Array;
  j0: Uint8Array;
}

function setup(key: Uint8Array, iv: Uint8Array): GcmSetup {
  const rk = aes128ExpandKey(key);
  const h = new Uint8Array(16);
  aes128EncryptBlock(rk, h, 0, h, 0);
  let j0: Uint8Array;
  if (iv.length === 12) {
    j0 = new Uint8Array(16);
    j0.set(iv, 0);
    j0[15] = 1;
  } else {
    const g = new Ghash(h);
    g.updateAll(iv);
    j0 = g.finish(0, iv.length);
  }
  return { rk, h, j0 };
}

/** CTR mode from inc32(J0): out = input xor keystream. */
function ctr(rk: Uint32Array, j0: Uint8Array, input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  const counter = j0.slice();
  const ks = new Uint8Array(16);
  for (let off = 0; off < input.length; off += 16) {
    // inc32: increment the last 32 bits, wrapping.
    for (let i = 15; i >= 12; i--) {
      counter[i] = (counter[i] + 1) & 0xff;
      if (counter[i] !== 0) break;
    }
    aes128EncryptBlock(rk, counter, 0, ks, 0);
    const n = input.length - off < 16 ? input.length - off : 16;
    for (let i = 0; i < n; i++) out[off + i] = input[off + i] ^ ks[i];
  }
  return out;
}

function fullTag(s: GcmSetup, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const g = new Ghash(s.h);
  g.updateAll(aad);
  g.updateAll(ciphertext);
  const tag = g.finish(aad.length, ciphertext.length);
  const ekj0 = new Uint8Array(16);
  aes128EncryptBlock(s.rk, s.j0, 0, ekj0, 0);
  for (let i = 0; i < 16; i++) tag[i] ^= ekj0[i];
  return tag;
}

const EMPTY = new Uint8Array(0);

/**
 * Decrypt; when `tag` is given (1..16 bytes, DLMS uses 12) it is checked in constant time over
 * its length and a mismatch returns undefined. Throws only for a key that is not 16 bytes or an
 * empty IV (caller errors, not data errors).
 */
export function aesGcmDecrypt(p: GcmDecryptParams): Uint8Array | undefined {
  if (p.iv.length === 0) throw new RangeError('GCM IV must not be empty');
  const s = setup(p.key, p.iv);
  if (p.tag !== undefined) {
    if (p.tag.length === 0 || p.tag.length > 16) return undefined;
    const expected = fullTag(s, p.aad ?? EMPTY, p.ciphertext);
    let diff = 0;
    for (let i = 0; i < p.tag.length; i++) diff |= expected[i] ^ p.tag[i];
    if (diff !== 0) return undefined;
  }
  return ctr(s.rk, s.j0, p.ciphertext);
}

export function aesGcmEncrypt(p: GcmEncryptParams): { ciphertext: Uint8Array; tag: Uint8Array } {
  if (p.iv.length === 0) throw new RangeError('GCM IV must not be empty');
  const tagLength = p.tagLength ?? 16;
  if (tagLength < 4 || tagLength > 16) throw new RangeError('GCM tag length must be 4..16 bytes');
  const s = setup(p.key, p.iv);
  const ciphertext = ctr(s.rk, s.j0, p.plaintext);
  const tag = fullTag(s, p.aad ?? EMPTY, ciphertext).slice(0, tagLength);
  return { ciphertext, tag };
}
