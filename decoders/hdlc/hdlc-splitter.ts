/**
 * HDLC frame splitter for HAN ports (IEC 62056-46 data link layer, frame format type 3,
 * ISO/IEC 13239):
 *
 *   7E | frame format (2) | dst addr (1-4) | src addr (1-4) | control | HCS (2) | information | FCS (2) | 7E
 *        1010 S LLL LLLLLLLL
 *        type 3 (0xA), S = segmentation (more segments follow), L = 11-bit length of everything
 *        between the flags (format .. FCS).
 *   Addresses: variable length, each byte's LSB = 1 marks the last byte of the address.
 *   HCS: CRC-16/X.25 over format .. control; FCS: over format .. information (LSB first).
 *   A frame without information has no HCS (its FCS follows the control byte).
 *   First segment's information starts with the LLC header E6 E7 00 (dst LSAP, src LSAP, quality);
 *   later segments carry only the continuation of the APDU.
 *   A closing flag may be the opening flag of the next frame (7E shared) or be followed by another.
 *
 * Framing is by the length field, not by byte stuffing: HAN meters send 0x7E inside data
 * unescaped. A frame whose closing flag is missing (bytes dropped on the line, e.g. TSS721 adapters)
 * is reported 'truncated' and the bytes after its opening flag are scanned again for a new frame,
 * so a damaged frame never swallows the next good one. Frames whose HCS or FCS fail are reported
 * 'checksum' and never decoded.
 *
 * Memory: one window of maxFrameBytes (+3) for bytes held while a frame is undecided and one APDU
 * reassembly buffer, allocated in the constructor. Nothing on the byte path throws.
 *
 * Speed (XS, the device's engine, counts roughly one computron per bytecode step): no method runs
 * per byte. Between frames the next flag is found with String/Uint8Array indexOf; the bytes from
 * the flag on go into the window, and every frame start there is judged by index, as
 * soon as its bytes are in: a start that fails is passed by one byte and the next judged, never
 * its bytes stepped through again. So the cost is linear in the input whatever it holds (issue
 * 13: repeated headers, lengths that lie). A failure inside the region a reported one claimed
 * (its frame, and at least REPORT_QUIET bytes) is not reported again: those are the broken
 * frame's bytes or its close neighbours, not more news. The window, the stream positions and the
 * push loop are shared with the M-Bus splitter (util/frame-window.ts).
 */
import type { Crc16Function, DecoderOptions } from '../frame-result';
import type { DecodeErrorCode } from '../reading';
import { checkCrc16X25, crc16X25, crc16X25Register } from '../util/crc16-x25';
import { DlmsApduDecoder } from '../dlms/apdu';
import { apduOutcomeToResult } from '../dlms/dlms-result';
import { copyBytes } from '../util/copy-bytes';
import { FrameWindow, type Emit } from '../util/frame-window';

export const HDLC_FLAG = 0x7e;

/** Smallest legal frame between flags: format(2) dst(1) src(1) control(1) FCS(2). */
const MIN_FRAME = 7;
/**
 * A reported failure claims its frame's extent, and at least this many bytes: failures starting
 * inside are not reported (in noise every 0x7E is a start; on a line that breaks every short
 * frame, one report per 64 bytes), until a good frame ends the claim.
 */
const REPORT_QUIET = 64;

/** APDU tags a pushed first segment starts with: data-notification, glo-ciphering, block transfer. */
function isApduStart(tag: number): boolean {
  return tag === 0x0f || tag === 0xdb || tag === 0xe0;
}

/** What judging a frame's checks found. */
const CHECKS_OK = 0;
const HCS_WRONG = 1;
const FCS_WRONG = 2;

export class HdlcSplitter extends FrameWindow {
  /** That start's flag (stream position) when its header passed, its length and whether its HCS was checked; -1: none. */
  private headerAt = -1;
  private headerLength = 0;
  private headerHcs = false;
  private readonly apdu: Uint8Array;
  private readonly maxBytes: number;
  private readonly skipChecksum: boolean;
  private readonly dlms: DlmsApduDecoder;
  /** The frame being completed: its length (format .. FCS) and where its addresses end. */
  private frameLength = 0;
  private apduLength = 0;
  /** True while the next segment continues an APDU. */
  private segmenting = false;
  /** True while emitting a result for a frame whose HCS and FCS passed (the stream locks on it). */
  checked = false;
  /** HCS/FCS CRC: the JavaScript table loop, or the platform's native one (DecoderOptions.crc16). */
  private readonly x25: Crc16Function;
  /** x25 is the JavaScript CRC: the frame check may continue from the header check's register. */
  private readonly jsCrc: boolean;

