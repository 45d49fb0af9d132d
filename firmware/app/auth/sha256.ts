/**
 * SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) in plain TypeScript.
 *
 * WHY here and not node:crypto: the device (XS on ESP32) has no node:crypto, and the password hash
 * must verify identically on both. Only used for passwords and session-free work, never on the
 * per-byte meter path, so clarity wins over speed; PBKDF2 still gets a fast path (precomputed
 * HMAC pad states) because it runs thousands of compressions per login.
 */

function roundConstants(): Uint32Array {
  return new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
}

function initialState(): Uint32Array {
  return new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
}

/** Scratch space for one hashing job; created per call (no module-level mutable state on XS). */
interface Work {
  k: Uint32Array;
  w: Uint32Array;
}

function newWork(): Work {
  return { k: roundConstants(), w: new Uint32Array(64) };
}

/** Compress one 64-byte block given as 16 big-endian words in work.w[0..15]. */
function compressWords(state: Uint32Array, work: Work): void {
  const w = work.w;
  const k = work.k;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15];
    const y = w[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = state[0], b = state[1], c = state[2], d = state[3];
  let e = state[4], f = state[5], g = state[6], h = state[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + k[i] + w[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0;
    d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0; state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0; state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0; state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0; state[7] = (state[7] + h) | 0;
}

function loadBlock(work: Work, bytes: Uint8Array, offset: number): void {
  const w = work.w;
  for (let i = 0; i < 16; i++) {
    const p = offset + i * 4;
    w[i] = (bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3];
  }
}

/** Hash `data` starting from `state` as if `prefixBytes` had already been compressed into it. */
function finish(state: Uint32Array, data: Uint8Array, prefixBytes: number, work: Work): Uint8Array {
  const fullBlocks = Math.floor(data.length / 64);
  for (let i = 0; i < fullBlocks; i++) {
    loadBlock(work, data, i * 64);
    compressWords(state, work);
  }
  const rest = data.length - fullBlocks * 64;
  const tail = new Uint8Array(rest < 56 ? 64 : 128);
  tail.set(data.subarray(fullBlocks * 64));
  tail[rest] = 0x80;
  const bitLength = (prefixBytes + data.length) * 8;
  const end = tail.length;
  // Messages here are far below 2^32 bits; the high word is written for completeness.
  const high = Math.floor(bitLength / 0x100000000);
  tail[end - 8] = (high >>> 24) & 0xff; tail[end - 7] = (high >>> 16) & 0xff;
  tail[end - 6] = (high >>> 8) & 0xff; tail[end - 5] = high & 0xff;
  tail[end - 4] = (bitLength >>> 24) & 0xff; tail[end - 3] = (bitLength >>> 16) & 0xff;
  tail[end - 2] = (bitLength >>> 8) & 0xff; tail[end - 1] = bitLength & 0xff;
  for (let off = 0; off < end; off += 64) {
    loadBlock(work, tail, off);
    compressWords(state, work);
  }
  return stateBytes(state);
}

function stateBytes(state: Uint32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    out[i * 4] = state[i] >>> 24; out[i * 4 + 1] = (state[i] >>> 16) & 0xff;
    out[i * 4 + 2] = (state[i] >>> 8) & 0xff; out[i * 4 + 3] = state[i] & 0xff;
  }
  return out;
}

export function sha256(data: Uint8Array): Uint8Array {
  return finish(initialState(), data, 0, newWork());
}

/** HMAC key block padded with `pad` (0x36 inner, 0x5c outer), compressed into a fresh state. */
function padState(key: Uint8Array, pad: number, work: Work): Uint32Array {
  const keyBlock = new Uint8Array(64);
  keyBlock.set(key.length > 64 ? sha256(key) : key);
  for (let i = 0; i < 64; i++) keyBlock[i] ^= pad;
  const state = initialState();
  loadBlock(work, keyBlock, 0);
  compressWords(state, work);
  return state;
}

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const work = newWork();
  const inner = finish(padState(key, 0x36, work), message, 64, work);
  return finish(padState(key, 0x5c, work), inner, 64, work);
}

/**
 * PBKDF2-HMAC-SHA-256 (RFC 8018). The pad states are computed once, so each iteration costs two
 * compressions.
 */
export function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, lengthBytes: number): Uint8Array {
  const work = newWork();
  const innerPad = padState(password, 0x36, work);
  const outerPad = padState(password, 0x5c, work);
  const out = new Uint8Array(lengthBytes);
  const blocks = Math.ceil(lengthBytes / 32);
  for (let block = 1; block <= blocks; block++) {
    const first = new Uint8Array(salt.length + 4);
    first.set(salt);
    first[salt.length] = (block >>> 24) & 0xff; first[salt.length + 1] = (block >>> 16) & 0xff;
    first[salt.length + 2] = (block >>> 8) & 0xff; first[salt.length + 3] = block & 0xff;
    let u = finish(innerPad.slice(), first, 64, work);
    u = finish(outerPad.slice(), u, 64, work);
    const t = u.slice();
    for (let i = 1; i < iterations; i++) {
      u = finish(innerPad.slice(), u, 64, work);
      u = finish(outerPad.slice(), u, 64, work);
      for (let j = 0; j < 32; j++) t[j] ^= u[j];
    }
    out.set(t.subarray(0, Math.min(32, lengthBytes - (block - 1) * 32)), (block - 1) * 32);
  }
  return out;
}
