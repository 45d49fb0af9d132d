/**
 * SHA-256 (FIPS 180-4), HMAC-SHA-256 (RFC 2104) and PBKDF2-HMAC-SHA-256 (RFC 8018), pure
 * TypeScript, incremental. The one implementation the app core uses (OTA image check, access-point
 * password derivation, the stored password hash).
 *
 * Why here and not a platform digest: the OTA image check, the access-point password derivation
 * and the password hash must give the same answer on Node and under XS. On the device a native digest (Moddable
 * `Crypt.Digest`) can be injected through `Sha256Factory` for speed; this one is the default and the
 * reference the tests compare against node:crypto.
 */
export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** Finishes and returns the 32-byte digest; the object must not be updated afterwards. */
  digest(): Uint8Array;
}

export type Sha256Factory = () => Sha256;

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

class PureSha256 implements Sha256 {
  private readonly h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  private readonly block = new Uint8Array(64);
  private readonly w = new Uint32Array(64);
  private blockLength = 0;
  private totalBytes = 0;
  private finished = false;

  /** A copy of the running state: PBKDF2 hashes the HMAC pad blocks once and clones them per iteration. */
  clone(): PureSha256 {
    const copy = new PureSha256();
    copy.h.set(this.h);
    copy.block.set(this.block);
    copy.blockLength = this.blockLength;
    copy.totalBytes = this.totalBytes;
    copy.finished = this.finished;
    return copy;
  }

  update(bytes: Uint8Array): void {
    if (this.finished) throw new Error('sha256: update after digest');
    this.totalBytes += bytes.length;
    let i = 0;
    while (i < bytes.length) {
      const take = Math.min(64 - this.blockLength, bytes.length - i);
      this.block.set(bytes.subarray(i, i + take), this.blockLength);
      this.blockLength += take;
      i += take;
      if (this.blockLength === 64) {
        this.compress();
        this.blockLength = 0;
      }
    }
  }

  digest(): Uint8Array {
    if (this.finished) throw new Error('sha256: digest called twice');
    const bitLength = this.totalBytes * 8;
    this.block[this.blockLength++] = 0x80;
    if (this.blockLength > 56) {
      this.block.fill(0, this.blockLength);
      this.compress();
      this.blockLength = 0;
    }
    this.block.fill(0, this.blockLength);
    // 64-bit big-endian length; images are far below 2^53 bits so two 32-bit halves suffice.
    const high = Math.floor(bitLength / 0x100000000);
    const low = bitLength >>> 0;
    this.block[56] = high >>> 24;
    this.block[57] = high >>> 16;
    this.block[58] = high >>> 8;
    this.block[59] = high;
    this.block[60] = low >>> 24;
    this.block[61] = low >>> 16;
    this.block[62] = low >>> 8;
    this.block[63] = low;
    this.compress();
    this.finished = true;
    const out = new Uint8Array(32);
    for (let j = 0; j < 8; j++) {
      out[j * 4] = this.h[j] >>> 24;
      out[j * 4 + 1] = this.h[j] >>> 16;
      out[j * 4 + 2] = this.h[j] >>> 8;
      out[j * 4 + 3] = this.h[j];
    }
    return out;
  }

  private compress(): void {
    const w = this.w;
    const b = this.block;
    for (let t = 0; t < 16; t++) {
      w[t] = (b[t * 4] << 24) | (b[t * 4 + 1] << 16) | (b[t * 4 + 2] << 8) | b[t * 4 + 3];
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    let a = this.h[0],
      bb = this.h[1],
      c = this.h[2],
      d = this.h[3];
    let e = this.h[4],
      f = this.h[5],
      g = this.h[6],
      h = this.h[7];
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & bb) ^ (a & c) ^ (bb & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = bb;
      bb = a;
      a = (t1 + t2) | 0;
    }
    this.h[0] += a;
    this.h[1] += bb;
    this.h[2] += c;
    this.h[3] += d;
    this.h[4] += e;
    this.h[5] += f;
    this.h[6] += g;
    this.h[7] += h;
  }
}

export const createPureSha256: Sha256Factory = () => new PureSha256();

export function sha256(bytes: Uint8Array, factory: Sha256Factory = createPureSha256): Uint8Array {
  const s = factory();
  s.update(bytes);
  return s.digest();
}

/** HMAC-SHA-256 (RFC 2104), block size 64. */
export function hmacSha256(key: Uint8Array, message: Uint8Array, factory: Sha256Factory = createPureSha256): Uint8Array {
  const k = key.length > 64 ? sha256(key, factory) : key;
  const padded = new Uint8Array(64);
  padded.set(k);
  const inner = new Uint8Array(64);
  const outer = new Uint8Array(64);
  for (let i = 0; i < 64; i++) {
    inner[i] = padded[i] ^ 0x36;
    outer[i] = padded[i] ^ 0x5c;
  }
  const hi = factory();
  hi.update(inner);
  hi.update(message);
  const innerDigest = hi.digest();
  const ho = factory();
  ho.update(outer);
  ho.update(innerDigest);
  return ho.digest();
}

/** Constant-time-ish comparison (no early exit), for digests. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** HMAC pad block (0x36 inner, 0x5c outer) already hashed: the per-iteration start of PBKDF2. */
function padState(key: Uint8Array, pad: number): PureSha256 {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? sha256(key) : key);
  for (let i = 0; i < 64; i++) block[i] ^= pad;
  const state = new PureSha256();
  state.update(block);
  return state;
}

/**
 * PBKDF2-HMAC-SHA-256 (RFC 8018). The pad states are hashed once and cloned, so each iteration
 * costs two compressions: it runs thousands of them per login on the device.
 */
export function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, lengthBytes: number): Uint8Array {
  const innerPad = padState(password, 0x36);
  const outerPad = padState(password, 0x5c);
  const hmac = (message: Uint8Array): Uint8Array => {
    const inner = innerPad.clone();
    inner.update(message);
    const outer = outerPad.clone();
    outer.update(inner.digest());
    return outer.digest();
  };
  const out = new Uint8Array(lengthBytes);
  const blocks = Math.ceil(lengthBytes / 32);
  for (let block = 1; block <= blocks; block++) {
    const first = new Uint8Array(salt.length + 4);
    first.set(salt);
    first[salt.length] = (block >>> 24) & 0xff;
    first[salt.length + 1] = (block >>> 16) & 0xff;
    first[salt.length + 2] = (block >>> 8) & 0xff;
    first[salt.length + 3] = block & 0xff;
    let u = hmac(first);
    const t = u.slice();
    for (let i = 1; i < iterations; i++) {
      u = hmac(u);
      for (let j = 0; j < 32; j++) t[j] ^= u[j];
    }
    out.set(t.subarray(0, Math.min(32, lengthBytes - (block - 1) * 32)), (block - 1) * 32);
  }
  return out;
}
