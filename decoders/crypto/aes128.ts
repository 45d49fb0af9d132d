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
      t = ((SBOX[(t >>> 16) & 0xff] << 24) | (SBOX[(t >>> 8) & 0xff] << 16) | (SBOX[t & 0xff] << 8) | SBOX[t >>> 24]) ^ (rcon << 24);
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
 *
 * The nine middle rounds are unrolled with constant round-key indices and the tables held in
 * locals: under XS every bytecode is metered, and the loop counter, the k + n index sums and
 * the module-scope table look-ups were a fifth of the cost of a block. Intermediate words stay
 * signed (>>> extracts bytes from signed values correctly); only the output is made unsigned
 * by the Uint32Array store.
 */
export function aes128EncryptWords(rk: Uint32Array, w0: number, w1: number, w2: number, w3: number, out: Uint32Array): void {
  const T0 = TE0;
  const T1 = TE1;
  const T2 = TE2;
  const T3 = TE3;
  let s0 = w0 ^ rk[0];
  let s1 = w1 ^ rk[1];
  let s2 = w2 ^ rk[2];
  let s3 = w3 ^ rk[3];
  let t0: number;
  let t1: number;
  let t2: number;
  let t3: number;
  // round 1
  t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 0xff] ^ T2[(s2 >>> 8) & 0xff] ^ T3[s3 & 0xff] ^ rk[4];
  t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 0xff] ^ T2[(s3 >>> 8) & 0xff] ^ T3[s0 & 0xff] ^ rk[5];
  t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 0xff] ^ T2[(s0 >>> 8) & 0xff] ^ T3[s1 & 0xff] ^ rk[6];
  t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 0xff] ^ T2[(s1 >>> 8) & 0xff] ^ T3[s2 & 0xff] ^ rk[7];
  // round 2
  s0 = T0[t0 >>> 24] ^ T1[(t1 >>> 16) & 0xff] ^ T2[(t2 >>> 8) & 0xff] ^ T3[t3 & 0xff] ^ rk[8];
  s1 = T0[t1 >>> 24] ^ T1[(t2 >>> 16) & 0xff] ^ T2[(t3 >>> 8) & 0xff] ^ T3[t0 & 0xff] ^ rk[9];
  s2 = T0[t2 >>> 24] ^ T1[(t3 >>> 16) & 0xff] ^ T2[(t0 >>> 8) & 0xff] ^ T3[t1 & 0xff] ^ rk[10];
  s3 = T0[t3 >>> 24] ^ T1[(t0 >>> 16) & 0xff] ^ T2[(t1 >>> 8) & 0xff] ^ T3[t2 & 0xff] ^ rk[11];
  // round 3
  t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 0xff] ^ T2[(s2 >>> 8) & 0xff] ^ T3[s3 & 0xff] ^ rk[12];
  t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 0xff] ^ T2[(s3 >>> 8) & 0xff] ^ T3[s0 & 0xff] ^ rk[13];
  t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 0xff] ^ T2[(s0 >>> 8) & 0xff] ^ T3[s1 & 0xff] ^ rk[14];
  t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 0xff] ^ T2[(s1 >>> 8) & 0xff] ^ T3[s2 & 0xff] ^ rk[15];
  // round 4
  s0 = T0[t0 >>> 24] ^ T1[(t1 >>> 16) & 0xff] ^ T2[(t2 >>> 8) & 0xff] ^ T3[t3 & 0xff] ^ rk[16];
  s1 = T0[t1 >>> 24] ^ T1[(t2 >>> 16) & 0xff] ^ T2[(t3 >>> 8) & 0xff] ^ T3[t0 & 0xff] ^ rk[17];
  s2 = T0[t2 >>> 24] ^ T1[(t3 >>> 16) & 0xff] ^ T2[(t0 >>> 8) & 0xff] ^ T3[t1 & 0xff] ^ rk[18];
  s3 = T0[t3 >>> 24] ^ T1[(t0 >>> 16) & 0xff] ^ T2[(t1 >>> 8) & 0xff] ^ T3[t2 & 0xff] ^ rk[19];
  // round 5
  t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 0xff] ^ T2[(s2 >>> 8) & 0xff] ^ T3[s3 & 0xff] ^ rk[20];
  t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 0xff] ^ T2[(s3 >>> 8) & 0xff] ^ T3[s0 & 0xff] ^ rk[21];
  t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 0xff] ^ T2[(s0 >>> 8) & 0xff] ^ T3[s1 & 0xff] ^ rk[22];
  t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 0xff] ^ T2[(s1 >>> 8) & 0xff] ^ T3[s2 & 0xff] ^ rk[23];
  // round 6
  s0 = T0[t0 >>> 24] ^ T1[(t1 >>> 16) & 0xff] ^ T2[(t2 >>> 8) & 0xff] ^ T3[t3 & 0xff] ^ rk[24];
  s1 = T0[t1 >>> 24] ^ T1[(t2 >>> 16) & 0xff] ^ T2[(t3 >>> 8) & 0xff] ^ T3[t0 & 0xff] ^ rk[25];
  s2 = T0[t2 >>> 24] ^ T1[(t3 >>> 16) & 0xff] ^ T2[(t0 >>> 8) & 0xff] ^ T3[t1 & 0xff] ^ rk[26];
  s3 = T0[t3 >>> 24] ^ T1[(t0 >>> 16) & 0xff] ^ T2[(t1 >>> 8) & 0xff] ^ T3[t2 & 0xff] ^ rk[27];
  // round 7
  t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 0xff] ^ T2[(s2 >>> 8) & 0xff] ^ T3[s3 & 0xff] ^ rk[28];
  t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 0xff] ^ T2[(s3 >>> 8) & 0xff] ^ T3[s0 & 0xff] ^ rk[29];
  t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 0xff] ^ T2[(s0 >>> 8) & 0xff] ^ T3[s1 & 0xff] ^ rk[30];
  t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 0xff] ^ T2[(s1 >>> 8) & 0xff] ^ T3[s2 & 0xff] ^ rk[31];
  // round 8
  s0 = T0[t0 >>> 24] ^ T1[(t1 >>> 16) & 0xff] ^ T2[(t2 >>> 8) & 0xff] ^ T3[t3 & 0xff] ^ rk[32];
  s1 = T0[t1 >>> 24] ^ T1[(t2 >>> 16) & 0xff] ^ T2[(t3 >>> 8) & 0xff] ^ T3[t0 & 0xff] ^ rk[33];
  s2 = T0[t2 >>> 24] ^ T1[(t3 >>> 16) & 0xff] ^ T2[(t0 >>> 8) & 0xff] ^ T3[t1 & 0xff] ^ rk[34];
  s3 = T0[t3 >>> 24] ^ T1[(t0 >>> 16) & 0xff] ^ T2[(t1 >>> 8) & 0xff] ^ T3[t2 & 0xff] ^ rk[35];
  // round 9
  t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 0xff] ^ T2[(s2 >>> 8) & 0xff] ^ T3[s3 & 0xff] ^ rk[36];
  t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 0xff] ^ T2[(s3 >>> 8) & 0xff] ^ T3[s0 & 0xff] ^ rk[37];
  t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 0xff] ^ T2[(s0 >>> 8) & 0xff] ^ T3[s1 & 0xff] ^ rk[38];
  t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 0xff] ^ T2[(s1 >>> 8) & 0xff] ^ T3[s2 & 0xff] ^ rk[39];
  // Final round: SubBytes + ShiftRows + AddRoundKey (no MixColumns).
  const S = SBOX;
  out[0] = ((S[t0 >>> 24] << 24) | (S[(t1 >>> 16) & 0xff] << 16) | (S[(t2 >>> 8) & 0xff] << 8) | S[t3 & 0xff]) ^ rk[40];
  out[1] = ((S[t1 >>> 24] << 24) | (S[(t2 >>> 16) & 0xff] << 16) | (S[(t3 >>> 8) & 0xff] << 8) | S[t0 & 0xff]) ^ rk[41];
  out[2] = ((S[t2 >>> 24] << 24) | (S[(t3 >>> 16) & 0xff] << 16) | (S[(t0 >>> 8) & 0xff] << 8) | S[t1 & 0xff]) ^ rk[42];
  out[3] = ((S[t3 >>> 24] << 24) | (S[(t0 >>> 16) & 0xff] << 16) | (S[(t1 >>> 8) & 0xff] << 8) | S[t2 & 0xff]) ^ rk[43];
}

