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
 * Memory: one frame buffer, one APDU reassembly buffer and one replay buffer, all of
 * maxFrameBytes, allocated in the constructor. Nothing on the byte path allocates or throws.
 *
 * Speed (XS, the device's engine, counts roughly one computron per bytecode step): in the steady
 * state no method runs per byte. Between frames the next flag is found with String/Uint8Array
 * indexOf; a frame wholly in the chunk is copied out with one slice() and checked and decoded
 * from there (takeWhole); otherwise a whole good header is taken in one go (takeHeader) and the
 * body in one set() per chunk. The FCS is one sliced CRC pass and a one-frame APDU is decoded
 * in place. Bytes queued for a rescan go through the same fast paths (drain). The per-byte state
 * machine (step) handles only what is unusual: headers split across chunks, bad headers.
 */
import type { Crc16Function, DecoderOptions, FrameResult } from '../frame-result';
import type { DecodeErrorCode } from '../reading';
import { checkCrc16X25, crc16X25, crc16X25Register } from '../util/crc16-x25';
import { RescanQueue } from '../util/rescan-queue';
import { DlmsApduDecoder } from '../dlms/apdu';
import { apduOutcomeToResult } from '../dlms/dlms-result';
import { copyBytes } from '../util/copy-bytes';

export const HDLC_FLAG = 0x7e;

const HUNT = 0; // looking for a flag
const FLAG = 1; // after a flag: another flag, or a frame format byte
const LENGTH = 2; // second frame format byte
const BODY = 3; // collecting the declared length
const CLOSE = 4; // expecting the closing flag

/** Smallest legal frame between flags: format(2) dst(1) src(1) control(1) FCS(2). */
const MIN_FRAME = 7;

export type Emit = (result: FrameResult) => void;

/** APDU tags a pushed first segment starts with: data-notification, glo-ciphering, block transfer. */
function isApduStart(tag: number): boolean {
  return tag === 0x0f || tag === 0xdb || tag === 0xe0;
}

export class HdlcSplitter {
  /** 0x7E, then the frame being collected (frame = a view from index 1), room for the closing flag. */
  private readonly flagged: Uint8Array;
  private readonly frame: Uint8Array;
  private readonly apdu: Uint8Array;
  /** Bytes to scan again after a broken frame. */
  private readonly rescan: RescanQueue;
  private readonly maxBytes: number;
  private readonly skipChecksum: boolean;
  private readonly dlms: DlmsApduDecoder;
  private state = HUNT;
  private n = 0;
  private frameLength = 0;
  /** Address bytes ended so far (0..2) and the index just past the HCS, once known (else 0). */
  private addressesEnded = 0;
  private hcsEnd = 0;
  private apduLength = 0;
  /** True while the next segment continues an APDU. */
  private segmenting = false;
  private replaying = false;
  /** Bytes outside any frame (before a flag, or after a broken format byte). */
  garbageBytes = 0;
  /** True while emitting a result for a frame whose HCS and FCS passed (the stream locks on it). */
  checked = false;
  /** HCS/FCS CRC: the JavaScript table loop, or the platform's native one (DecoderOptions.crc16). */
  private readonly x25: Crc16Function;
  /** x25 is the JavaScript CRC: the frame check may continue from the header check's register. */
  private readonly jsCrc: boolean;

  constructor(options: DecoderOptions = {}) {
    this.maxBytes = Math.max(64, options.maxFrameBytes ?? 4096);
    // +1: a missing closing flag is kept with the frame so it is scanned again too.
    // (+2 more: the opening and closing flag around it, so raw is one ArrayBuffer slice)
    this.flagged = new Uint8Array(this.maxBytes + 3);
    this.flagged[0] = HDLC_FLAG;
    this.frame = this.flagged.subarray(1, this.maxBytes + 2);
    this.apdu = new Uint8Array(this.maxBytes);
    this.rescan = new RescanQueue(this.maxBytes + 2);
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
    return this.state >= LENGTH || this.segmenting || this.dlms.blocksPending();
  }

  /**
   * `text`, when given, is the chunk as Latin-1 (one char per byte, MeterStream makes it once per
   * chunk for all hunters): String.indexOf finds the next flag for almost nothing under XS, where
   * Uint8Array.indexOf costs 8 computrons a byte and a step() call per byte about 40.
   */
  push(chunk: Uint8Array, emit: Emit, text?: string): void {
    this.scan(chunk, 0, chunk.length, emit, text, false);
  }

  /**
   * Take src[i, end): the pushed chunk, or (fromQueue) the bytes queued for a rescan, read in
   * place. Both go through the same fast paths; the queue is scanned with `replaying` set (its
   * bytes were counted once already) and its read position kept up to date before anything that
   * may put bytes back (fail, rejectWhole), so putFront sees exactly what is still unread. When
   * that happens the view is stale and the scan returns to drain(), which reads the new queue.
   */
  private scan(src: Uint8Array, i: number, end: number, emit: Emit, text: string | undefined, fromQueue: boolean): void {
    const q = this.rescan;
    const version = q.version;
    while (i < end) {
      // Between frames: jump to the next flag (no queued bytes: drain() empties the queue below).
      // (q.end > q.start is q.pending() without a call: this loop runs once per frame and more)
      if (this.state === HUNT && (fromQueue || !(q.end > q.start))) {
        let j = text !== undefined ? text.indexOf('~', i) : fromQueue ? src.subarray(i, end).indexOf(HDLC_FLAG) : src.indexOf(HDLC_FLAG, i);
        if (j < 0) j = end;
        else if (fromQueue) j += i;
        if (!this.replaying) this.garbageBytes += j - i;
        if (j === end) i = end;
        else {
          this.state = FLAG;
          i = j + 1;
        }
        if (fromQueue) q.consumeTo(i);
        continue;
      }
      if (this.state === FLAG) {
        if (src[i] === HDLC_FLAG) {
          // Another flag (the closing flag shared with the next opening one, or fill): what
          // step() does with it is nothing, so skip it here without the two calls.
          i++;
          if (fromQueue) q.consumeTo(i);
          continue;
        }
        // A frame header wholly in the chunk is judged in one go (takeStart); anything unusual
        // (header split across chunks, bad format byte or address) goes through step().
        const next = this.takeStart(src, i, end, emit, fromQueue);
        if (next > i) {
          i = next;
          if (fromQueue) {
            if (q.version !== version) return;
          } else if (q.end > q.start) this.drain(emit);
          continue;
        }
      }
      // Fast path: past the header checksum, the body is copied in one go up to its declared end.
      if (this.state === BODY && this.addressesEnded === 2 && this.n >= this.hcsEnd && this.n + 1 < this.frameLength) {
        const k = Math.min(this.frameLength - this.n - 1, end - i);
        this.frame.set(src.subarray(i, i + k), this.n);
        this.n += k;
        i += k;
        if (fromQueue) q.consumeTo(i);
        continue;
      }
      const b = src[i++];
      if (fromQueue) q.consumeTo(i);
      this.step(b, emit);
      if (fromQueue) {
        if (q.version !== version) return;
      } else if (q.end > q.start) this.drain(emit);
    }
  }

  /**
   * The frame starting at src[at] (just after a flag), when its header (format, addresses,
   * control, HCS) is wholly in src[at, end) and step() would accept each header byte: type-3
   * format byte, legal length, addresses ending by frame byte 10, information present. Leaves
   * the state exactly as step() would after the same bytes and returns the index reached:
   *   - HCS wrong: 'checksum', as step() reports it at the HCS (header bytes queued for a rescan);
   *   - the whole frame and its closing flag in src: raw copied once (slice) and completeFrame,
   *     state FLAG (the closing flag may open the next frame);
   *   - otherwise the header copied into the frame buffer, state BODY just past the HCS.
   * Returns `at` with nothing changed when the header is not all here or step() has a say.
   */
  private takeStart(src: Uint8Array, at: number, end: number, emit: Emit, fromQueue: boolean): number {
    if (at + 2 > end) return at;
    const f0 = src[at];
    if ((f0 & 0xf0) !== 0xa0) return at;
    const length = ((f0 & 0x07) << 8) | src[at + 1];
    if (length < MIN_FRAME || length > this.maxBytes) return at;
    let p = 2; // frame index of the next byte
    let ended = 0;
    let dstEnd = 0;
    while (ended < 2) {
      if (at + p >= end || p >= 10) return at; // not all here, or step()'s address rule applies
      if (src[at + p] & 1) {
        ended++;
        if (ended === 1) dstEnd = p + 1;
      }
      p++;
    }
    // Both addresses at most 4 bytes: completeFrame need not walk them again.
    const addressesEnd = dstEnd - 2 <= 4 && p - dstEnd <= 4 ? p : 0;
    // p = frame bytes so far (format + addresses); control, then the HCS, when there is information.
    if (!(p + 3 < length - 2)) return at;
    const hcsEnd = p + 3;
    if (at + hcsEnd > end) return at;
    this.frameLength = length;
    this.addressesEnded = 2;
    this.hcsEnd = hcsEnd;
    // With the JavaScript CRC the register after the header is kept: the frame check goes on
    // from it (completeFrame) instead of running over the header bytes again.
    let register = -1;
    let hcsOk = true;
    if (!this.skipChecksum) {
      if (this.jsCrc) {
        register = crc16X25Register(src, at, at + hcsEnd - 2, 0xffff);
        const hcs = (register ^ 0xffff) & 0xffff;
        hcsOk = src[at + hcsEnd - 2] === (hcs & 0xff) && src[at + hcsEnd - 1] === hcs >>> 8;
      } else hcsOk = checkCrc16X25(src, at, at + hcsEnd - 2, this.x25);
    }
    if (!hcsOk) {
      this.frame.set(src.subarray(at, at + hcsEnd), 0);
      if (fromQueue) this.rescan.consumeTo(at + hcsEnd);
      this.fail(emit, 'checksum', 'HDLC header checksum (HCS) mismatch', hcsEnd);
      return at + hcsEnd;
    }
    if (at + length < end && src[at + length] === HDLC_FLAG) {
      // raw = flag + frame + flag; the opening flag is usually the byte before (else any 0x7E will do).
      let raw: Uint8Array;
      // (copyBytes: one ArrayBuffer slice, ~30 XS computrons; Uint8Array.slice costs ~2.2 a byte)
      if (at > 0 && src[at - 1] === HDLC_FLAG) raw = copyBytes(src, at - 1, at + length + 1);
      else {
        raw = new Uint8Array(length + 2);
        raw[0] = HDLC_FLAG;
        raw.set(src.subarray(at, at + length + 1), 1);
      }
      this.n = length;
      this.state = FLAG;
      const next = at + length + 1;
      if (fromQueue) this.rescan.consumeTo(next);
      this.completeFrame(emit, raw, addressesEnd, register);
      return next;
    }
    this.frame.set(src.subarray(at, at + hcsEnd), 0);
    this.n = hcsEnd;
    this.state = BODY;
    if (fromQueue) this.rescan.consumeTo(at + hcsEnd);
    return at + hcsEnd;
  }

  /**
   * Scan queued bytes again, with the same fast paths as a chunk. Iterative, not recursive: a
   * frame that breaks while draining was built from queued bytes, so putting them back never
   * grows the queue beyond one frame.
   */
  private drain(emit: Emit): void {
    if (this.replaying) return;
    this.replaying = true;
    const q = this.rescan;
    while (q.pending()) this.scan(q.queued(), q.queuedStart(), q.queuedEnd(), emit, undefined, true);
    q.clear();
    this.replaying = false;
  }

  /** End of input: a frame or segment sequence in progress is reported 'truncated'. */
  flush(emit: Emit): void {
    this.checked = false;
    if (this.state >= LENGTH || this.segmenting) {
      emit({ ok: false, format: 'hdlc', error: { code: 'truncated', message: 'input ended inside an HDLC frame' } });
    } else if (this.dlms.abandonBlocks()) {
      emit({ ok: false, format: 'hdlc', error: { code: 'truncated', message: 'input ended inside a general-block-transfer (its last block never came)' } });
    }
    this.state = HUNT;
    this.n = 0;
    this.segmenting = false;
    this.apduLength = 0;
    this.rescan.clear();
  }

  private step(b: number, emit: Emit): void {
    switch (this.state) {
      case HUNT:
        if (b === HDLC_FLAG) this.state = FLAG;
        else if (!this.replaying) this.garbageBytes++;
        return;
      case FLAG:
        if (b === HDLC_FLAG) return; // inter-frame fill or a shared flag followed by a new one
        if ((b & 0xf0) !== 0xa0) {
          // Not frame format type 3: the flag was data we caught mid-frame.
          // (the flag itself is not counted: it may have closed a good frame)
          if (!this.replaying) this.garbageBytes++;
          this.state = HUNT;
          return;
        }
        this.frame[0] = b;
        this.n = 1;
        this.state = LENGTH;
        return;
      case LENGTH: {
        this.frame[1] = b;
        this.n = 2;
        const length = ((this.frame[0] & 0x07) << 8) | b;
        if (length < MIN_FRAME) {
          this.fail(emit, 'malformed', `HDLC length ${length} shorter than a frame`, 2);
          return;
        }
        if (length > this.maxBytes) {
          this.fail(emit, 'overflow', `HDLC frame of ${length} bytes exceeds the ${this.maxBytes}-byte buffer`, 2);
          return;
        }
        this.frameLength = length;
        this.addressesEnded = 0;
        this.hcsEnd = 0;
        this.state = BODY;
        return;
      }
      case BODY:
        this.frame[this.n++] = b;
        // Check the header checksum as soon as it is in: a corrupt length field must not make us
        // swallow up to 2 KiB of following frames before noticing.
        if (this.addressesEnded < 2) {
          if (b & 1) {
            this.addressesEnded++;
            // control byte next, then the 2-byte HCS (only frames with information carry one)
            if (this.addressesEnded === 2 && this.n + 3 < this.frameLength - 2) this.hcsEnd = this.n + 3;
          } else if (this.n > 10) {
            this.fail(emit, 'malformed', 'HDLC address longer than 4 bytes', this.n);
            return;
          }
        } else if (this.n === this.hcsEnd && !this.skipChecksum && !checkCrc16X25(this.frame, 0, this.n - 2, this.x25)) {
          this.fail(emit, 'checksum', 'HDLC header checksum (HCS) mismatch', this.n);
          return;
        }
        if (this.n === this.frameLength) this.state = CLOSE;
        return;
      case CLOSE:
        if (b !== HDLC_FLAG) {
          // Declared length ran past the real frame: bytes were lost. Re-scan what we hold.
          this.frame[this.n++] = b; // the frame buffer has one byte of room for this
          this.fail(emit, 'truncated', 'HDLC closing flag missing (bytes lost on the line?)', this.n);
          return;
        }
        this.state = FLAG; // this flag may open the next frame
        this.completeFrame(emit, this.rawFromFrame());
        return;
    }
  }

  /**
   * Report a broken frame and re-scan the bytes collected after its opening flag (frame[0..keep)),
   * since the next frame's flag may be among them.
   */
  private fail(emit: Emit, code: DecodeErrorCode, message: string, keep: number): void {
    const raw = copyBytes(this.frame, 0, Math.min(keep, this.frame.length));
    this.abandonApdu();
    this.checked = false;
    emit({ ok: false, format: 'hdlc', error: { code, message }, raw: raw.length ? raw : undefined });
    this.state = HUNT;
    this.n = 0;
    if (keep > 0) this.rescan.putFront(raw);
  }

  /**
   * A frame that had its closing flag but fails its checks: report it, and scan its bytes again
   * (from the byte after its opening flag, closing flag included). A 0x7E inside data can make a
   * cut-off frame look closed at exactly the declared length; the real frame that started inside
   * it must not be lost.
   */
  private rejectWhole(emit: Emit, raw: Uint8Array, code: DecodeErrorCode, message: string): void {
    this.abandonApdu();
    this.checked = false;
    emit({ ok: false, format: 'hdlc', error: { code, message }, raw });
    this.state = HUNT;
    this.rescan.putFront(raw.subarray(1));
  }

  private abandonApdu(): void {
    if (this.segmenting) {
      this.segmenting = false;
      this.apduLength = 0;
    }
  }

  /** The frame collected in this.frame, as the caller sees it: flag + frame + flag (a copy). */
  private rawFromFrame(): Uint8Array {
    const len = this.frameLength;
    this.flagged[len + 1] = HDLC_FLAG;
    return copyBytes(this.flagged, 0, len + 2);
  }

  /** A frame between its flags: raw = flag + frameLength bytes + flag (this.hcsEnd set if its HCS was checked). */
  private completeFrame(emit: Emit, raw: Uint8Array, addressesEnd = 0, hcsRegister = -1): void {
    const len = this.frameLength;
    const f = raw.subarray(1, len + 1);
    this.checked = false;
    // Addresses: destination then source, each ends with a byte whose LSB is 1 (at most 4 bytes).
    // (takeStart passes where they end when it found both legal and the information present)
    let p = addressesEnd > 0 ? addressesEnd : 2;
    for (let addr = addressesEnd > 0 ? 2 : 0; addr < 2; addr++) {
      const start = p;
      while (p < len && (f[p] & 1) === 0) p++;
      p++;
      if (p - start > 4 || p >= len) {
        this.rejectWhole(emit, raw, 'malformed', 'HDLC address longer than 4 bytes');
        return;
      }
    }
    p++; // control: I-frame or UI-frame, nothing to check for a push stream
    const hasInfo = len > p + 2;
    if (!this.skipChecksum) {
      // (step() already checked the HCS when the frame reached it: hcsEnd is then just past it)
      if (hasInfo && this.hcsEnd !== p + 2 && !checkCrc16X25(f, 0, p, this.x25)) {
        this.rejectWhole(emit, raw, 'checksum', 'HDLC header checksum (HCS) mismatch');
        return;
      }
      let fcsOk: boolean;
      if (hcsRegister >= 0) {
        // (takeStart's register covers f[0, hcsEnd - 2): the FCS runs on over the rest)
        const fcs = (crc16X25Register(f, this.hcsEnd - 2, len - 2, hcsRegister) ^ 0xffff) & 0xffff;
        fcsOk = f[len - 2] === (fcs & 0xff) && f[len - 1] === fcs >>> 8;
      } else fcsOk = checkCrc16X25(f, 0, len - 2, this.x25);
      if (!fcsOk) {
        this.rejectWhole(emit, raw, 'checksum', 'HDLC frame checksum (FCS) mismatch');
        return;
      }
    }
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
