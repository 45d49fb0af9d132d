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
import type { DecodeError, MeterReading } from '../reading';
import { AxdrError, ByteReader, readAxdr, type AxdrValue } from './axdr';
import { cosemDateTimeIso, decodeCosemDateTime, type CosemDateTime } from './cosem-datetime';
import { mapTaggedStructures, obisStructures } from './lists/obis-structures';
import { FlatList } from './flat-list';
import { flatListToReading } from './lists/registry';
import { makeGloKeys, unwrapGloCiphering, GLO_CIPHERING_TAG, type GloKeys } from './glo-ciphering';
import { copyBytes } from '../util/copy-bytes';

export const DATA_NOTIFICATION_TAG = 0x0f;
export const GENERAL_BLOCK_TRANSFER_TAG = 0xe0;

export interface DataNotification {
  invokeId: number;
  time?: CosemDateTime;
  body: AxdrValue;
  encrypted: boolean;
}

export type ApduOutcome =
  | { kind: 'notification'; notification: DataNotification }
  /** With `mapLists`: the list mapped straight from the bytes (see mapTaggedStructures). */
  | { kind: 'mapped'; result: { ok: true; reading: MeterReading } | { ok: false; error: DecodeError } }
  | { kind: 'pending' }
  | { kind: 'error'; error: DecodeError };

export interface ApduDecoderOptions extends GloKeys {
  /** Bound of the general-block-transfer buffer, bytes. */
  maxApduBytes?: number;
  /**
   * Splitters set this: a data-notification whose list can be mapped without the A-XDR tree
   * comes back as kind 'mapped' (same reading or error the registry would give), else as before.
   */
  mapLists?: boolean;
}

export class DlmsApduDecoder {
  private readonly keys: GloKeys;
  private readonly blocks: Uint8Array;
  private blockLength = 0;
  private lastBlockNumber = 0;
  private readonly mapLists: boolean;
  /** Scratch for flat lists (mapNotification), allocated once. */
  private readonly flat = new FlatList();

