/**
 * Encrypted P1 (Luxembourg Smarty, some Austrian Sagemcom T210-D): a DSMR text telegram
 * inside a DLMS general-glo-ciphering APDU (IEC 62056-5-3, Luxembourg "Smarty P1 port
 * specification" 1.1, 3.2):
 *
 *   DB | 08 | system title (8) | 82 | length (2, big-endian) | SC | frame counter (4) | ciphertext | tag (12)
 *   length = 1 + 4 + ciphertext + 12 (bytes after the length field); whole frame = 13 + length
 *
 *   SC 0x30 = authenticated and encrypted (the P1 case); 0x20 = encrypted only (no tag).
 *   IV  = system title || frame counter (12 bytes)
 *   AAD = SC || authentication key (the Smarty spec publishes the fixed AK
 *         00112233445566778899AABBCCDDEEFF)
 *
 * The tag is checked when an authentication key is configured; without one, the plaintext is
 * only accepted if it looks like a telegram and its CRC matches (the CRC then is the only
 * integrity check). Decrypted telegrams go through the same CRC check and parser as clear ones.
 */
import type { DecoderOptions, FrameResult, GcmDecryptor } from '../frame-result';
import { AesGcmKey } from '../crypto/gcm';
import { crc16Arc } from '../util/crc16-arc';
import { copyBytes } from '../util/copy-bytes';
import { decodeDsmrTelegram } from './decode-telegram';
import type { TelegramLayout } from './layout';

export const ENCRYPTED_HEADER_BYTES = 13;
const GCM_TAG_BYTES = 12;
/** The smallest length field: SC, frame counter, one byte of ciphertext, tag. */
export const MIN_ENCRYPTED_LENGTH = 1 + 4 + 1 + GCM_TAG_BYTES;

/** Total frame length from the first 13 bytes, or -1 when they are not this frame shape. */
export function encryptedFrameLength(b: Uint8Array, off = 0): number {
  if (b[off] !== 0xdb || b[off + 1] !== 0x08 || b[off + 10] !== 0x82) return -1;
  const len = (b[off + 11] << 8) | b[off + 12];
  if (len < MIN_ENCRYPTED_LENGTH) return -1;
  return ENCRYPTED_HEADER_BYTES + len;
}

function fail(code: 'encrypted-no-key' | 'decrypt-failed' | 'malformed' | 'unsupported', message: string, raw: Uint8Array): FrameResult {
  return { ok: false, format: 'dsmr-encrypted', error: { code, message }, raw };
}

/**
 * Decrypt one whole frame (as delimited by encryptedFrameLength) and decode the telegram.
 * `gcm` is the prepared key (the splitter keeps one); built from options when absent.
 */
export function decodeEncryptedDsmr(frame: Uint8Array, options: DecoderOptions, gcm?: GcmDecryptor, layout?: TelegramLayout): FrameResult {
  const total = encryptedFrameLength(frame);
  if (total < 0 || total !== frame.length) {
    return fail('malformed', 'not a DB 08 <system title> 82 <length> frame of the stated length', frame);
  }
  const sc = frame[13];
  if (sc !== 0x30 && sc !== 0x20) {
    return fail('unsupported', `security control byte 0x${sc.toString(16)} (only 0x30 and 0x20 are used on P1)`, frame);
  }
  const key = options.encryptionKey;
  if (key === undefined || key.length !== 16) {
    return fail('encrypted-no-key', 'encrypted P1 frame and no 16-byte encryption key configured', frame);
  }
  const iv = new Uint8Array(12);
  iv.set(frame.subarray(2, 10), 0);
  iv.set(frame.subarray(14, 18), 8);
  const hasTag = sc === 0x30;
  const ctEnd = hasTag ? total - GCM_TAG_BYTES : total;
  const ciphertext = frame.subarray(18, ctEnd);
  const ak = options.authenticationKey;
  const cipher = gcm ?? (options.aesGcm !== undefined ? options.aesGcm(key) : new AesGcmKey(key));
  let plaintext: Uint8Array | undefined;
  if (hasTag && ak !== undefined) {
    const aad = new Uint8Array(1 + ak.length);
    aad[0] = sc;
    aad.set(ak, 1);
    plaintext = cipher.decrypt({ iv, ciphertext, aad, tag: frame.subarray(ctEnd, total) });
    if (plaintext === undefined) {
      return fail('decrypt-failed', 'GCM authentication tag mismatch: wrong encryption or authentication key', frame);
    }
  } else {
    plaintext = cipher.decrypt({ iv, ciphertext });
  }
  if (plaintext === undefined || plaintext[0] !== 0x2f) {
    return fail('decrypt-failed', 'decrypted data is not a DSMR telegram: wrong encryption key?', frame);
  }
  return decodeInnerTelegram(plaintext, options, layout);
}

/** The decrypted bytes hold "/..!CRC\r\n": frame it, check the CRC, decode. */
function decodeInnerTelegram(text: Uint8Array, options: DecoderOptions, layout: TelegramLayout | undefined): FrameResult {
  const bang = text.lastIndexOf(0x21);
  if (bang < 0) return fail('decrypt-failed', 'decrypted telegram has no "!": wrong key or cut frame', text);
  let crc = 0;
  let digits = 0;
  for (let i = bang + 1; i < text.length && digits < 4; i++) {
    const c = text[i];
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (v < 0) break;
    crc = crc * 16 + v;
    digits++;
  }
  const telegram = copyBytes(text, 0, bang + 1);
  if (digits > 0 && !options.skipChecksum) {
    const calc = (options.crc16?.arc ?? crc16Arc)(telegram, 0, telegram.length);
    if (calc !== crc) {
      return {
        ok: false,
        format: 'dsmr-encrypted',
        error: { code: 'checksum', message: `decrypted telegram CRC mismatch (says ${crc.toString(16)}, computed ${calc.toString(16)})` },
        raw: telegram,
      };
    }
  }
  return decodeDsmrTelegram(telegram, digits === 0 ? 'absent' : options.skipChecksum ? 'skipped' : 'ok', options, 'dsmr-encrypted', undefined, layout);
}
