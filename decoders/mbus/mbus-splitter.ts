/**
 * M-Bus long frames carrying DLMS (EN 13757-2 link layer, DLMS/COSEM transport over M-Bus as
 * used by Austrian DSOs, e.g. TINETZ and Kaifa meters with the KFM system title):
 *
 *   68 | L | L | 68 | C | A | CI | STSAP | DTSAP | APDU segment ... | CS | 16
 *
 *   L   number of bytes from C to the end of the data (C, A, CI, STSAP, DTSAP and the segment)
 *   C   0x53 (SND_UD, pushed), A = 0xFF (broadcast) on the Austrian meters
 *   CI  0x00..0x1F: DLMS transport segmentation: low nibble = sequence number (0 first),
 *       0x10 = last segment. One long frame carries at most 250 bytes, so a 300-byte
 *       general-glo-ciphering APDU arrives as two frames (CI 0x00 then 0x11).
 *   CS  arithmetic sum of C .. end of data, modulo 256.
 *
 * The segments' data are joined (bounded buffer) and the APDU is decoded when the last arrives.
 * A frame failing its checksum, length repetition or stop byte is reported and never decoded,
 * the APDU being assembled is dropped, and the bytes after its first 0x68 are scanned again.
 *
 * Non-standard length (Sagemcom T210-D in Austria, Netz NÖ/EVN, system title "SAGY"): the first
 * segment carries 257 bytes from C to the end of the data, which does not fit EN 13757-2's one-byte
 * L field. The meter sends `68 01 01 68`: L = 257 modulo 256 (equally, 0x0101 read as a 16-bit
 * length: both readings give 257). Layout as documented by UtilitechAS/amsreader-firmware
 * (frames/austria.raw: "01 01 // ... total length (257)"; src/decoder/src/MbusParser.cpp: an L
 * below 4 is taken as L + 256, the checksum summed over that many bytes, then CS and 0x16). A
 * standard long frame needs at least C, A and CI (L >= 3, and L >= 5 for DLMS transport), so an L
 * of 1..3 has no standard meaning and cannot hide a real frame. Real captures with it:
 * hosttests/vectors/han-link/amsreader-firmware/ (CS and stop byte pass only with L = 257).
 */
import type { DecoderOptions, FrameResult } from '../frame-result';
import type { DecodeErrorCode } from '../reading';
import { DlmsApduDecoder } from '../dlms/apdu';
import { apduOutcomeToResult } from '../dlms/dlms-result';
import { RescanQueue } from '../util/rescan-queue';
import { copyBytes } from '../util/copy-bytes';

export const MBUS_START = 0x68;
export const MBUS_STOP = 0x16;
/** L bytes 1..3 mean L + 256 (the Austrian Sagemcom header above); largest body 259 bytes. */
const EXTENDED_LENGTH_BELOW = 4;
const MAX_BODY = 255 + EXTENDED_LENGTH_BELOW - 1;

const HUNT = 0;
const LEN1 = 1;
const LEN2 = 2;
const START2 = 3;
const BODY = 4;
const CHECKSUM = 5;
const STOP = 6;

type Emit = (result: FrameResult) => void;

/**
 * Arithmetic sum of b[start, end) modulo 256 (the M-Bus CS). Under XS a loop over the bytes
 * costs ~18 computrons a byte; reading four at a time with DataView and adding the even and odd
 * bytes in two 16-bit lanes costs half. Lanes are folded every 64 words (64 x 510 < 65536, no
 * carry from one lane into the other).
 */
function byteSum(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  let p = start;
  if (end - start >= 16) {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    while (end - p >= 4) {
      let lanes = 0;
      const stop = Math.min(end - 3, p + 256);
      for (; p < stop; p += 4) {
        const w = dv.getUint32(p, true);
        lanes += (w & 0x00ff00ff) + ((w >>> 8) & 0x00ff00ff);
      }
      sum += (lanes & 0xffff) + (lanes >>> 16);
    }
  }
  for (; p < end; p++) sum += b[p];
  return sum & 0xff;
}

export class MbusSplitter {
  /** Frame bytes from the first 0x68 (at most 4 + 259 + 2). */
  private readonly frame = new Uint8Array(4 + MAX_BODY + 2);
  private readonly apdu: Uint8Array;
  private readonly rescan = new RescanQueue(4 + MAX_BODY + 4);
  private readonly skipChecksum: boolean;
  private readonly dlms: DlmsApduDecoder;
  private state = HUNT;
  private n = 0;
  /** The L byte as sent. */
  private lengthByte = 0;
  /** Bytes from C to the end of the data (L, or L + 256 for the non-standard header). */
  private length = 0;
  private sum = 0;
  private apduLength = 0;
  /** Sequence number expected next, or -1 when no APDU is being assembled. */
  private expectedSeq = -1;
  private replaying = false;
  garbageBytes = 0;
  /** True while emitting a result for a frame whose checksum passed (the stream locks on it). */
  checked = false;

