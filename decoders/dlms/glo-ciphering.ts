/**
 * general-glo-ciphering APDU (IEC 62056-5-3 / DLMS UA 1000-2 Green Book 9.2.7, tag 0xDB):
 *
 *   DB | 08 | system-title(8) | length (BER: nn, 81 nn, 82 nn nn) |
 *        security-control(1) | frame-counter(4) | ciphered APDU ... | [tag(12) when SC bit 0x10]
 *
 * `length` covers security-control, frame-counter, the ciphered APDU and the tag.
 * security-control: bits 0-3 security suite (0 and 1 both use AES-128-GCM for the payload),
 * 0x10 authentication, 0x20 encryption, 0x40 key set, 0x80 compression (not supported).
 *   0x20 / 0x21  encryption only: no tag (Austrian IM350/AM550, TINETZ Kaifa use these)
 *   0x30 / 0x31  authenticated encryption: tag = last 12 bytes, AAD = SC || AK
 *   0x10 / 0x11  authentication only: plaintext, tag over AAD = SC || AK || plaintext
 * IV = system-title || frame-counter (96 bits).
 *
 * The tag is checked only when an authentication key is configured; without one the payload is
 * decrypted and a wrong key shows as garbage, which the APDU parser then rejects ('decrypt-failed').
 */
import { AesGcmKey, aesGcmDecrypt } from '../crypto/gcm';
import type { GcmDecryptor } from '../frame-result';
import type { DecodeError } from '../reading';
import { ByteReader } from './axdr';

export const GLO_CIPHERING_TAG = 0xdb;
const GCM_TAG_BYTES = 12;

export interface GloKeys {
  encryptionKey?: Uint8Array;
  authenticationKey?: Uint8Array;
  /** The platform's native AES-GCM (DecoderOptions.aesGcm). */
  aesGcm?: (key: Uint8Array) => GcmDecryptor;
}

/**
 * Keys of a decoder that lives as long as its port (makeGloKeys): the encryption key is prepared
 * (the JavaScript AES-GCM: round keys and 8 KiB of GHASH tables; the device: the SDK's native
 * AES, DecoderOptions.aesGcm) on the first decryption and kept. Without it every frame would
 * rebuild them, about 40,000 XS computrons in JavaScript; prepared lazily, only the decoder that
 * really decrypts (one per port once the stream has locked) holds them.
 */
export interface CachedGloKeys extends GloKeys {
  prepared: GcmDecryptor | undefined;
  /** The platform's native AES-GCM (DecoderOptions.aesGcm), else the JavaScript AesGcmKey. */
  prepare?: (key: Uint8Array) => GcmDecryptor;
}

export function makeGloKeys(encryptionKey?: Uint8Array, authenticationKey?: Uint8Array, prepare?: (key: Uint8Array) => GcmDecryptor): CachedGloKeys {
  return { encryptionKey, authenticationKey, prepared: undefined, prepare };
}

function decryptWith(
  keys: GloKeys,
  key: Uint8Array,
  p: { iv: Uint8Array; ciphertext: Uint8Array; aad?: Uint8Array; tag?: Uint8Array },
): Uint8Array | undefined {
  if ('prepared' in keys) {
    const cached = keys as CachedGloKeys;
    if (cached.prepared === undefined) cached.prepared = cached.prepare !== undefined ? cached.prepare(key) : new AesGcmKey(key);
    return cached.prepared.decrypt(p);
  }
  return aesGcmDecrypt({ key, ...p });
}

export type UnwrapResult =
  | { ok: true; plaintext: Uint8Array; systemTitle: Uint8Array; frameCounter: number; securityControl: number; tagChecked: boolean }
  | { ok: false; error: DecodeError };

