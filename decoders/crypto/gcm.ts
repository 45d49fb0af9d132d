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
 * is compared in constant time over the length given. GHASH uses Shoup's 8-bit table method
 * (256 multiples of H per key, and their products with x^8 so bytes go two at a time; 128-bit
 * values as four 32-bit words, word 0 most significant).
 */
import { aes128CtrXor, aes128EncryptBlock, aes128EncryptWords, aes128ExpandKey } from './aes128';

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
const LAST4 = [0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0, 0xe100, 0xfd20, 0xd940, 0xc560, 0x9180, 0x8da0, 0xa9c0, 0xb5e0];

/**
 * Reduction for shifting 8 bits out at once: two 4-bit steps folded into one word
 * (R8[r] = (LAST4[r & 15] << 16 >>> 4) ^ (LAST4[r >>> 4] << 16)). Built once, read only.
 */
const R8 = new Uint32Array(256);
(function buildR8(): void {
  for (let r = 0; r < 256; r++) R8[r] = (((LAST4[r & 15] << 16) >>> 4) ^ (LAST4[r >>> 4] << 16)) >>> 0;
})();

/**
 * Per-key GHASH state: Shoup's table of b*H for every byte value b, and a second table of
 * b*H*x^8 (each 256 entries as four word arrays: 8 KiB per key). With both, one multiplication
 * is 8 steps of "shift 16, reduce, add two table entries" instead of 16 steps of "shift 8,
 * reduce, add one": per byte of input, half the word shifts and assignments, the same number of
 * table reads (under XS 89 -> 64 computrons per byte, 1 KiB with a prepared key).
 */
class Ghash {
  /** M[b] = b*H (byte 0x80 = x^0). */
  private readonly m0 = new Uint32Array(256);
  private readonly m1 = new Uint32Array(256);
  private readonly m2 = new Uint32Array(256);
  private readonly m3 = new Uint32Array(256);
  /** N[b] = M[b]*x^8: the byte that is shifted 8 bits further before the pair is done. */
  private readonly n0 = new Uint32Array(256);
  private readonly n1 = new Uint32Array(256);
  private readonly n2 = new Uint32Array(256);
  private readonly n3 = new Uint32Array(256);
  /** The accumulator, big-endian words (read by AesGcmKey after finish; written only here). */
  y0 = 0;
  y1 = 0;
  y2 = 0;
  y3 = 0;
  /** The length block of finish(), kept: one allocation per key, not per message. */
  private readonly lengths = new Uint8Array(16);
  private readonly lengthWords = new DataView(this.lengths.buffer);

  constructor(h: Uint8Array) {
    const { m0, m1, m2, m3, n0, n1, n2, n3 } = this;
    let v0 = word(h, 0);
    let v1 = word(h, 4);
    let v2 = word(h, 8);
    let v3 = word(h, 12);
    // Byte 0x80 is the coefficient x^0 (GCM reflects bits): M[0x80] = H, M[0x40] = H*x, ...
    // N[b] = M[b]*x^8: the same shift right (GCM bit order), 8 bits on, reducing what falls out.
    for (let i = 128; i > 0; i >>= 1) {
      m0[i] = v0;
      m1[i] = v1;
      m2[i] = v2;
      m3[i] = v3;
      n3[i] = (v3 >>> 8) | (v2 << 24);
      n2[i] = (v2 >>> 8) | (v1 << 24);
      n1[i] = (v1 >>> 8) | (v0 << 24);
      n0[i] = (v0 >>> 8) ^ R8[v3 & 0xff];
      const carry = (v3 & 1) !== 0 ? 0xe1000000 : 0;
      v3 = ((v3 >>> 1) | (v2 << 31)) >>> 0;
      v2 = ((v2 >>> 1) | (v1 << 31)) >>> 0;
      v1 = ((v1 >>> 1) | (v0 << 31)) >>> 0;
      v0 = ((v0 >>> 1) ^ carry) >>> 0;
    }
    // Both are linear in b: every other entry is the XOR of two (the power of two in locals).
    for (let i = 2; i <= 128; i *= 2) {
      const a0 = m0[i];
      const a1 = m1[i];
      const a2 = m2[i];
      const a3 = m3[i];
      const b0 = n0[i];
      const b1 = n1[i];
      const b2 = n2[i];
      const b3 = n3[i];
      for (let j = 1; j < i; j++) {
        const k = i + j;
        m0[k] = a0 ^ m0[j];
        m1[k] = a1 ^ m1[j];
        m2[k] = a2 ^ m2[j];
        m3[k] = a3 ^ m3[j];
        n0[k] = b0 ^ n0[j];
        n1[k] = b1 ^ n1[j];
        n2[k] = b2 ^ n2[j];
        n3[k] = b3 ^ n3[j];
      }
    }
  }