  constructor(options: DecoderOptions = {}) {
    // the window: a frame between flags, and both flags
    const maxBytes = Math.max(64, options.maxFrameBytes ?? 4096);
    super(maxBytes + 3);
    this.maxBytes = maxBytes;
    this.apdu = new Uint8Array(this.maxBytes);
    this.skipChecksum = options.skipChecksum === true;
    this.x25 = options.crc16?.x25 ?? crc16X25;
    this.jsCrc = this.x25 === crc16X25;
    this.dlms = new DlmsApduDecoder({
      encryptionKey: options.encryptionKey,
      authenticationKey: options.authenticationKey,
      aesGcm: options.aesGcm,
      maxApduBytes: this.maxBytes,
    });
  }

  /** True while a frame or a segment sequence is being collected (the stream holds P1 complaints meanwhile). */
  inFrame(): boolean {
    return this.winLen - this.winStart > 1 || this.segmenting || this.dlms.blocksPending();
  }

  /** The next flag (the first of a run: the last of it opens the frame, judgeWindow steps over the run). */
  protected nextStart(chunk: Uint8Array, text: string | undefined, from: number): number {
    const j = text !== undefined ? text.indexOf('~', from) : chunk.indexOf(HDLC_FLAG, from);
    return j < 0 ? chunk.length : j;
  }

  /** Judge every flag in the window that its bytes can decide; keep the rest (from the first undecided one). */
  protected judgeWindow(emit: Emit): void {
    const w = this.win;
    const len = this.winLen;
    const max = this.maxBytes;
    let s = this.winStart;
    this.waitUntil = 0;
    while (s < len) {
      if (w[s] !== HDLC_FLAG) {
        // (a view up to len: indexOf costs 8 XS computrons a byte scanned, and win past len is stale)
        const k = w.subarray(s + 1, len).indexOf(HDLC_FLAG);
        const j = k < 0 ? len : s + 1 + k;
        this.passBy(this.winAt + s, this.winAt + j);
        s = j;
        continue;
      }
      // a run of flags: the last one opens the frame (a stream of 0x7E costs a step a byte)
      while (s + 1 < len && w[s + 1] === HDLC_FLAG) s++;
      if (this.winAt + s + 1 < this.quietUntil) {
        // (a frame's place is its format byte, s + 1, as in failed())
        // Inside a region a reported failure claimed only a good frame matters (failures there
        // are not reported): a tight loop over the region's bytes with the cheapest tests first -
        // a type-3 format byte, a legal length, a destination address ending within its 4 bytes,
        // the closing flag where the length says - and the addresses and checksums once, below,
        // only for a start passing those. (In a stream of "7E A0" every other byte is a start;
        // in repeated headers with a right HCS and a flag where their length ends, every header.)
        const quietEnd = Math.min(len, this.quietUntil - this.winAt - 1);
        const countFrom = this.attemptUntil - this.winAt; // bytes from here on are garbage when passed by
        let q = s;
        let garbage = 0;
        let undecided = false;
        while (q < quietEnd) {
          if (w[q] !== HDLC_FLAG) {
            if (q >= countFrom) garbage++;
            q++;
            continue;
          }
          const a = q + 1;
          if (a + 5 >= len) {
            undecided = true;
            break;
          }
          const f0 = w[a];
          if ((f0 & 0xf0) === 0xa0) {
            const length = ((f0 & 0x07) << 8) | w[a + 1];
            if (length >= MIN_FRAME && length <= max && ((w[a + 2] | w[a + 3] | w[a + 4] | w[a + 5]) & 1) !== 0) {
              // its closing byte not in yet (judged below), or a flag there and the FCS (one
              // check over the frame; a header with a right HCS is cheap to forge) right
              if (a + length >= len || (w[a + length] === HDLC_FLAG && this.fcs(w, a, length) === CHECKS_OK)) break;
            }
            // a frame that cannot be good: as a reported failure would, the APDU being joined is dropped
            if (this.segmenting) this.abandonApdu();
            this.checked = false;
          }
          q = a;
        }
        this.garbageBytes += garbage;
        if (q > s) {
          s = q;
          continue;
        }
        if (undecided) break;
        const at = s + 1;
        const f0 = w[at];
        if ((f0 & 0xf0) === 0xa0) {
          const length = ((f0 & 0x07) << 8) | w[at + 1];
          if (length >= MIN_FRAME && length <= max && ((w[at + 2] | w[at + 3] | w[at + 4] | w[at + 5]) & 1) !== 0) {
            if (at + length >= len) {
              // its closing byte not in yet: the header may still fail now
              const next = this.judge(w, s, len, emit);
              if (next < 0) break;
              s = next;
              continue;
            }
            if (w[at + length] === HDLC_FLAG) {
              // (its FCS is right: the addresses and the HCS decide)
              const p = addressesEnd(w, at, length);
              if (p >= 0 && this.checks(w, at, length, p) === CHECKS_OK) {
                this.attempt(at + length);
                this.frameLength = length;
                this.completeFrame(emit, copyBytes(w, s, at + length + 1), p);
                this.good(this.winAt + at + length);
                s = at + length;
                continue;
              }
            }
          }
          // a frame that cannot be good: as a reported failure would, the APDU being joined is dropped
          if (this.segmenting) this.abandonApdu();
          this.checked = false;
        }
        s = at;
        continue;
      }
      const next = this.judge(w, s, len, emit);
      if (next < 0) break;
      s = next;
    }
    this.winStart = s;
  }