  constructor(options: ApduDecoderOptions = {}) {
    this.mapLists = options.mapLists === true;
    this.keys = makeGloKeys(options.encryptionKey, options.authenticationKey, options.aesGcm);
    this.blocks = new Uint8Array(options.maxApduBytes ?? 4096);
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
      if (this.mapLists) {
        const mapped = mapNotification(bytes, start, end, encrypted, this.flat);
        if (mapped !== undefined) return mapped;
      }
      const outcome = parseDataNotification(bytes, start, end, encrypted);
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

  private blockTransfer(bytes: Uint8Array, start: number, end: number, depth: number, encrypted: boolean): ApduOutcome {
    const r = new ByteReader(bytes, start + 1, end);
    let control: number;
    let blockNumber: number;
    let data: Uint8Array;
    try {
      control = r.u8();
      blockNumber = r.u16();
      r.u16(); // block-number-ack: meaningless for a push stream
      const n = r.length();
      data = bytes.subarray(r.pos, r.pos + n);
      r.need(n);
    } catch {
      this.blockLength = 0;
      return error('truncated', 'general-block-transfer header cut short');
    }
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

/**
 * The optional date-time after the invoke id: octet-string 0x09 n (a 12-byte COSEM date-time when
 * n is 12), a bare 0x0C stamp, or 0x00 (none). Read in place (no copy). Returns null, with the tag
 * consumed, when the byte is none of these; throws AxdrError when the stamp runs past the end.
 */
function readNotificationTime(r: ByteReader, bytes: Uint8Array): CosemDateTime | undefined | null {
  const dtTag = r.u8();
  if (dtTag === 0x09) {
    const n = r.u8();
    r.need(n);
    const time = n === 12 ? decodeCosemDateTime(bytes, r.pos) : undefined;
    r.pos += n;
    return time;
  }
  if (dtTag === 0x0c) {
    r.need(12);
    const time = decodeCosemDateTime(bytes, r.pos);
    r.pos += 12;
    return time;
  }
  return dtTag === 0x00 ? undefined : null;
}

/** Parse a data-notification at bytes[start, end). */
export function parseDataNotification(bytes: Uint8Array, start: number, end: number, encrypted: boolean): ApduOutcome {
  const r = new ByteReader(bytes, start + 1, end);
  try {
    const invokeId = r.u32();
    const time = readNotificationTime(r, bytes);
    if (time === null) return error('malformed', `data-notification date-time starts with 0x${bytes[r.pos - 1].toString(16)}`);
    const body = readAxdr(r);
    const notification: DataNotification = { invokeId, body, encrypted };
    if (time) notification.time = time;
    return { kind: 'notification', notification };
  } catch (e) {
    const message = e instanceof AxdrError ? e.message : 'unparseable';
    return error('malformed', `data-notification: ${message}`);
  }
}

/**
 * A data-notification mapped without the A-XDR tree, or undefined when its header or list is not
 * one the fast paths take (the general path then decodes it and reports any error):
 *   - a list of OBIS-tagged structures (01|02 count 02 n 09 06 ...): mapTaggedStructures;
 *   - a list of scalars (flat-list.ts): the registry's flat forms (flatListToReading).
 */
function mapNotification(bytes: Uint8Array, start: number, end: number, encrypted: boolean, flat: FlatList): ApduOutcome | undefined {
  // The header as readNotificationTime reads it, in place: invoke id (4), then the date-time.
  const dtAt = start + 5;
  if (dtAt >= end) return undefined;
  const dtTag = bytes[dtAt];
  let body: number;
  let timeAt = -1;
  if (dtTag === 0x00) body = dtAt + 1;
  else if (dtTag === 0x09) {
    if (dtAt + 1 >= end) return undefined;
    const n = bytes[dtAt + 1];
    body = dtAt + 2 + n;
    if (n === 12) timeAt = dtAt + 2;
  } else if (dtTag === 0x0c) {
    body = dtAt + 13;
    timeAt = dtAt + 1;
  } else return undefined;
  if (body + 2 > end) return undefined;
  const listTag = bytes[body];
  if (listTag !== 0x01 && listTag !== 0x02) return undefined;
  const tagged = body + 6 <= end && bytes[body + 2] === 0x02 && bytes[body + 4] === 0x09 && bytes[body + 5] === 0x06;
  let mixed = false;
  if (!tagged && flat.read(bytes, body, end) < 0) {
    // Not all scalars either: tagged structures with scalars between them may still be mapped
    // from the bytes, when the first item rules out every shape before obisStructures.
    if (!bareNameFirst(bytes, body, end)) return undefined;
    mixed = true;
  }
  const timeIso = timeAt >= 0 ? cosemDateTimeIso(bytes, timeAt) : undefined;
  if (!tagged && !mixed) {
    const result = flatListToReading(flat, timeIso, encrypted);
    return result === undefined ? undefined : { kind: 'mapped', result };
  }
  const r = new ByteReader(bytes, body, end);
  const mapped = mapTaggedStructures(r, timeIso, flat, mixed);
  if (mapped === undefined) return undefined;
  // (the registry's wording and flags, as notificationToReading gives them for this shape)
  if (typeof mapped === 'string') return { kind: 'mapped', result: { ok: false, error: { code: 'unsupported', message: `${obisStructures.name}: ${mapped}` } } };
  if (encrypted) mapped.encrypted = true;
  return { kind: 'mapped', result: { ok: true, reading: mapped } };
}

/**
 * The list's first item is a 6-byte octet-string (09 06) that is not printable text and not
 * Austria's 0-6:25.9.0: then every shape the registry asks before obisStructures says no (they
 * want a printable list id, a number, the 0-6:25.9.0 name or descriptor structures first), as
 * mapTaggedStructures(..., scalarsToo) requires.
 */
function bareNameFirst(b: Uint8Array, body: number, end: number): boolean {
  const at = body + 4;
  if (at + 6 > end || b[body + 2] !== 0x09 || b[body + 3] !== 0x06) return false;
  if (b[at] === 0 && b[at + 1] === 6 && b[at + 2] === 25 && b[at + 3] === 9 && b[at + 4] === 0) return false;
  for (let i = at; i < at + 6; i++) if (b[i] < 0x20 || b[i] >= 0x7f) return true;
  return false; // printable: could be a list id
}

function error(code: DecodeError['code'], message: string): ApduOutcome {
  return { kind: 'error', error: { code, message } };
}