/** Unwrap one general-glo-ciphering APDU at bytes[start, end). */
export function unwrapGloCiphering(bytes: Uint8Array, start: number, end: number, keys: GloKeys): UnwrapResult {
  const r = new ByteReader(bytes, start, end);
  let systemTitle: Uint8Array;
  let length: number;
  try {
    if (r.u8() !== GLO_CIPHERING_TAG) return fail('malformed', 'not a general-glo-ciphering APDU');
    const titleLength = r.u8();
    if (titleLength !== 8) return fail('malformed', `system title of ${titleLength} bytes (expected 8)`);
    systemTitle = r.take(8);
    length = r.length();
  } catch {
    return fail('truncated', 'general-glo-ciphering header cut short');
  }
  if (length < 5) return fail('malformed', `ciphered length ${length} too short`);
  if (length > r.remaining()) return fail('truncated', `ciphered length ${length} but ${r.remaining()} bytes present`);
  const sc = bytes[r.pos];
  const fcAt = r.pos + 1;
  const frameCounter = bytes[fcAt] * 0x1000000 + ((bytes[fcAt + 1] << 16) | (bytes[fcAt + 2] << 8) | bytes[fcAt + 3]);
  const payloadStart = r.pos + 5;
  const payloadEndWithTag = r.pos + length;
  if (sc & 0x80) return fail('unsupported', `compressed ciphering (security control 0x${sc.toString(16)})`);
  const suite = sc & 0x0f;
  if (suite > 1) return fail('unsupported', `security suite ${suite}`);
  const authenticated = (sc & 0x10) !== 0;
  const encrypted = (sc & 0x20) !== 0;
  const payloadEnd = authenticated ? payloadEndWithTag - GCM_TAG_BYTES : payloadEndWithTag;
  if (payloadEnd < payloadStart) return fail('malformed', 'ciphered APDU shorter than its tag');
  const iv = new Uint8Array(12);
  iv.set(systemTitle, 0);
  iv.set(bytes.subarray(fcAt, fcAt + 4), 8);
  const ak = keys.authenticationKey;
  const tag = authenticated && ak ? bytes.subarray(payloadEnd, payloadEndWithTag) : undefined;
  const tagChecked = tag !== undefined;
  // (results written out, keys in this order, rather than spread from a shared object: a
  // spread costs more than the whole header under XS)

  if (!encrypted) {
    const plaintext = bytes.slice(payloadStart, payloadEnd);
    if (!authenticated || !tag || !ak) return { ok: true, plaintext, systemTitle, frameCounter, securityControl: sc, tagChecked };
    const key = keys.encryptionKey;
    if (!key) return fail('encrypted-no-key', 'authenticated frame: the tag check needs the encryption key too');
    if (key.length !== 16) return fail('decrypt-failed', `encryption key has ${key.length} bytes, AES-128 needs 16`);
    const aad = concat3(new Uint8Array([sc]), ak, plaintext);
    const ok = decryptWith(keys, key, { iv, ciphertext: new Uint8Array(0), aad, tag });
    return ok ? { ok: true, plaintext, systemTitle, frameCounter, securityControl: sc, tagChecked } : fail('decrypt-failed', 'authentication tag mismatch');
  }

  const key = keys.encryptionKey;
  if (!key) return fail('encrypted-no-key', 'encrypted frame (general-glo-ciphering) and no encryption key configured');
  // A key of the wrong size is a configuration error; report it per frame rather than throw.
  if (key.length !== 16) return fail('decrypt-failed', `encryption key has ${key.length} bytes, AES-128 needs 16`);
  const ciphertext = bytes.subarray(payloadStart, payloadEnd);
  let aad: Uint8Array | undefined;
  if (tag && ak) {
    aad = new Uint8Array(1 + ak.length);
    aad[0] = sc;
    aad.set(ak, 1);
  }
  const plaintext = decryptWith(keys, key, aad ? { iv, ciphertext, aad, tag } : { iv, ciphertext });
  if (!plaintext) return fail('decrypt-failed', 'authentication tag mismatch (wrong encryption or authentication key)');
  return { ok: true, plaintext, systemTitle, frameCounter, securityControl: sc, tagChecked };
}

function concat3(a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length + c.length);
  out.set(a, 0);
  out.set(b, a.length);
  out.set(c, a.length + b.length);
  return out;
}

function fail(code: DecodeError['code'], message: string): { ok: false; error: DecodeError } {
  return { ok: false, error: { code, message } };
}