  /**
   * The flag at w[s] and the frame after it: the index to go on from, or -1 while its bytes are
   * not all here. As the byte-by-byte reading did: a byte after the flag that is not a type-3
   * format byte is garbage; a header that is wrong, a missing closing flag or a checksum that
   * fails is reported and hunting resumes at the byte after the flag.
   */
  private judge(w: Uint8Array, s: number, len: number, emit: Emit): number {
    // its header judged already, only its end was missing (see closing)
    if (this.winAt + s === this.headerAt) return this.closing(w, s, len, emit, this.headerLength, this.headerHcs);
    const at = s + 1;
    if (at >= len) return -1;
    const f0 = w[at];
    if (f0 === HDLC_FLAG) return at; // another flag: it opens the frame
    if ((f0 & 0xf0) !== 0xa0) return at; // caught mid-frame: not a start (the byte is garbage)
    if (at + 2 > len) return -1;
    const length = ((f0 & 0x07) << 8) | w[at + 1];
    if (length < MIN_FRAME) {
      this.attempt(at + 2);
      this.failed(emit, 'malformed', `HDLC length ${length} shorter than a frame`, w, at, at, at + 2, at + REPORT_QUIET);
      return at;
    }
    if (length > this.maxBytes) {
      this.attempt(at + 2);
      this.failed(emit, 'overflow', `HDLC frame of ${length} bytes exceeds the ${this.maxBytes}-byte buffer`, w, at, at, at + 2, at + REPORT_QUIET);
      return at;
    }
    // addresses: each ends with a byte whose LSB is 1, at most 4 bytes each (frame index <= 10)
    let p = 2;
    let ended = 0;
    while (ended < 2) {
      if (at + p >= len) return p >= length ? this.closing(w, s, len, emit, length, false) : -1;
      if (p >= length) break;
      if (w[at + p] & 1) ended++;
      else if (p >= 10) {
        this.attempt(at + p + 1);
        this.failed(emit, 'malformed', 'HDLC address longer than 4 bytes', w, at, at, at + p + 1, at + REPORT_QUIET);
        return at;
      }
      p++;
    }
    // control, then the HCS when the frame carries information
    let hcsChecked = false;
    if (ended === 2 && p + 3 < length - 2) {
      const hcsEnd = p + 3;
      if (at + hcsEnd > len) return -1;
      if (!this.skipChecksum && !checkCrc16X25(w, at, at + hcsEnd - 2, this.x25)) {
        this.attempt(at + hcsEnd);
        this.failed(emit, 'checksum', 'HDLC header checksum (HCS) mismatch', w, at, at, at + hcsEnd, at + REPORT_QUIET);
        return at;
      }
      hcsChecked = true;
    }
    return this.closing(w, s, len, emit, length, hcsChecked);
  }

