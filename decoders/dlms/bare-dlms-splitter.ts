/**
 * Bare DLMS on a serial line: a general-glo-ciphering APDU with no link layer around it
 * (IEC 62056-5-3 / Green Book 9.2.7), the framing some Luxembourg and Austrian P1 ports use:
 *
 *   DB | 08 | system-title(8) | length (BER: nn, 81 nn, 82 nn nn) | SC | FC(4) | ciphertext | [tag 12]
 *
 * The length field bounds the frame and there is no checksum: the only integrity check is the
 * GCM tag. So a frame counts only when its tag was checked (security control 0x30/0x31 and an
 * authentication key configured) and it decrypts to a DLMS APDU (0x0F or 0xE0). Encryption-only
 * frames (0x20) are refused here: a flipped ciphertext bit flips the same plaintext bit, and
 * with no checksum the reading would be silently wrong (the fuzz campaign found exactly that
 * on an HDLC frame whose FCS failed, re-read through this path). When the plaintext is a DSMR
 * telegram ('/'), or there is no key, this splitter stays silent: that frame belongs to the
 * encrypted-P1 path (dsmr/encrypted-splitter.ts), which reports it with format 'dsmr-encrypted'.
 * Frames are reported with format 'dlms'. Never throws; bounded buffer; broken headers make it
 * scan again from the byte after the 0xDB.
 *
 * A 0xDB right after an LLC header (E6 E7 00, HDLC) or the DLMS transport SAPs (01 67, M-Bus) is
 * the inside of a link-layer frame: that frame (with its checksum) owns it, so it is not taken
 * here. Deciding from the preceding bytes, not from the other splitters' state, keeps the result
 * independent of how the input is chunked.
 */
import type { DecoderOptions, FrameResult } from '../frame-result';
import { RescanQueue } from '../util/rescan-queue';
import { DlmsApduDecoder } from './apdu';
import { apduOutcomeToResult } from './dlms-result';
import { makeGloKeys, unwrapGloCiphering, type GloKeys } from './glo-ciphering';
import { aes128EncryptBlock, aes128ExpandKey } from '../crypto/aes128';
import { copyBytes } from '../util/copy-bytes';

const HUNT = 0;
const TITLE_LENGTH = 1;
const HEADER = 2; // system title and the first length byte(s)
const BODY = 3;

type Emit = (r: FrameResult) => void;

export class BareDlmsSplitter {
  private readonly buf: Uint8Array;
  private readonly rescan: RescanQueue;
  private readonly dlms: DlmsApduDecoder;
  private readonly options: DecoderOptions;
  private state = HUNT;
  private n = 0;
  private need = 0;
  /** Index of the security-control byte of the current frame. */
  private scAt = 0;
  /** The keys with the encryption key prepared once, and its AES round keys for the peek below. */
  private readonly keys: GloKeys;
  private readonly rk: Uint32Array | undefined;
  private readonly counterBlock = new Uint8Array(16);
  private replaying = false;
  /** The three bytes before the current one (a oldest), and those before the current frame's 0xDB. */
  private a = -1;
  private b = -1;
  private c = -1;
  private ctxB = -1;
  private ctxC = -1;
  garbageBytes = 0;
  /** Results are only emitted for frames that decrypted to a DLMS APDU: always proven. */
  readonly checked = true;

  constructor(options: DecoderOptions = {}) {
    const max = Math.max(64, options.maxFrameBytes ?? 4096);
    this.buf = new Uint8Array(max);
    this.rescan = new RescanQueue(max + 1);
    this.options = options;
    this.keys = makeGloKeys(options.encryptionKey, options.authenticationKey, options.aesGcm);
    const key = options.encryptionKey;
    this.rk = key && key.length === 16 ? aes128ExpandKey(key) : undefined;
    this.dlms = new DlmsApduDecoder({ encryptionKey: options.encryptionKey, authenticationKey: options.authenticationKey, aesGcm: options.aesGcm, maxApduBytes: max });
  }

  inFrame(): boolean {
    return this.state !== HUNT;
  }

  /** `text`: the chunk as Latin-1 when the caller has it (see HdlcSplitter.push). */
  push(chunk: Uint8Array, emit: Emit, text?: string): void {
    const len = chunk.length;
    let i = 0;
    while (i < len) {
      if (this.state === HUNT && !this.replaying && !this.rescan.pending()) {
        // Jump to the next 0xDB; the skipped bytes are garbage and the last three are the context.
        let j = text !== undefined ? text.indexOf('\xdb', i) : chunk.indexOf(0xdb, i);
        if (j < 0) j = len;
        if (j > i) {
          this.garbageBytes += j - i;
          if (j - i >= 3) {
            this.a = chunk[j - 3];
            this.b = chunk[j - 2];
            this.c = chunk[j - 1];
          } else {
            for (let k = i; k < j; k++) {
              this.a = this.b;
              this.b = this.c;
              this.c = chunk[k];
            }
          }
          i = j;
          if (i === len) return;
        }
      } else if (this.state === BODY && this.need - this.n > 1) {
        // Copy the body up to its last byte in one go (step() takes the last one and completes).
        const k = Math.min(this.need - this.n - 1, len - i);
        this.buf.set(chunk.subarray(i, i + k), this.n);
        this.n += k;
        i += k;
        const n = this.n;
        this.a = this.buf[n - 3];
        this.b = this.buf[n - 2];
        this.c = this.buf[n - 1];
        continue;
      }
      this.step(chunk[i++], emit);
      if (this.rescan.pending() && !this.replaying) {
        this.replaying = true;
        while (this.rescan.pending()) this.step(this.rescan.next(), emit);
        this.rescan.clear();
        this.replaying = false;
      }
    }
  }