  /**
   * y = (...((y xor B1) * H xor B2) * H ...) for the 16-byte blocks of data[off..end), the last
   * one zero-padded. One call per message part, not per block: the accumulator stays in locals,
   * block words are read inline and the 8 two-byte steps of each multiplication are unrolled (XS
   * meters every bytecode; the per-block calls, the loop and its byte-selecting ternaries cost
   * more than the table work). Words are kept as signed 32-bit values (only & | ^ >>> << touch
   * them), so no >>> 0 is needed. Bytes of X are consumed 15 -> 0 (Shoup's method), two at a
   * time: Z = Z*x^16 + N[a] + M[b] for the byte pair (a, b), a first. Shifting Z 16 bits out
   * reduces the low byte (shifted 8 bits further: R8 >>> 8, which stays in word 0 since R8
   * values have no bits below bit 12) and then the next byte.
   */
  absorb(data: Uint8Array, off: number, end: number): void {
    if (end <= off) return; // nothing to absorb (no AAD): skip the setup below
    const { m0, m1, m2, m3, n0, n1, n2, n3 } = this;
    const r8 = R8;
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let z0 = this.y0;
    let z1 = this.y1;
    let z2 = this.y2;
    let z3 = this.y3;
    let x0: number;
    let x1: number;
    let x2: number;
    let x3: number;
    let a: number;
    let b: number;
    let r: number;
    let o = off;
    while (o < end) {
      if (end - o >= 16) {
        // Big-endian words through DataView: one call instead of four loads, shifts and ors.
        x0 = dv.getInt32(o) ^ z0;
        x1 = dv.getInt32(o + 4) ^ z1;
        x2 = dv.getInt32(o + 8) ^ z2;
        x3 = dv.getInt32(o + 12) ^ z3;
      } else {
        const pad = new Uint8Array(16);
        pad.set(data.subarray(o, end));
        x0 = word(pad, 0) ^ z0;
        x1 = word(pad, 4) ^ z1;
        x2 = word(pad, 8) ^ z2;
        x3 = word(pad, 12) ^ z3;
      }
      o += 16;
      a = x3 & 0xff;
      b = (x3 >>> 8) & 0xff;
      z0 = n0[a] ^ m0[b];
      z1 = n1[a] ^ m1[b];
      z2 = n2[a] ^ m2[b];
      z3 = n3[a] ^ m3[b];
      a = (x3 >>> 16) & 0xff;
      b = x3 >>> 24;
      r = (r8[z3 & 0xff] >>> 8) ^ r8[(z3 >>> 8) & 0xff];
      z3 = ((z3 >>> 16) | (z2 << 16)) ^ n3[a] ^ m3[b];
      z2 = ((z2 >>> 16) | (z1 << 16)) ^ n2[a] ^ m2[b];
      z1 = ((z1 >>> 16) | (z0 << 16)) ^ n1[a] ^ m1[b];
      z0 = (z0 >>> 16) ^ r ^ n0[a] ^ m0[b];
      a = x2 & 0xff;
      b = (x2 >>> 8) & 0xff;
      r = (r8[z3 & 0xff] >>> 8) ^ r8[(z3 >>> 8) & 0xff];
      z3 = ((z3 >>> 16) | (z2 << 16)) ^ n3[a] ^ m3[b];
      z2 = ((z2 >>> 16) | (z1 << 16)) ^ n2[a] ^ m2[b];
      z1 = ((z1 >>> 16) | (z0 << 16)) ^ n1[a] ^ m1[b];
      z0 = (z0 >>> 16) ^ r ^ n0[a] ^ m0[b];
      a = (x2 >>> 16) & 0xff;
      b = x2 >>> 24;
      r = (r8[z3 & 0xff] >>> 8) ^ r8[(z3 >>> 8) & 0xff];
      z3 = ((z3 >>> 16) | (z2 << 16)) ^ n3[a] ^ m3[b];
      z2 = ((z2 >>> 16) | (z1 << 16)) ^ n2[a] ^ m2[b];
      z1 = ((z1 >>> 16) | (z0 << 16)) ^ n1[a] ^ m1[b];
      z0 = (z0 >>> 16) ^ r ^ n0[a] ^ m0[b];
      a = x1 & 0xff;
      b = (x1 >>> 8) & 0xff;
      r = (r8[z3 & 0xff] >>> 8) ^ r8[(z3 >>> 8) & 0xff];
      z3 = ((z3 >>> 16) | (z2 << 16)) ^ n3[a] ^ m3[b];
      z2 = ((z2 >>> 16) | (z1 << 16)) ^ n2[a] ^ m2[b];
      z1 = ((z1 >>> 16) | (z0 << 16)) ^ n1[a] ^ m1[b];
      z0 = (z0 >>> 16) ^ r ^ n0[a] ^ m0[b];
      a = (x1 >>> 16) & 0xff;
      b = x1 >>> 24;
      r = (r8[z3 & 0xff] >>> 8) ^ r8[(z3 >>> 8) & 0xff];
      z3 = ((z3 >>> 16) | (z2 << 16)) ^ n3[a] ^ m3[b];
      z2 = ((z2 >>> 16) | (z1 << 16)) ^ n2[a] ^ m2[b];
      z1 = ((z1 >>> 16) | (z0 << 16)) ^ n1[a] ^ m1[b];
      z0 = (z0 >>> 16) ^ r ^ n0[a] ^ m0[b];
      a = x0 & 0xff;
      b = (x0 >>> 8) & 0xff;
      r = (r8[z3 & 0xff] >>> 8) ^ r8[(z3 >>> 8) & 0xff];
      z3 = ((z3 >>> 16) | (z2 << 16)) ^ n3[a] ^ m3[b];
      z2 = ((z2 >>> 16) | (z1 << 16)) ^ n2[a] ^ m2[b];
      z1 = ((z1 >>> 16) | (z0 << 16)) ^ n1[a] ^ m1[b];
      z0 = (z0 >>> 16) ^ r ^ n0[a] ^ m0[b];
      a = (x0 >>> 16) & 0xff;
      b = x0 >>> 24;
      r = (r8[z3 & 0xff] >>> 8) ^ r8[(z3 >>> 8) & 0xff];
      z3 = ((z3 >>> 16) | (z2 << 16)) ^ n3[a] ^ m3[b];
      z2 = ((z2 >>> 16) | (z1 << 16)) ^ n2[a] ^ m2[b];
      z1 = ((z1 >>> 16) | (z0 << 16)) ^ n1[a] ^ m1[b];
      z0 = (z0 >>> 16) ^ r ^ n0[a] ^ m0[b];
    }
    this.y0 = z0;
    this.y1 = z1;
    this.y2 = z2;
    this.y3 = z3;
  }

