/**
 * DLMS/COSEM application layer for push meters (IEC 62056-5-3, Green Book 9.3):
 *
 *   data-notification (0x0F):
 *     0F | long-invoke-id-and-priority(4) | date-time | notification-body (one A-XDR Data value)
 *     date-time is OPTIONAL: 00 = absent; 09 0C + 12 bytes (as an octet-string, Aidon/Kaifa);
 *     0C + 12 bytes (length without the 09 tag, Austrian Kaifa/Siemens after decryption).
 *   general-glo-ciphering (0xDB): see glo-ciphering.ts; the plaintext is another APDU.
 *   general-block-transfer (0xE0):
 *     E0 | block-control(1: 0x80 last block, 0x40 streaming, 0x3F window) | block-number(2) |
 *        block-number-ack(2) | block-data (BER length + bytes)
 *     Blocks are joined (bounded buffer) until the last one; the result is another APDU.
 *
 * The decoder is an object because general-block-transfer spans link-layer frames; everything
 * else is stateless. It never throws: A-XDR errors become 'malformed' (or 'decrypt-failed' when the
 * payload came out of an unauthenticated decryption, where garbage means a wrong key).
 */
import type { DecodeError } from '../reading';
import { cosemDateTimeIso } from './cosem-datetime';
import { PushList } from './push-list';
import { makeGloKeys, unwrapGloCiphering, GLO_CIPHERING_TAG, type GloKeys } from './glo-ciphering';
import { copyBytes } from '../util/copy-bytes';

const DATA_NOTIFICATION_TAG = 0x0f;
const GENERAL_BLOCK_TRANSFER_TAG = 0xe0;

export type ApduOutcome =
  /**
   * A data-notification: its list read once (push-list.ts) and the notification's date-time.
   * `list` is the decoder's own, valid until its next decode(): map it at once (dlms-result.ts).
   */
  { kind: 'list'; list: PushList; timeIso: string | undefined; encrypted: boolean } | { kind: 'pending' } | { kind: 'error'; error: DecodeError };

export interface ApduDecoderOptions extends GloKeys {
  /** Bound of the general-block-transfer buffer, bytes. */
  maxApduBytes?: number;
}

export class DlmsApduDecoder {
  private readonly keys: GloKeys;
  private readonly blocks: Uint8Array;
  private blockLength = 0;
  private lastBlockNumber = 0;
  /** The list reader, allocated once: every notification's list is read into it. */
  private readonly list = new PushList();

  constructor(options: ApduDecoderOptions = {}) {
    this.keys = makeGloKeys(options.encryptionKey, options.authenticationKey, options.aesGcm);
    this.blocks = new Uint8Array(options.maxApduBytes ?? 4096);
  }

  /** True while a general-block-transfer is being joined (a link layer holds its frames as one). */
  blocksPending(): boolean {
    return this.blockLength > 0;
  }

  /** Drop a general-block-transfer being joined (end of input); true when there was one. */
  abandonBlocks(): boolean {
    const pending = this.blockLength > 0;
    this.blockLength = 0;
    return pending;
  }

  /** Decode one complete APDU at bytes[start, end). */
  decode(bytes: Uint8Array, start = 0, end = bytes.length): ApduOutcome {
    return this.decodeAt(bytes, start, end, 0, false);
  }

  /** Decode a plaintext that came out of a decryption (errors then mean a wrong key). */
  decodeDecrypted(plaintext: Uint8Array): ApduOutcome {
    return this.decodeAt(plaintext, 0, plaintext.length, 1, true);
  }

  private decodeAt(bytes: Uint8Array, start: number, end: number, depth: number, encrypted: boolean): ApduOutcome {
    if (end <= start) return error('truncated', 'empty APDU');
    if (depth > 3) return error('malformed', 'APDU nesting too deep');
    const tag = bytes[start];
    if (tag === DATA_NOTIFICATION_TAG) {
      const outcome = this.notification(bytes, start, end, encrypted);
      // Without a tag check a wrong key decrypts to noise: say so instead of 'malformed'.
      if (outcome.kind === 'error' && encrypted) {
        return error('decrypt-failed', `decrypted APDU does not parse (wrong key?): ${outcome.error.message}`);
      }
      return outcome;
    }
    if (tag === GLO_CIPHERING_TAG) {
      const unwrapped = unwrapGloCiphering(bytes, start, end, this.keys);
      if (!unwrapped.ok) return { kind: 'error', error: unwrapped.error };
      const p = unwrapped.plaintext;
      return this.decodeAt(p, 0, p.length, depth + 1, true);
    }
    if (tag === GENERAL_BLOCK_TRANSFER_TAG) return this.blockTransfer(bytes, start, end, depth, encrypted);
    if (encrypted) return error('decrypt-failed', `decrypted data starts with 0x${tag.toString(16)}, not an APDU (wrong key?)`);
    return error('unsupported', `APDU tag 0x${tag.toString(16)} (only data-notification, glo-ciphering and block transfer are pushed by meters)`);
  }