  /**
   * The frame of `length` after the flag at w[s], header judged (its HCS checked when
   * `hcsChecked`): its closing flag and the checks still to do.
   */
  private closing(w: Uint8Array, s: number, len: number, emit: Emit, length: number, hcsChecked: boolean): number {
    const at = s + 1;
    if (at + length >= len) {
      // (its header need not be judged again when its end is in)
      this.headerAt = this.winAt + s;
      this.headerLength = length;
      this.headerHcs = hcsChecked;
      return this.wait(at + length + 1);
    }
    this.headerAt = -1;
    if (w[at + length] !== HDLC_FLAG) {
      this.attempt(at + length + 1);
      this.failed(emit, 'truncated', 'HDLC closing flag missing (bytes lost on the line?)', w, at, at, at + length + 1, at + length + 1);
      return at;
    }
    this.attempt(at + length);
    const p = addressesEnd(w, at, length);
    if (p < 0) {
      this.failed(emit, 'malformed', 'HDLC address longer than 4 bytes', w, at, s, at + length + 1, at + length);
      return at;
    }
    const checks = hcsChecked ? this.fcs(w, at, length) : this.checks(w, at, length, p);
    if (checks !== CHECKS_OK) {
      const hcs = checks === HCS_WRONG;
      this.failed(emit, 'checksum', hcs ? 'HDLC header checksum (HCS) mismatch' : 'HDLC frame checksum (FCS) mismatch', w, at, s, at + length + 1, at + length);
      return at;
    }
    this.frameLength = length;
    this.completeFrame(emit, copyBytes(w, s, at + length + 1), p);
    this.good(this.winAt + at + length);
    return at + length;
  }

  /** The FCS alone of the frame src[at, at + length) (its HCS known right). */
  private fcs(src: Uint8Array, at: number, length: number): number {
    return this.skipChecksum || checkCrc16X25(src, at, at + length - 2, this.x25) ? CHECKS_OK : FCS_WRONG;
  }

  /**
   * HCS (when the frame carries information) and FCS of the frame src[at, at + length) whose
   * addresses end at frame index p. With the JavaScript CRC the frame check goes on from the
   * header check's register instead of running over the header again.
   */
  private checks(src: Uint8Array, at: number, length: number, p: number): number {
    if (this.skipChecksum) return CHECKS_OK;
    const hasInfo = length > p + 3;
    const hcsEnd = p + 3;
    if (this.jsCrc) {
      if (hasInfo) {
        const register = crc16X25Register(src, at, at + hcsEnd - 2, 0xffff);
        const hcs = (register ^ 0xffff) & 0xffff;
        if (src[at + hcsEnd - 2] !== (hcs & 0xff) || src[at + hcsEnd - 1] !== hcs >>> 8) return HCS_WRONG;
        const fcs = (crc16X25Register(src, at + hcsEnd - 2, at + length - 2, register) ^ 0xffff) & 0xffff;
        return src[at + length - 2] === (fcs & 0xff) && src[at + length - 1] === fcs >>> 8 ? CHECKS_OK : FCS_WRONG;
      }
      return checkCrc16X25(src, at, at + length - 2) ? CHECKS_OK : FCS_WRONG;
    }
    if (hasInfo && !checkCrc16X25(src, at, at + hcsEnd - 2, this.x25)) return HCS_WRONG;
    return checkCrc16X25(src, at, at + length - 2, this.x25) ? CHECKS_OK : FCS_WRONG;
  }

  /**
   * The frame starting at w[start] (its format byte) failed: reported (raw = w[rawFrom, rawEnd))
   * unless it lies inside the region a reported failure claimed; the APDU being joined is dropped.
   */
  private failed(emit: Emit, code: DecodeErrorCode, message: string, w: Uint8Array, start: number, rawFrom: number, rawEnd: number, claimEnd: number): void {
    this.abandonApdu();
    this.checked = false;
    if (!this.reportable(start, claimEnd, REPORT_QUIET)) return;
    emit({ ok: false, format: 'hdlc', error: { code, message }, raw: copyBytes(w, rawFrom, rawEnd) });
  }

  /** End of input: a frame or segment sequence in progress is reported 'truncated'. */
  flush(emit: Emit): void {
    this.checked = false;
    if (this.inFrameNow()) {
      emit({ ok: false, format: 'hdlc', error: { code: 'truncated', message: 'input ended inside an HDLC frame' } });
    } else if (this.dlms.abandonBlocks()) {
      emit({ ok: false, format: 'hdlc', error: { code: 'truncated', message: 'input ended inside a general-block-transfer (its last block never came)' } });
    }
    this.clearWindow();
    this.headerAt = -1;
    this.segmenting = false;
    this.apduLength = 0;
  }

