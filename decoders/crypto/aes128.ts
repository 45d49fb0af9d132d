/**
 * AES-128 block encryption (FIPS-197), table driven, pure TypeScript on Uint8Array/Uint32Array.
 *
 * Only the forward cipher is needed: GCM (NIST SP 800-38D) uses AES in counter mode for both
 * directions. The four 256-entry T-tables combine SubBytes, ShiftRows and MixColumns so each
 * round is 16 table look-ups and XORs. Tables are built once when the module is evaluated and
 * never written afterwards (on Moddable the module may be preloaded into flash, where state is
 * frozen; typed arrays built at preload stay readable).
 *
 * Words are big-endian: byte 0 of a column is the most significant byte of its word.
 */

const SBOX = new Uint8Array(256);
const TE0 = new Uint32Array(256);
const TE1 = new Uint32Array(256);
const TE2 = new Uint32Array(256);
const TE3 = new Uint32Array(256);

(function buildTables(): void {
  // Multiplicative inverse via log/antilog tables over generator 3, then the affine map.
  const exp = new Uint8Array(256);
  const log = new Uint8Array(256);
  let x = 1;
  for (let i = 0; i < 255; i++) {
    exp[i] = x;
    log[x] = i;
    x ^= (x << 1) ^ ((x & 0x80) !== 0 ? 0x1b : 0); // x *= 3
    x &= 0xff;
  }
  for (let i = 0; i < 256; i++) {
    const inv = i === 0 ? 0 : exp[(255 - log[i]) % 255];
    let s = inv;
    let r = inv;
    for (let k = 0; k < 4; k++) {
      r = ((r << 1) | (r >> 7)) & 0xff;
      s ^= r;
    }
    SBOX[i] = s ^ 0x63;
  }
  for (let i = 0; i < 256; i++) {
    const s = SBOX[i];
    const s2 = ((s << 1) ^ ((s & 0x80) !== 0 ? 0x1b : 0)) & 0xff;
    const s3 = s2 ^ s;
    const t = ((s2 << 24) | (s << 16) | (s << 8) | s3) >>> 0;
    TE0[i] = t;
    TE1[i] = ((t >>> 8) | (t << 24)) >>> 0;
    TE2[i] = ((t >>> 16) | (t << 16)) >>> 0;
    TE3[i] = ((t >>> 24) | (t << 8)) >>> 0;
  }
})();

/** Expand a 16-byte key into the 44-word AES-128 round-key schedule. */
export function aes128ExpandKey(key: Uint8Array): Uint32Array {
  if (key.length !== 16) throw new RangeError('AES-128 key must be 16 bytes');
  const w = new Uint32Array(44);
  for (let i = 0; i < 4; i++) {
    w[i] = ((key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3]) >>> 0;
  }
  let rcon = 1;
  for (let i = 4; i < 44; i++) {
    let t = w[i - 1];
    if ((i & 3) === 0) {
      // RotWord, SubWord, Rcon
      t =
        ((SBOX[(t >>> 16) & 0xff] << 24) |
          (SBOX[(t >>> 8) & 0xff] << 16) |
          (SBOX[t & 0xff] << 8) |
          SBOX[t >>> 24]) ^
        (rcon << 24);
      rcon = ((rcon << 1) ^ ((rcon & 0x80) !== 0 ? 0x1b : 0)) & 0xff;
    }
    w[i] = (w[i - 4] ^ t) >>> 0;
  }
  return w;
}

/**
 * Encrypt one block given as four big-endian words; the result goes to out[0..3]. The CTR loop
 * in gcm.ts works on words, which saves the 32 byte loads and stores per block (under XS the
 * byte I/O was a third of the cost).
 */
export function aes128EncryptWords(rk: Uint32Array, w0: number, w1: number, w2: number, w3: number, out: Uint32Array): void {
  let s0 = w0 ^ rk[0];
  let s1 = w1 ^ rk[1];
  let s2 = w2 ^ rk[2];
  let s3 = w3 ^ rk[3];
  let k = 4;
  for (let round = 1; round < 10; round++) {
    // >>> extracts from signed values correctly, so no >>> 0 is needed between rounds.
    const t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 0xff] ^ TE2[(s2 >>> 8) & 0xff] ^ TE3[s3 & 0xff] ^ rk[k];
    const t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 0xff] ^ TE2[(s3 >>> 8) & 0xff] ^ TE3[s0 & 0xff] ^ rk[k + 1];
    const t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 0xff] ^ TE2[(s0 >>> 8) & 0xff] ^ TE3[s1 & 0xff] ^ rk[k + 2];
    s3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 0xff] ^ TE2[(s1 >>> 8) & 0xff] ^ TE3[s2 & 0xff] ^ rk[k + 3];
    s0 = t0;
    s1 = t1;
    s2 = t2;
    k += 4;
  }
  // Final round: SubBytes + ShiftRows + AddRoundKey (no MixColumns).
  out[0] = ((SBOX[s0 >>> 24] << 24) | (SBOX[(s1 >>> 16) & 0xff] << 16) | (SBOX[(s2 >>> 8) & 0xff] << 8) | SBOX[s3 & 0xff]) ^ rk[40];
  out[1] = ((SBOX[s1 >>> 24] << 24) | (SBOX[(s2 >>> 16) & 0xff] << 16) | (SBOX[(s3 >>> 8) & 0xff] << 8) | SBOX[s0 & 0xff]) ^ rk[41];
  out[2] = ((SBOX[s2 >>> 24] << 24) | (SBOX[(s3 >>> 16) & 0xff] << 16) | (SBOX[(s0 >>> 8) & 0xff] << 8) | SBOX[s1 & 0xff]) ^ rk[42];
  out[3] = ((SBOX[s3 >>> 24] << 24) | (SBOX[(s0 >>> 16) & 0xff] << 16) | (SBOX[(s1 >>> 8) & 0xff] << 8) | SBOX[s2 & 0xff]) ^ rk[43];
}

/** Encrypt one 16-byte block: input[inOff..+16) -> out[outOff..+16). In-place is allowed. */
export function aes128EncryptBlock(
  rk: Uint32Array,
  input: Uint8Array,
  inOff: number,
  out: Uint8Array,
  outOff: number,
): void {
  const w = new Uint32Array(4);
  aes128EncryptWords(
    rk,
    (input[inOff] << 24) | (input[inOff + 1] << 16) | (input[inOff + 2] << 8) | input[inOff + 3],
    (input[inOff + 4] << 24) | (input[inOff + 5] << 16) | (input[inOff + 6] << 8) | input[inOff + 7],
    (input[inOff + 8] << 24) | (input[inOff + 9] << 16) | (input[inOff + 10] << 8) | input[inOff + 11],
    (input[inOff + 12] << 24) | (input[inOff + 13] << 16) | (input[inOff + 14] << 8) | input[inOff + 15],
    w,
  );
  putWord(out, outOff, w[0]);
  putWord(out, outOff + 4, w[1]);
  putWord(out, outOff + 8, w[2]);
  putWord(out, outOff + 12, w[3]);
}

function putWord(out: Uint8Array, off: number, w: number): void {
  out[off] = w >>> 24;
  out[off + 1] = (w >>> 16) & 0xff;
  out[off + 2] = (w >>> 8) & 0xff;
  out[off + 3] = w & 0xff;
}