  constructor(options: DecoderOptions = {}) {
    const max = Math.max(64, options.maxFrameBytes ?? 4096);
    this.apdu = new Uint8Array(max);
    this.skipChecksum = options.skipChecksum === true;
    this.dlms = new DlmsApduDecoder({
      encryptionKey: options.encryptionKey,
      authenticationKey: options.authenticationKey,
      aesGcm: options.aesGcm,
      maxApduBytes: max,
    });
  }

  inFrame(): boolean {
    return this.state !== HUNT || this.expectedSeq >= 0 || this.dlms.blocksPending();
  }

  /** `text`: the chunk as Latin-1 when the caller has it (see HdlcSplitter.push). */
  push(chunk: Uint8Array, emit: Emit, text?: string): void {
    const len = chunk.length;
    let i = 0;
    while (i < len) {
      const state = this.state;
      // Between frames: jump to the next start byte (drain() leaves no queued bytes behind).
      if (state === HUNT && !this.rescan.pending()) {
        let j = text !== undefined ? text.indexOf('h', i) : chunk.indexOf(MBUS_START, i);
        if (j < 0) j = len;
        this.garbageBytes += j - i;
        if (j === len) return;
        i = j;
        const next = this.takeWhole(chunk, j, len, emit);
        if (next > j) {
          i = next;
          if (this.rescan.pending()) this.drain(emit);
          continue;
        }
      } else if (state === BODY) {
        // The data in one copy, then the checksum sum over the copy (no step() per byte).
        const k = Math.min(4 + this.length - this.n, len - i);
        const f = this.frame;
        const from = this.n;
        f.set(chunk.subarray(i, i + k), from);
        this.sum = (this.sum + byteSum(f, from, from + k)) & 0xff;
        this.n = from + k;
        i += k;
        if (this.n === 4 + this.length) this.state = CHECKSUM;
        continue;
      }
      this.step(chunk[i++], emit);
      if (this.rescan.pending()) this.drain(emit);
    }
  }

  /**
   * The frame starting at src[at] (its first 0x68) when it is wholly in src[at, end) and good:
   * length bytes equal and legal, second 0x68, checksum and stop byte right. It is then copied
   * once (one ArrayBuffer slice) and completed, with the state exactly as step() would leave it
   * after the same bytes (HUNT), and the index after it returned. Anything else returns `at` with
   * nothing changed, and step() takes the bytes one by one (and reports what is wrong).
   */
  private takeWhole(src: Uint8Array, at: number, end: number, emit: Emit): number {
    if (at + 4 > end) return at;
    const l = src[at + 1];
    if (src[at + 2] !== l || l === 0 || (l < 5 && l >= EXTENDED_LENGTH_BELOW) || src[at + 3] !== MBUS_START) return at;
    const length = l < EXTENDED_LENGTH_BELOW ? l + 256 : l;
    const dataEnd = at + 4 + length;
    if (dataEnd + 2 > end || src[dataEnd + 1] !== MBUS_STOP) return at;
    if (!this.skipChecksum && byteSum(src, at + 4, dataEnd) !== src[dataEnd]) return at;
    this.length = length;
    this.completeFrame(emit, copyBytes(src, at, dataEnd + 2));
    return dataEnd + 2;
  }

  flush(emit: Emit): void {
    this.checked = false;
    if (this.state !== HUNT || this.expectedSeq >= 0) {
      emit({ ok: false, format: 'mbus', error: { code: 'truncated', message: 'input ended inside an M-Bus frame or segment sequence' } });
    } else if (this.dlms.abandonBlocks()) {
      emit({ ok: false, format: 'mbus', error: { code: 'truncated', message: 'input ended inside a general-block-transfer (its last block never came)' } });
    }
    this.state = HUNT;
    this.n = 0;
    this.expectedSeq = -1;
    this.apduLength = 0;
    this.rescan.clear();
  }

  private drain(emit: Emit): void {
    if (this.replaying) return;
    this.replaying = true;
    while (this.rescan.pending()) this.step(this.rescan.next(), emit);
    this.rescan.clear();
    this.replaying = false;
  }