  /** A frame begun (a type-3 format byte after the held flag) or a segment sequence open. */
  private inFrameNow(): boolean {
    return (this.winLen - this.winStart > 1 && (this.win[this.winStart + 1] & 0xf0) === 0xa0) || this.segmenting;
  }

  private abandonApdu(): void {
    if (this.segmenting) {
      this.segmenting = false;
      this.apduLength = 0;
    }
  }

  /**
   * A frame whose checks passed, between its flags: raw = flag + frameLength bytes + flag (a
   * copy); its addresses end at frame index p. Segments joined, LLC header taken off, APDU decoded.
   */
  private completeFrame(emit: Emit, raw: Uint8Array, addressEnd: number): void {
    const len = this.frameLength;
    const f = raw.subarray(1, len + 1);
    const p = addressEnd + 1; // control: I-frame or UI-frame, nothing to check for a push stream
    const hasInfo = len > p + 2;
    this.checked = true;
    if (!hasInfo) return; // supervisory frame: nothing to decode
    let info = p + 2;
    const infoEnd = len - 2;
    const segmented = (f[0] & 0x08) !== 0;
    // LLC: E6 E7 00 (response). Tolerate its absence: a few meters start straight with the APDU.
    const llc = infoEnd - info >= 3 && f[info] === 0xe6 && (f[info + 1] === 0xe7 || f[info + 1] === 0xe6);
    if (this.segmenting && llc && infoEnd - info > 3 && isApduStart(f[info + 3])) {
      // An LLC header and an APDU tag: the first segment of a new APDU, so the one being joined
      // lost its tail (segments dropped, or a cut copy before the real frames). Joining them
      // would garble both; the new one starts afresh.
      this.segmenting = false;
      this.apduLength = 0;
      emit({ ok: false, format: 'hdlc', error: { code: 'truncated', message: 'HDLC segmented APDU cut short: a new first segment arrived' }, raw });
    }
    if (!this.segmenting) {
      if (!llc && segmented && !isApduStart(f[info])) {
        // A middle segment (neither LLC nor APDU tag) without its first one: it cannot start an
        // APDU, and taking it as one would swallow the real first segment that follows.
        emit({ ok: false, format: 'hdlc', error: { code: 'truncated', message: 'HDLC segment without its first segment (segment lost)' }, raw });
        return;
      }
      if (llc) info += 3;
      this.apduLength = 0;
    }
    const chunk = infoEnd - info;
    if (!segmented && !this.segmenting) {
      // A whole APDU in one frame: decode it where it is (the decoder copies what it keeps).
      const outcome = this.dlms.decode(f, info, infoEnd);
      const result = apduOutcomeToResult(outcome, 'hdlc', raw, this.skipChecksum);
      if (result) emit(result);
      return;
    }
    if (this.apduLength + chunk > this.apdu.length) {
      this.segmenting = false;
      this.apduLength = 0;
      emit({ ok: false, format: 'hdlc', error: { code: 'overflow', message: 'segmented HDLC APDU exceeds the buffer' }, raw });
      return;
    }
    this.apdu.set(f.subarray(info, infoEnd), this.apduLength);
    this.apduLength += chunk;
    if (segmented) {
      this.segmenting = true;
      return;
    }
    const wasSegmented = this.segmenting;
    this.segmenting = false;
    const apduLength = this.apduLength;
    this.apduLength = 0;
    const outcome = this.dlms.decode(this.apdu, 0, apduLength);
    const result = apduOutcomeToResult(outcome, 'hdlc', wasSegmented ? copyBytes(this.apdu, 0, apduLength) : raw, this.skipChecksum);
    if (result) emit(result);
  }
}

/**
 * Frame index just past the two addresses of the frame src[at, at + length) (each ends with a
 * byte whose LSB is 1, at most 4 bytes each), or -1 when they are longer or run to the end.
 */
function addressesEnd(src: Uint8Array, at: number, length: number): number {
  let p = 2;
  for (let addr = 0; addr < 2; addr++) {
    const start = p;
    while (p < length && (src[at + p] & 1) === 0) p++;
    p++;
    if (p - start > 4 || p >= length) return -1;
  }
  return p;
}