/**
 * Counter mode with rounds 1 and 2 cached (Bernstein and Schwabe's "counter-mode
 * caching"). In a GCM counter block only word 3 changes, and from block to block only its low
 * byte, except every 256th block. Round 1 reads one byte of word 3 per output word, so while the
 * upper 24 bits of word 3 stay, only round-1 word 0 changes, by one table term (T3 of the low
 * byte). Round 2 reads one byte of round-1 word 0 per output word, so each of its four words is
 * a constant plus one table term. aes128CtrPrepare computes the constants once (pre[0] = round-1
 * word 0 without its low-byte term, pre[1..4] = round-2 words without their word-0 terms);
 * aes128CtrXor adds the 5 varying terms and runs rounds 3..10: 27 of the 160 table look-ups of
 * a block are saved. Same output as aes128EncryptWords(rk, c0, c1, c2, c3, out)
 * when pre was prepared for c0, c1, c2 and a word 3 with the same upper 24 bits as c3.
 */
function aes128CtrPrepare(rk: Uint32Array, c0: number, c1: number, c2: number, c3: number, pre: Uint32Array): void {
  const s0 = c0 ^ rk[0];
  const s1 = c1 ^ rk[1];
  const s2 = c2 ^ rk[2];
  const s3 = c3 ^ rk[3];
  // Round 1 (t0 without T3[s3 & 0xff], the only term that changes per block).
  const t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 0xff] ^ TE2[(s2 >>> 8) & 0xff] ^ rk[4];
  const t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 0xff] ^ TE2[(s3 >>> 8) & 0xff] ^ TE3[s0 & 0xff] ^ rk[5];
  const t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 0xff] ^ TE2[(s0 >>> 8) & 0xff] ^ TE3[s1 & 0xff] ^ rk[6];
  const t3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 0xff] ^ TE2[(s1 >>> 8) & 0xff] ^ TE3[s2 & 0xff] ^ rk[7];
  pre[0] = t0;
  // Round 2 without the terms that read t0.
  pre[1] = TE1[(t1 >>> 16) & 0xff] ^ TE2[(t2 >>> 8) & 0xff] ^ TE3[t3 & 0xff] ^ rk[8];
  pre[2] = TE0[t1 >>> 24] ^ TE1[(t2 >>> 16) & 0xff] ^ TE2[(t3 >>> 8) & 0xff] ^ rk[9];
  pre[3] = TE0[t2 >>> 24] ^ TE1[(t3 >>> 16) & 0xff] ^ TE3[t1 & 0xff] ^ rk[10];
  pre[4] = TE0[t3 >>> 24] ^ TE2[(t1 >>> 8) & 0xff] ^ TE3[t2 & 0xff] ^ rk[11];
}