  private step(b: number, emit: Emit): void {
    switch (this.state) {
      case HUNT:
        if (b === MBUS_START) {
          this.frame[0] = b;
          this.n = 1;
          this.state = LEN1;
        } else if (!this.replaying) this.garbageBytes++;
        return;
      case LEN1:
        this.frame[this.n++] = b;
        this.lengthByte = b;
        this.state = LEN2;
        return;
      case LEN2:
        this.frame[this.n++] = b;
        if (b !== this.lengthByte || (b < 5 && b >= EXTENDED_LENGTH_BELOW) || b === 0) {
          this.fail(emit, 'malformed', `M-Bus length bytes differ or too short (${this.lengthByte}, ${b})`);
          return;
        }
        this.length = b < EXTENDED_LENGTH_BELOW ? b + 256 : b;
        this.state = START2;
        return;
      case START2:
        this.frame[this.n++] = b;
        if (b !== MBUS_START) {
          this.fail(emit, 'malformed', 'M-Bus second start byte missing');
          return;
        }
        this.sum = 0;
        this.state = BODY;
        return;
      case BODY:
        this.frame[this.n++] = b;
        this.sum = (this.sum + b) & 0xff;
        if (this.n === 4 + this.length) this.state = CHECKSUM;
        return;
      case CHECKSUM:
        this.frame[this.n++] = b;
        if (b !== this.sum && !this.skipChecksum) {
          this.fail(emit, 'checksum', 'M-Bus checksum mismatch');
          return;
        }
        this.state = STOP;
        return;
      case STOP:
        this.frame[this.n++] = b;
        if (b !== MBUS_STOP) {
          this.fail(emit, 'truncated', 'M-Bus stop byte missing (bytes lost on the line?)');
          return;
        }
        this.state = HUNT;
        this.completeFrame(emit, copyBytes(this.frame, 0, this.n));
        return;
    }
  }

  private fail(emit: Emit, code: DecodeErrorCode, message: string): void {
    const raw = copyBytes(this.frame, 0, this.n);
    this.expectedSeq = -1;
    this.apduLength = 0;
    this.checked = false;
    emit({ ok: false, format: 'mbus', error: { code, message }, raw });
    this.state = HUNT;
    this.n = 0;
    if (raw.length > 1) this.rescan.putFront(raw.subarray(1));
  }

  /** A frame whose checksum, length and stop byte passed: raw = its bytes 68 .. 16 (a copy). */
  private completeFrame(emit: Emit, raw: Uint8Array): void {
    this.checked = true;
    const f = raw;
    const ci = f[6];
    if (ci > 0x1f) {
      emit({ ok: false, format: 'mbus', error: { code: 'unsupported', message: `M-Bus CI 0x${ci.toString(16)} is not DLMS transport` }, raw });
      return;
    }
    const seq = ci & 0x0f;
    const last = (ci & 0x10) !== 0;
    if (seq === 0) this.apduLength = 0;
    else if (seq !== this.expectedSeq) {
      this.expectedSeq = -1;
      this.apduLength = 0;
      emit({ ok: false, format: 'mbus', error: { code: 'truncated', message: `M-Bus segment ${seq} without its predecessor (segment lost)` }, raw });
      return;
    }
    const dataStart = 9; // 68 L L 68 C A CI STSAP DTSAP
    const dataEnd = 4 + this.length;
    const chunk = dataEnd - dataStart;
    if (chunk < 0 || this.apduLength + chunk > this.apdu.length) {
      this.expectedSeq = -1;
      this.apduLength = 0;
      emit({ ok: false, format: 'mbus', error: { code: chunk < 0 ? 'malformed' : 'overflow', message: 'M-Bus segment does not fit' }, raw });
      return;
    }
    if (seq === 0 && last) {
      // A whole APDU in one frame: decoded where it is (the decoder copies what it keeps).
      this.expectedSeq = -1;
      this.apduLength = 0;
      const outcome = this.dlms.decode(f, dataStart, dataEnd);
      const result = apduOutcomeToResult(outcome, 'mbus', copyBytes(f, dataStart, dataEnd), this.skipChecksum);
      if (result) emit(result);
      return;
    }
    this.apdu.set(f.subarray(dataStart, dataEnd), this.apduLength);
    this.apduLength += chunk;
    if (!last) {
      this.expectedSeq = (seq + 1) & 0x0f;
      return;
    }
    this.expectedSeq = -1;
    const n = this.apduLength;
    this.apduLength = 0;
    const outcome = this.dlms.decode(this.apdu, 0, n);
    const result = apduOutcomeToResult(outcome, 'mbus', copyBytes(this.apdu, 0, n), this.skipChecksum);
    if (result) emit(result);
  }
}