  reset(): void {
    this.y0 = 0;
    this.y1 = 0;
    this.y2 = 0;
    this.y3 = 0;
  }

  /** Absorb the final length block: [bitlen(A)]64 || [bitlen(C)]64. The result is in y0..y3. */
  finish(aadBytes: number, dataBytes: number): void {
    // Bit lengths as two big-endian 64-bit numbers, written as 32-bit halves.
    const w = this.lengthWords;
    w.setUint32(0, Math.floor(aadBytes / 0x20000000)); // bytes * 8 / 2^32
    w.setUint32(4, (aadBytes * 8) >>> 0);
    w.setUint32(8, Math.floor(dataBytes / 0x20000000));
    w.setUint32(12, (dataBytes * 8) >>> 0);
    this.absorb(this.lengths, 0, 16);
  }
}

function word(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

const EMPTY = new Uint8Array(0);

/**
 * One AES-128-GCM key, prepared once: the round keys and the GHASH tables (8 KiB) are built in
 * the constructor, so a meter port that decrypts a frame every few seconds keeps one of these
 * instead of rebuilding both per frame (about 40,000 XS computrons and 8 KiB of garbage each).
 * Not re-entrant (the GHASH accumulator is per instance): one per splitter.
 */
export class AesGcmKey {
  private readonly rk: Uint32Array;
  private readonly ghash: Ghash;
  // Per-message words, kept in the instance so a message allocates only its output: J0, and
  // the full tag T = GHASH ^ AES_K(J0) (under XS the byte arrays, their conversions to and from
  // words and the block call for AES_K(J0) were a sixth of a 200-byte frame).
  private readonly j0 = new Uint32Array(4);
  private readonly t = new Uint32Array(4);

  /** Throws RangeError unless the key is 16 bytes (a configuration error, not a data error). */
  constructor(key: Uint8Array) {
    this.rk = aes128ExpandKey(key);
    const h = new Uint8Array(16);
    aes128EncryptBlock(this.rk, h, 0, h, 0);
    this.ghash = new Ghash(h);
  }

  /** Same contract as aesGcmDecrypt, without the key. The tag is checked before any decryption. */
  decrypt(p: { iv: Uint8Array; ciphertext: Uint8Array; aad?: Uint8Array; tag?: Uint8Array }): Uint8Array | undefined {
    this.setJ0(p.iv);
    const tag = p.tag;
    if (tag !== undefined) {
      if (tag.length === 0 || tag.length > 16) return undefined;
      this.fullTag(p.aad ?? EMPTY, p.ciphertext);
      const t = this.t;
      let diff = 0;
      for (let i = 0; i < tag.length; i++) diff |= ((t[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff) ^ tag[i];
      if (diff !== 0) return undefined;
    }
    return this.ctr(p.ciphertext);
  }

  encrypt(p: { iv: Uint8Array; plaintext: Uint8Array; aad?: Uint8Array; tagLength?: number }): { ciphertext: Uint8Array; tag: Uint8Array } {
    const tagLength = p.tagLength ?? 16;
    if (tagLength < 4 || tagLength > 16) throw new RangeError('GCM tag length must be 4..16 bytes');
    this.setJ0(p.iv);
    const ciphertext = this.ctr(p.plaintext);
    this.fullTag(p.aad ?? EMPTY, ciphertext);
    const t = this.t;
    const tag = new Uint8Array(tagLength);
    for (let i = 0; i < tagLength; i++) tag[i] = t[i >> 2] >>> (24 - 8 * (i & 3));
    return { ciphertext, tag };
  }

  /** J0 = IV || 0^31 || 1 for a 96-bit IV, else GHASH_H(IV || pad || 0^64 || [len(IV)]64). */
  private setJ0(iv: Uint8Array): void {
    if (iv.length === 0) throw new RangeError('GCM IV must not be empty');
    const j = this.j0;
    if (iv.length === 12) {
      j[0] = word(iv, 0);
      j[1] = word(iv, 4);
      j[2] = word(iv, 8);
      j[3] = 1;
      return;
    }
    const g = this.ghash;
    g.reset();
    g.absorb(iv, 0, iv.length);
    g.finish(0, iv.length);
    j[0] = g.y0;
    j[1] = g.y1;
    j[2] = g.y2;
    j[3] = g.y3;
  }

  /** CTR mode from inc32(J0): out = input xor keystream (aes128CtrXor). */
  private ctr(input: Uint8Array): Uint8Array {
    const out = new Uint8Array(input.length);
    const j = this.j0;
    if (input.length > 0) aes128CtrXor(this.rk, j[0] as number, j[1] as number, j[2] as number, j[3] as number, input, out);
    return out;
  }

  /** The full 16-byte tag into this.t: GHASH_H(A, C) xor AES_K(J0). */
  private fullTag(aad: Uint8Array, ciphertext: Uint8Array): void {
    const g = this.ghash;
    g.reset();
    g.absorb(aad, 0, aad.length);
    g.absorb(ciphertext, 0, ciphertext.length);
    g.finish(aad.length, ciphertext.length);
    const j = this.j0;
    const t = this.t;
    aes128EncryptWords(this.rk, j[0] as number, j[1] as number, j[2] as number, j[3] as number, t);
    t[0] = (t[0] as number) ^ g.y0;
    t[1] = (t[1] as number) ^ g.y1;
    t[2] = (t[2] as number) ^ g.y2;
    t[3] = (t[3] as number) ^ g.y3;
  }
}

/**
 * Decrypt; when `tag` is given (1..16 bytes, DLMS uses 12) it is checked in constant time over
 * its length and a mismatch returns undefined. Throws only for a key that is not 16 bytes or an
 * empty IV (caller errors, not data errors). For repeated use with one key, keep an AesGcmKey.
 */
export function aesGcmDecrypt(p: GcmDecryptParams): Uint8Array | undefined {
  if (p.iv.length === 0) throw new RangeError('GCM IV must not be empty');
  return new AesGcmKey(p.key).decrypt(p);
}

export function aesGcmEncrypt(p: GcmEncryptParams): { ciphertext: Uint8Array; tag: Uint8Array } {
  if (p.iv.length === 0) throw new RangeError('GCM IV must not be empty');
  return new AesGcmKey(p.key).encrypt(p);
}