  /** A data-notification at bytes[start, end): its header, then its list read once. */
  private notification(bytes: Uint8Array, start: number, end: number, encrypted: boolean): ApduOutcome {
    // (read in place, written out: this runs for every frame)
    let p = start + 1;
    if (p + 4 > end) return needs(4, p, end);
    p += 4; // long-invoke-id-and-priority
    // The optional date-time: octet-string 0x09 n (a 12-byte COSEM date-time when n is 12), a
    // bare 0x0C stamp, or 0x00 (none).
    if (p >= end) return needs(1, p, end);
    const dtTag = bytes[p++];
    let timeIso: string | undefined;
    if (dtTag === 0x09) {
      if (p >= end) return needs(1, p, end);
      const n = bytes[p++];
      if (p + n > end) return needs(n, p, end);
      if (n === 12) timeIso = cosemDateTimeIso(bytes, p);
      p += n;
    } else if (dtTag === 0x0c) {
      if (p + 12 > end) return needs(12, p, end);
      timeIso = cosemDateTimeIso(bytes, p);
      p += 12;
    } else if (dtTag !== 0x00) return error('malformed', `data-notification date-time starts with 0x${dtTag.toString(16)}`);
    if (this.list.read(bytes, p, end) >= 0) return { kind: 'list', list: this.list, timeIso, encrypted };
    // A well-formed single value is legal A-XDR but no push list (no shape takes it).
    if (this.list.notAList) return error('unsupported', `data-notification: ${this.list.error}`);
    return error('malformed', `data-notification: ${this.list.error}`);
  }

  private blockTransfer(bytes: Uint8Array, start: number, end: number, depth: number, encrypted: boolean): ApduOutcome {
    // (read in place, written out: a block a frame on meters that push this way)
    let p = start + 1;
    // control, block-number, block-number-ack (meaningless for a push stream), BER length
    let n = p + 6 <= end ? bytes[p + 5] : -1;
    const control = bytes[p];
    const blockNumber = (bytes[p + 1] << 8) | bytes[p + 2];
    p += 6;
    if (n >= 0x80) {
      const count = n & 0x7f;
      if (count < 1 || count > 4 || p + count > end) n = -1;
      else {
        n = 0;
        for (let k = 0; k < count; k++) n = n * 256 + bytes[p++];
      }
    }
    if (n < 0 || p + n > end) {
      this.blockLength = 0;
      return error('truncated', 'general-block-transfer header cut short');
    }
    const data = bytes.subarray(p, p + n);
    if (blockNumber === 1) this.blockLength = 0;
    else if (blockNumber !== this.lastBlockNumber + 1 || this.blockLength === 0) {
      this.blockLength = 0;
      return error('truncated', `block ${blockNumber} without block ${this.lastBlockNumber + 1} (lost block)`);
    }
    if (this.blockLength + data.length > this.blocks.length) {
      this.blockLength = 0;
      return error('overflow', 'general-block-transfer larger than the APDU buffer');
    }
    this.blocks.set(data, this.blockLength);
    this.blockLength += data.length;
    this.lastBlockNumber = blockNumber;
    if ((control & 0x80) === 0) return { kind: 'pending' };
    const whole = copyBytes(this.blocks, 0, this.blockLength);
    this.blockLength = 0;
    return this.decodeAt(whole, 0, whole.length, depth + 1, encrypted);
  }
}

/** The header ends early (the words of axdr.ts ByteReader.need). */
function needs(n: number, at: number, end: number): ApduOutcome {
  return error('malformed', `data-notification: needs ${n} bytes at offset ${at}, ${end - at} left`);
}

function error(code: DecodeError['code'], message: string): ApduOutcome {
  return { kind: 'error', error: { code, message } };
}