  flush(_emit: Emit): void {
    // An unfinished frame here is either encrypted P1 (reported by that path) or noise.
    this.state = HUNT;
    this.n = 0;
    this.rescan.clear();
  }

  private step(b: number, emit: Emit): void {
    const a = this.a;
    const pb = this.b;
    const pc = this.c;
    this.a = pb;
    this.b = pc;
    this.c = b;
    switch (this.state) {
      case HUNT: {
        const wrapped = (a === 0xe6 && (pb === 0xe7 || pb === 0xe6) && pc === 0x00) || (pb === 0x01 && pc === 0x67);
        if (b === 0xdb && !wrapped) {
          this.buf[0] = b;
          this.n = 1;
          this.ctxB = pb;
          this.ctxC = pc;
          this.state = TITLE_LENGTH;
        } else if (!this.replaying) this.garbageBytes++;
        return;
      }
      case TITLE_LENGTH:
        this.buf[this.n++] = b;
        if (b !== 8) return this.restart();
        this.state = HEADER;
        return;
      case HEADER: {
        this.buf[this.n++] = b;
        if (this.n < 11) return;
        const first = this.buf[10];
        const lengthBytes = first < 0x80 ? 0 : first - 0x80;
        if (lengthBytes > 2) return this.restart();
        if (this.n < 11 + lengthBytes) return;
        let length = first < 0x80 ? first : 0;
        for (let i = 0; i < lengthBytes; i++) length = length * 256 + this.buf[11 + i];
        this.need = 11 + lengthBytes + length;
        this.scAt = 11 + lengthBytes;
        if (length < 5 || this.need > this.buf.length) return this.restart();
        this.state = BODY;
        return;
      }
      case BODY:
        this.buf[this.n++] = b;
        if (this.n === this.need) {
          this.state = HUNT;
          this.complete(emit);
        }
        return;
    }
  }

  private restart(): void {
    const rest = copyBytes(this.buf, 1, this.n);
    this.state = HUNT;
    this.n = 0;
    // The rescan starts after the 0xDB: restore the bytes that preceded it as context.
    this.a = this.ctxB;
    this.b = this.ctxC;
    this.c = 0xdb;
    if (rest.length) this.rescan.putFront(rest);
  }

  private complete(emit: Emit): void {
    const buf = this.buf;
    const sc = buf[this.scAt];
    // Frames this path stays silent about whatever they decrypt to are not decrypted at all (pure-JS
    // AES-GCM costs about 300 XS computrons a byte, and the encrypted-P1 path decrypts them too):
    // no tag check possible (see header) ...
    if ((sc & 0x10) === 0 || !this.options.authenticationKey) return;
    if ((sc & 0x20) !== 0 && this.rk !== undefined && (sc & 0x8f) <= 1) {
      // ... or a first plaintext byte that is not a DLMS APDU (an encrypted DSMR telegram starts
      // with '/'): one AES block of the CTR keystream (counter 2 = first payload block) tells.
      const payloadStart = this.scAt + 5;
      if (payloadStart >= this.need - 12) return; // no payload before the tag: nothing to decode
      const cb = this.counterBlock;
      cb.set(buf.subarray(2, 10), 0); // system title
      cb.set(buf.subarray(this.scAt + 1, this.scAt + 5), 8); // frame counter
      cb[12] = 0;
      cb[13] = 0;
      cb[14] = 0;
      cb[15] = 2;
      aes128EncryptBlock(this.rk, cb, 0, cb, 0);
      const first = buf[payloadStart] ^ cb[0];
      if (first !== 0x0f && first !== 0xe0) return;
    }
    const frame = copyBytes(buf, 0, this.need); // (one ArrayBuffer slice, not ~2.2 XS computrons a byte)
    const unwrapped = unwrapGloCiphering(frame, 0, frame.length, this.keys);
    if (!unwrapped.ok) return; // no key, wrong tag...: the encrypted-P1 path reports those
    if (!unwrapped.tagChecked) return; // no integrity at all: see header
    const p = unwrapped.plaintext;
    if (p.length === 0 || (p[0] !== 0x0f && p[0] !== 0xe0)) return; // DSMR text or noise: not ours
    const result = apduOutcomeToResult(this.dlms.decodeDecrypted(p), 'dlms', frame, false);
    if (result) emit(result);
  }
}
