/**
 * The part of the SDK's `crypt` module (modules/crypt/digest/crypt.js, modCrypt.c) that
 * native-aes-gcm.ts uses, re-exported by crypt-cipher.js. Argument kinds follow modCrypt.c:
 * keys, IVs and the GHASH key/AAD are read with xsmcToArrayBuffer (an ArrayBuffer, not a view);
 * data to encrypt/hash is read with xsmcGetBuffer / xsmcGetBufferReadable (views allowed).
 */
export class BlockCipher {
  /** 'AES' with a 16-, 24- or 32-byte key. */
  constructor(cipher: 'AES', key: ArrayBuffer);
  /** One block: data (an ArrayBuffer of at least blockSize bytes) -> a new ArrayBuffer, or into `result`. */
  encrypt(data: ArrayBuffer, result?: ArrayBuffer): ArrayBuffer;
  readonly blockSize: number;
}

export class Mode {
  /** 'CTR': the counter block is the IV, incremented as one 128-bit big-endian number per block. */
  constructor(mode: 'CTR', cipher: BlockCipher, iv?: ArrayBuffer);
  setIV(iv: ArrayBuffer): void;
  /** CTR: keystream XOR data (any buffer or view) -> a new ArrayBuffer of the same length. */
  encrypt(data: ArrayBuffer | Uint8Array, result?: ArrayBuffer, count?: number): ArrayBuffer;
}

export class GHASH {
  /** h = E(K, 0^128); the AAD is hashed at once, its length kept for the final block. */
  constructor(h: ArrayBuffer, aad?: ArrayBuffer);
  /** Hashes data (any buffer or view), zero-padded to a whole block at the end. */
  write(data: ArrayBuffer | Uint8Array): void;
  /** GHASH over AAD and data with the len(A) || len(C) block: 16 bytes. */
  close(): ArrayBuffer;
}
