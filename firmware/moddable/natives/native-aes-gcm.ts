/**
 * AES-128-GCM decryption with the SDK's native AES, CTR and GHASH (modules/crypt, C on the
 * device) behind the decoders' GcmDecryptor (DecoderOptions.aesGcm). The JavaScript AES-GCM in
 * decoders/crypto costs about 200 XS computrons per byte (CTR ~110, GHASH ~92); these natives
 * take a frame in a handful of calls.
 *
 * Same contract as decoders/crypto/gcm.ts AesGcmKey.decrypt (NIST SP 800-38D):
 *   J0 = IV || 0x00000001 for a 12-byte IV (DLMS: system title 8 + frame counter 4), else GHASH(IV)
 *   tag = MSB_t(GHASH_H(A, C) XOR E(K, J0)), checked in constant time over the tag's length
 *   P = C XOR keystream(inc32(J0), ...)
 * The SDK's CTR increments the whole 128-bit counter rather than the low 32 bits (inc32); the two
 * differ only after 2^32 blocks, far beyond any meter frame.
 */
import type { GcmDecryptor } from '../../../decoders/frame-result';
import type { BlockCipher, GHASH, Mode } from './crypt-cipher';

/**
 * The SDK classes used, passed in so this glue stays pure: the device binds the real ones
 * (aes-gcm-sdk.ts); the benchmark meters this very code with stand-ins that cost one host call
 * each (tools/bench), to project the device's cost per frame.
 */
export interface CryptCipherApi {
  BlockCipher: new (cipher: 'AES', key: ArrayBuffer) => BlockCipher;
  Mode: new (mode: 'CTR', cipher: BlockCipher) => Mode;
  GHASH: new (h: ArrayBuffer, aad?: ArrayBuffer) => GHASH;
}

/** A copy of the bytes as an ArrayBuffer of exactly their length (the natives want ArrayBuffers). */
function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

class NativeAesGcmKey implements GcmDecryptor {
  private readonly aes: BlockCipher;
  private readonly ctr: Mode;
  private readonly h: ArrayBuffer;
  private readonly sdk: CryptCipherApi;

  constructor(sdk: CryptCipherApi, key: Uint8Array) {
    if (key.length !== 16) throw new RangeError('AES-128 key must be 16 bytes');
    this.sdk = sdk;
    this.aes = new sdk.BlockCipher('AES', arrayBufferOf(key));
    this.h = this.aes.encrypt(new ArrayBuffer(16));
    this.ctr = new sdk.Mode('CTR', this.aes);
  }

  decrypt(p: { iv: Uint8Array; ciphertext: Uint8Array; aad?: Uint8Array; tag?: Uint8Array }): Uint8Array | undefined {
    if (p.iv.length === 0) throw new RangeError('GCM IV must not be empty');
    const j0 = this.j0(p.iv);
    if (p.tag !== undefined) {
      if (p.tag.length === 0 || p.tag.length > 16) return undefined;
      const ghash = new this.sdk.GHASH(this.h, p.aad !== undefined && p.aad.length > 0 ? arrayBufferOf(p.aad) : undefined);
      if (p.ciphertext.length > 0) ghash.write(p.ciphertext);
      const s = new Uint8Array(ghash.close());
      const ekj0 = new Uint8Array(this.aes.encrypt(j0.buffer as ArrayBuffer));
      let diff = 0;
      for (let i = 0; i < p.tag.length; i++) diff |= s[i] ^ ekj0[i] ^ p.tag[i];
      if (diff !== 0) return undefined;
    }
    if (p.ciphertext.length === 0) return new Uint8Array(0);
    // Counter block 2 onwards: J0 + 1 (inc32 of the low word).
    const counter = j0.slice();
    const low = ((counter[12] << 24) | (counter[13] << 16) | (counter[14] << 8) | counter[15]) + 1;
    counter[12] = (low >>> 24) & 0xff;
    counter[13] = (low >>> 16) & 0xff;
    counter[14] = (low >>> 8) & 0xff;
    counter[15] = low & 0xff;
    this.ctr.setIV(counter.buffer as ArrayBuffer);
    return new Uint8Array(this.ctr.encrypt(p.ciphertext));
  }

  private j0(iv: Uint8Array): Uint8Array {
    if (iv.length === 12) {
      const j0 = new Uint8Array(16);
      j0.set(iv, 0);
      j0[15] = 1;
      return j0;
    }
    // GHASH_H(IV padded || 0^64 || len(IV) in bits): the native GHASH adds the length block with
    // the AAD length 0, which is exactly that layout.
    const g = new this.sdk.GHASH(this.h);
    g.write(iv);
    return new Uint8Array(g.close());
  }
}

/** DecoderOptions.aesGcm over the given SDK classes. */
export function nativeAesGcmWith(sdk: CryptCipherApi): (key: Uint8Array) => GcmDecryptor {
  return (key: Uint8Array): GcmDecryptor => new NativeAesGcmKey(sdk, key);
}