/**
 * GCM counter mode over a whole message: out = input xor AES_K(counter blocks), counter word 3
 * starting at c3 + 1 (inc32). The block loop runs inside this one function with the 33
 * round-key words it reads held in locals: under XS a local read is one bytecode, a
 * typed-array read several, and the call per block with its eight arguments and the keystream
 * stores and loads went too. Rounds 1 and 2 are cached as in aes128CtrPrepare (prepared for the
 * first block and again whenever the counter's low byte wraps). The keystream is XORed a 32-bit
 * word at a time through DataView (big-endian, as the words). `out` may be `input`.
 */
export function aes128CtrXor(rk: Uint32Array, c0: number, c1: number, c2: number, c3: number, input: Uint8Array, out: Uint8Array): void {
  const T0 = TE0;
  const T1 = TE1;
  const T2 = TE2;
  const T3 = TE3;
  const S = SBOX;
  const k3 = rk[3];
  const k12 = rk[12];
  const k13 = rk[13];
  const k14 = rk[14];
  const k15 = rk[15];
  const k16 = rk[16];
  const k17 = rk[17];
  const k18 = rk[18];
  const k19 = rk[19];
  const k20 = rk[20];
  const k21 = rk[21];
  const k22 = rk[22];
  const k23 = rk[23];
  const k24 = rk[24];
  const k25 = rk[25];
  const k26 = rk[26];
  const k27 = rk[27];
  const k28 = rk[28];
  const k29 = rk[29];
  const k30 = rk[30];
  const k31 = rk[31];
  const k32 = rk[32];
  const k33 = rk[33];
  const k34 = rk[34];
  const k35 = rk[35];
  const k36 = rk[36];
  const k37 = rk[37];
  const k38 = rk[38];
  const k39 = rk[39];
  const k40 = rk[40];
  const k41 = rk[41];
  const k42 = rk[42];
  const k43 = rk[43];
  const n = input.length;
  const din = new DataView(input.buffer, input.byteOffset, n);
  const dout = new DataView(out.buffer, out.byteOffset, out.length);
  const pre = new Uint32Array(5);
  let p0 = 0;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  let counter = c3;
  let s0: number;
  let s1: number;
  let s2: number;
  let s3: number;
  let t0: number;
  let t1: number;
  let t2: number;
  let t3: number;
  for (let off = 0; off < n; off += 16) {
    counter = (counter + 1) >>> 0; // inc32: the last 32 bits wrap
    if (off === 0 || (counter & 0xff) === 0) {
      aes128CtrPrepare(rk, c0, c1, c2, counter, pre);
      p0 = pre[0];
      q0 = pre[1];
      q1 = pre[2];
      q2 = pre[3];
      q3 = pre[4];
    }
    const r1 = p0 ^ T3[(counter ^ k3) & 0xff]; // round-1 word 0
    // round 2: the four terms that read round-1 word 0
    s0 = q0 ^ T0[r1 >>> 24];
    s1 = q1 ^ T3[r1 & 0xff];
    s2 = q2 ^ T2[(r1 >>> 8) & 0xff];
    s3 = q3 ^ T1[(r1 >>> 16) & 0xff];
    // round 3
    t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 0xff] ^ T2[(s2 >>> 8) & 0xff] ^ T3[s3 & 0xff] ^ k12;
    t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 0xff] ^ T2[(s3 >>> 8) & 0xff] ^ T3[s0 & 0xff] ^ k13;
    t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 0xff] ^ T2[(s0 >>> 8) & 0xff] ^ T3[s1 & 0xff] ^ k14;
    t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 0xff] ^ T2[(s1 >>> 8) & 0xff] ^ T3[s2 & 0xff] ^ k15;
    // round 4
    s0 = T0[t0 >>> 24] ^ T1[(t1 >>> 16) & 0xff] ^ T2[(t2 >>> 8) & 0xff] ^ T3[t3 & 0xff] ^ k16;
    s1 = T0[t1 >>> 24] ^ T1[(t2 >>> 16) & 0xff] ^ T2[(t3 >>> 8) & 0xff] ^ T3[t0 & 0xff] ^ k17;
    s2 = T0[t2 >>> 24] ^ T1[(t3 >>> 16) & 0xff] ^ T2[(t0 >>> 8) & 0xff] ^ T3[t1 & 0xff] ^ k18;
    s3 = T0[t3 >>> 24] ^ T1[(t0 >>> 16) & 0xff] ^ T2[(t1 >>> 8) & 0xff] ^ T3[t2 & 0xff] ^ k19;
    // round 5
    t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 0xff] ^ T2[(s2 >>> 8) & 0xff] ^ T3[s3 & 0xff] ^ k20;
    t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 0xff] ^ T2[(s3 >>> 8) & 0xff] ^ T3[s0 & 0xff] ^ k21;
    t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 0xff] ^ T2[(s0 >>> 8) & 0xff] ^ T3[s1 & 0xff] ^ k22;
    t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 0xff] ^ T2[(s1 >>> 8) & 0xff] ^ T3[s2 & 0xff] ^ k23;
    // round 6
    s0 = T0[t0 >>> 24] ^ T1[(t1 >>> 16) & 0xff] ^ T2[(t2 >>> 8) & 0xff] ^ T3[t3 & 0xff] ^ k24;
    s1 = T0[t1 >>> 24] ^ T1[(t2 >>> 16) & 0xff] ^ T2[(t3 >>> 8) & 0xff] ^ T3[t0 & 0xff] ^ k25;
    s2 = T0[t2 >>> 24] ^ T1[(t3 >>> 16) & 0xff] ^ T2[(t0 >>> 8) & 0xff] ^ T3[t1 & 0xff] ^ k26;
    s3 = T0[t3 >>> 24] ^ T1[(t0 >>> 16) & 0xff] ^ T2[(t1 >>> 8) & 0xff] ^ T3[t2 & 0xff] ^ k27;
    // round 7
    t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 0xff] ^ T2[(s2 >>> 8) & 0xff] ^ T3[s3 & 0xff] ^ k28;
    t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 0xff] ^ T2[(s3 >>> 8) & 0xff] ^ T3[s0 & 0xff] ^ k29;
    t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 0xff] ^ T2[(s0 >>> 8) & 0xff] ^ T3[s1 & 0xff] ^ k30;
    t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 0xff] ^ T2[(s1 >>> 8) & 0xff] ^ T3[s2 & 0xff] ^ k31;
    // round 8
    s0 = T0[t0 >>> 24] ^ T1[(t1 >>> 16) & 0xff] ^ T2[(t2 >>> 8) & 0xff] ^ T3[t3 & 0xff] ^ k32;
    s1 = T0[t1 >>> 24] ^ T1[(t2 >>> 16) & 0xff] ^ T2[(t3 >>> 8) & 0xff] ^ T3[t0 & 0xff] ^ k33;
    s2 = T0[t2 >>> 24] ^ T1[(t3 >>> 16) & 0xff] ^ T2[(t0 >>> 8) & 0xff] ^ T3[t1 & 0xff] ^ k34;
    s3 = T0[t3 >>> 24] ^ T1[(t0 >>> 16) & 0xff] ^ T2[(t1 >>> 8) & 0xff] ^ T3[t2 & 0xff] ^ k35;
    // round 9
    t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 0xff] ^ T2[(s2 >>> 8) & 0xff] ^ T3[s3 & 0xff] ^ k36;
    t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 0xff] ^ T2[(s3 >>> 8) & 0xff] ^ T3[s0 & 0xff] ^ k37;
    t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 0xff] ^ T2[(s0 >>> 8) & 0xff] ^ T3[s1 & 0xff] ^ k38;
    t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 0xff] ^ T2[(s1 >>> 8) & 0xff] ^ T3[s2 & 0xff] ^ k39;
    // Final round: SubBytes + ShiftRows + AddRoundKey (no MixColumns).
    s0 = ((S[t0 >>> 24] << 24) | (S[(t1 >>> 16) & 0xff] << 16) | (S[(t2 >>> 8) & 0xff] << 8) | S[t3 & 0xff]) ^ k40;
    s1 = ((S[t1 >>> 24] << 24) | (S[(t2 >>> 16) & 0xff] << 16) | (S[(t3 >>> 8) & 0xff] << 8) | S[t0 & 0xff]) ^ k41;
    s2 = ((S[t2 >>> 24] << 24) | (S[(t3 >>> 16) & 0xff] << 16) | (S[(t0 >>> 8) & 0xff] << 8) | S[t1 & 0xff]) ^ k42;
    s3 = ((S[t3 >>> 24] << 24) | (S[(t0 >>> 16) & 0xff] << 16) | (S[(t1 >>> 8) & 0xff] << 8) | S[t2 & 0xff]) ^ k43;
    if (n - off >= 16) {
      dout.setInt32(off, din.getInt32(off) ^ s0);
      dout.setInt32(off + 4, din.getInt32(off + 4) ^ s1);
      dout.setInt32(off + 8, din.getInt32(off + 8) ^ s2);
      dout.setInt32(off + 12, din.getInt32(off + 12) ^ s3);
    } else {
      for (let i = 0; off + i < n; i++) {
        const w = i < 4 ? s0 : i < 8 ? s1 : i < 12 ? s2 : s3;
        out[off + i] = input[off + i] ^ ((w >>> (24 - 8 * (i & 3))) & 0xff);
      }
    }
  }
}

/** Encrypt one 16-byte block: input[inOff..+16) -> out[outOff..+16). In-place is allowed. */
export function aes128EncryptBlock(rk: Uint32Array, input: Uint8Array, inOff: number, out: Uint8Array, outOff: number): void {
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
