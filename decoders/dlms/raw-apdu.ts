/**
 * A DLMS APDU with no link layer around it, as users paste them from other readers' debug logs
 * ("Using application data", Gurux "PDU", amsreader's raw dumps):
 *
 *   [E6 E7 00]  LLC header of the HDLC information field (E6 E6 00 from some meters), optional
 *   0F ...      data-notification            (IEC 62056-5-3, Green Book 9.3)
 *   DB ...      general-glo-ciphering        (needs the key, see glo-ciphering.ts)
 *   E0 ...      general-block-transfer       (a single last block)
 *
 * On a serial line such bytes have no frame to find them by (0x0F carries no length), so
 * MeterStream never takes them; this is the entry for tools (npm run decode -- --apdu) and
 * tests. Same decoder and list shapes as the splitters; results carry format 'dlms'.
 */
import type { DecoderOptions, FrameResult } from '../frame-result';
import { DlmsApduDecoder } from './apdu';
import { apduOutcomeToResult } from './dlms-result';

/** Index after an LLC header at b[0] (E6 E7 00 / E6 E6 00), or 0 when there is none. */
function llcHeaderLength(b: Uint8Array): number {
  return b.length >= 3 && b[0] === 0xe6 && (b[1] === 0xe7 || b[1] === 0xe6) && b[2] === 0x00 ? 3 : 0;
}

/** True when the bytes look like a raw APDU: [LLC] then a data-notification (0x0F). */
export function looksLikeRawApdu(b: Uint8Array): boolean {
  const at = llcHeaderLength(b);
  return at < b.length && (b[at] === 0x0f || (at > 0 && (b[at] === 0xdb || b[at] === 0xe0)));
}

/** Decode one raw APDU (with or without LLC header); the results a splitter would emit for it. */
export function decodeRawApdu(bytes: Uint8Array, options: DecoderOptions = {}): FrameResult[] {
  const at = llcHeaderLength(bytes);
  if (at >= bytes.length) return [{ ok: false, format: 'dlms', error: { code: 'truncated', message: 'no APDU after the LLC header' }, raw: bytes }];
  const decoder = new DlmsApduDecoder({
    encryptionKey: options.encryptionKey,
    authenticationKey: options.authenticationKey,
    aesGcm: options.aesGcm,
    maxApduBytes: options.maxFrameBytes,
  });
  const result = apduOutcomeToResult(decoder.decode(bytes, at, bytes.length), 'dlms', bytes, options.skipChecksum === true);
  if (result !== undefined) return [result];
  return [{ ok: false, format: 'dlms', error: { code: 'truncated', message: 'general-block-transfer: the last block is missing' }, raw: bytes }];
}
