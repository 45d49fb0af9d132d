/**
 * The splitter front: one object per meter port. Bytes in (any chunking), FrameResults out.
 *
 *   bytes -> P1 front   ('/' text telegram, 0xDB encrypted P1)   (p1-front.ts)
 *         -> HDLC       (0x7E, IEC 62056-46, DLMS inside)         (hdlc/hdlc-splitter.ts)
 *         -> M-Bus      (0x68 L L 0x68, DLMS inside)              (mbus/mbus-splitter.ts)
 *         -> bare DLMS  (0xDB glo-ciphering, no link layer, DLMS plaintext) (dlms/bare-dlms-splitter.ts)
 *
 * Until a format is known the stream is UNLOCKED and every chunk goes to all three (each hunts on
 * its own; cheap, and a port of unknown type needs it). The first frame that proves its format
 * LOCKS the stream onto that splitter, and from then on only it sees the bytes:
 *   - a decoded frame (ok), or
 *   - a HAN frame whose checksum passed but whose content could not be used
 *     ('encrypted-no-key', 'decrypt-failed', 'unsupported'): the link layer is certain, and the
 *     caller needs to hear "encrypted: configure the key", not silence.
 * While unlocked, the HAN splitters' framing complaints ('truncated', 'overflow', 'malformed') are
 * not passed on: on a P1 line they are just text bytes that happened to look like a start
 * (0x68 is 'h' in "kWh"). Their HCS/FCS/M-Bus checksum failures are passed on (a real HAN frame
 * with a bad checksum is worth reporting; random text almost never gets that far).
 * The other way round, binary HAN frames contain 0x2F and 0xDB, which start P1 telegrams: while
 * unlocked, P1 errors are HELD (up to 8) until the end of the chunk, and longer while a HAN
 * splitter is inside a frame. If that HAN frame proves its format they are dropped (they were
 * HAN bytes: a HAN user must not read "wrong P1 key?"); otherwise they are passed on, in order,
 * before anything P1 decodes next.
 * A locked stream UNLOCKS after 5 results in a row that are errors, or 2 x maxFrameBytes bytes
 * without a decoded frame (meter swapped, line settings changed).
 *
 * Garbage bytes are counted here only: while locked, the locked splitter's count; while
 * unlocked, per chunk the smallest count of the three (bytes none of them could use).
 * Bare DLMS is only recognisable when encrypted (0xDB has a length field; a bare 0x0F has none)
 * and decrypted: 0xDB frames whose plaintext is a DSMR telegram stay with the P1 path.
 * Never throws on bad bytes.
 */
import type { DecoderOptions, FrameFormat, FrameResult } from './frame-result';
import type { DecodeErrorCode } from './reading';
import { HdlcSplitter } from './hdlc/hdlc-splitter';
import { MbusSplitter } from './mbus/mbus-splitter';
import { BareDlmsSplitter } from './dlms/bare-dlms-splitter';
import { P1Front } from './p1-front';
import { textOf } from './util/ascii';

export interface MeterStreamStats {
  bytes: number;
  frames: number;
  garbageBytes: number;
  errors: Partial<Record<DecodeErrorCode, number>>;
}

const NONE = -1;
const P1 = 0;
const HDLC = 1;
const MBUS = 2;
const DLMS = 3;
const PARTS = 4;
/** Feeding order while unlocked: binary parts first, P1 last (see settleHeld). */
const UNLOCKED_ORDER = [HDLC, MBUS, DLMS, P1];

const UNLOCK_AFTER_ERRORS = 5;

function ignore(_r: FrameResult): void {}

interface Part {
  /** `text`: the chunk as Latin-1 (one char per byte), made once per chunk while unlocked. */
  push(bytes: Uint8Array, emit: (r: FrameResult) => void, text?: string): void;
  flush(emit: (r: FrameResult) => void): void;
  garbageBytes: number;
  /** HAN parts: the result being emitted comes from a frame whose checksum passed. */
  checked?: boolean;
}

function provesFormat(r: FrameResult): boolean {
  if (r.ok) return true;
  const c = r.error.code;
  return (r.format === 'hdlc' || r.format === 'mbus' || r.format === 'dlms') && (c === 'encrypted-no-key' || c === 'decrypt-failed' || c === 'unsupported');
}

/**
 * A P1 "telegram" found in binary HAN data: '/' .. '!' without CRC is legal for DSMR 2.2/3, so
 * 0x2F .. 0x21 inside an HDLC frame passes the DSMR splitter. Real telegrams have lines and carry
 * at least one value (a mere header line is not enough); anything else may not lock the stream.
 * (Control bytes alone do not disqualify: Iskra IE meters put STX in their header line.)
 */
function plausibleP1(r: FrameResult): boolean {
  if (!r.ok) return true;
  if (r.format === 'dsmr' && r.raw.indexOf(0x0a) < 0) return false;
  for (const k in r.reading) {
    if (k !== 'protocol' && k !== 'listId' && k !== 'manufacturer' && k !== 'frameKind' && k !== 'checksumChecked' && k !== 'encrypted') return true;
  }
  return false;
}

/** An implausible P1 "reading" becomes the error it is (a wrong key decrypts to such junk). */
function implausibleAsError(r: FrameResult & { ok: true }): FrameResult {
  const encrypted = r.format === 'dsmr-encrypted';
  return {
    ok: false,
    format: r.format,
    error: encrypted
      ? { code: 'decrypt-failed', message: 'decrypted P1 frame carries no values (wrong key?)' }
      : { code: 'malformed', message: 'P1 telegram without values or line breaks (binary data?)' },
    raw: r.raw,
  };
}

export class MeterStream {
  private readonly parts: Part[];
  private readonly maxFrameBytes: number;
  private readonly options: DecoderOptions;
  private locked = NONE;
  private bytes = 0;
  private frames = 0;
  private garbage = 0;
  private errorsInRow = 0;
  private bytesSinceFrame = 0;
  private readonly errors: Partial<Record<DecodeErrorCode, number>> = {};
  private format: FrameFormat | undefined;
  private onFrame: (result: FrameResult) => void = () => {};
  private readonly emits: ((r: FrameResult) => void)[];
  private readonly lastGarbage = [0, 0, 0, 0];
  /** P1 errors held while unlocked (see header); bounded. */
  private readonly held: FrameResult[] = [];
  /** A HAN frame with right flags, length and header checksum was seen since the last unlock. */
  private hanSeen = false;

  constructor(options: DecoderOptions = {}) {
    this.options = options;
    this.maxFrameBytes = options.maxFrameBytes ?? 4096;
    this.parts = [new P1Front(options), new HdlcSplitter(options), new MbusSplitter(options), new BareDlmsSplitter(options)];
    // One bound emitter per part, made once (no per-chunk closures).
    this.emits = [0, 1, 2, 3].map((i) => (r: FrameResult) => this.result(i, r));
  }

  push(bytes: Uint8Array, onFrame: (result: FrameResult) => void): void {
    this.onFrame = onFrame;
    this.bytes += bytes.length;
    this.bytesSinceFrame += bytes.length;
    if (this.locked !== NONE) {
      const i = this.locked;
      const part = this.parts[i];
      part.push(bytes, this.emits[i]);
      // takeGarbage(i) written out (this runs for every chunk of a locked stream)
      const g = part.garbageBytes;
      this.garbage += g - this.lastGarbage[i];
      this.lastGarbage[i] = g;
      if (this.locked !== NONE && this.bytesSinceFrame > 2 * this.maxFrameBytes) this.unlock();
      return;
    }
    let least = Infinity;
    // One Latin-1 view of the chunk for all four hunters: each finds its start byte with
    // String.indexOf (nearly free under XS) instead of stepping through every byte.
    const text = textOf(this.options, bytes); // native (DecoderOptions.asciiText) when it can, else Latin-1
    // HAN parts first, so that at the end of the chunk their state says whether held P1 errors
    // came from inside a HAN frame.
    let p1Skipped = false;
    for (let k = 0; k < PARTS; k++) {
      const i = UNLOCKED_ORDER[k];
      if (i === P1 && this.locked !== NONE) {
        // A HAN frame just proved the format: P1's results for this chunk would be ignored, and
        // it would decrypt the 0xDB inside that very frame a second time (pure-JS AES-GCM, ~300
        // XS computrons a byte). Skip it, and clear its state for a later unlock.
        p1Skipped = true;
        continue;
      }
      const part = this.parts[i];
      const before = part.garbageBytes;
      // A part may lock the stream while this chunk is fed: the other HAN parts still see the
      // whole chunk (cheap) but their output is then ignored by result(); P1 is skipped (above).
      part.push(bytes, this.emits[i], text);
      const delta = part.garbageBytes - before;
      if (delta < least) least = delta;
    }
    if (p1Skipped) this.parts[P1].flush(ignore);
    for (let i = 0; i < PARTS; i++) this.lastGarbage[i] = this.parts[i].garbageBytes;
    this.garbage += least === Infinity ? 0 : least;
    this.settleHeld(false);
  }

  /** Drop held P1 errors once a HAN part locked; pass them on when no HAN frame is in progress. */
  private settleHeld(final: boolean): void {
    if (this.held.length === 0) return;
    if (this.locked === HDLC || this.locked === MBUS || this.locked === DLMS || (this.locked === NONE && this.hanSeen)) {
      this.held.length = 0; // the line carries HAN frames: P1 complaints are about their bytes
      return;
    }
    const hdlc = this.parts[HDLC] as HdlcSplitter;
    const mbus = this.parts[MBUS] as MbusSplitter;
    const dlms = this.parts[DLMS] as BareDlmsSplitter;
    if (!final && this.locked === NONE && (hdlc.inFrame() || mbus.inFrame() || dlms.inFrame())) return;
    this.releaseHeld();
  }

  private releaseHeld(): void {
    const out = this.held.splice(0, this.held.length);
    for (const r of out) this.deliver(r);
  }

  flush(onFrame: (result: FrameResult) => void): void {
    this.onFrame = onFrame;
    if (this.locked !== NONE) {
      // The part's last results may unlock the stream (this.locked becomes NONE): keep the index.
      const i = this.locked;
      this.parts[i].flush(this.emits[i]);
      this.takeGarbage(i);
      return;
    }
    for (let i = 0; i < PARTS; i++) this.parts[i].flush(this.emits[i]);
    this.settleHeld(true);
  }

  stats(): MeterStreamStats {
    return { bytes: this.bytes, frames: this.frames, garbageBytes: this.garbage, errors: { ...this.errors } };
  }

  /** Format locked onto (or last locked onto), once a frame proved it; else undefined. */
  detectedFormat(): FrameFormat | undefined {
    return this.format;
  }

  private takeGarbage(i: number): void {
    const g = this.parts[i].garbageBytes;
    this.garbage += g - this.lastGarbage[i];
    this.lastGarbage[i] = g;
  }

  private unlock(): void {
    this.locked = NONE;
    this.hanSeen = false;
    this.errorsInRow = 0;
    this.bytesSinceFrame = 0;
    for (let i = 0; i < PARTS; i++) this.lastGarbage[i] = this.parts[i].garbageBytes;
  }

  private result(part: number, res: FrameResult): void {
    if (this.locked === part && res.ok && part !== P1) {
      // The steady state of a HAN port, written out: deliver(res) for a decoded frame.
      this.frames++;
      this.errorsInRow = 0;
      this.bytesSinceFrame = 0;
      this.format = res.format;
      this.onFrame(res);
      return;
    }
    if (this.locked !== NONE && this.locked !== part) return; // another part locked during this chunk
    const r = part === P1 && res.ok && !plausibleP1(res) ? implausibleAsError(res) : res;
    if (this.locked === NONE) {
      if (part === P1 && !r.ok) {
        this.held.push(r);
        if (this.held.length > 8) this.deliver(this.held.shift() as FrameResult);
        return;
      }
      if (provesFormat(r) || (part !== P1 && this.parts[part].checked === true)) {
        // (a HAN frame whose checksum passed proves the format even when its content is unusable)
        this.locked = part;
        if (r.format) this.format = r.format;
        this.lastGarbage[part] = this.parts[part].garbageBytes;
        if (part === P1)
          this.releaseHeld(); // earlier P1 errors first, in order
        else this.held.length = 0;
      } else if (part !== P1 && !r.ok && r.error.code !== 'checksum') {
        return; // HAN framing noise on an unknown line: not reported (see header)
      } else if (part !== P1 && !r.ok) {
        this.hanSeen = true; // a HAN frame with flags, length and HCS right, only its FCS failed
      }
    }
    // A checked HAN frame keeps the lock alive even when its content is unusable (an encrypted
    // meter without key must not make the stream unlock and hunt every few frames).
    this.deliver(r, part !== P1 && this.parts[part].checked === true);
  }

  private deliver(r: FrameResult, formatAlive = false): void {
    if (r.ok) {
      this.frames++;
      this.errorsInRow = 0;
      this.bytesSinceFrame = 0;
      this.format = r.format;
    } else {
      const code = r.error.code;
      this.errors[code] = (this.errors[code] ?? 0) + 1;
      if (provesFormat(r) && r.format) this.format = r.format;
      if (formatAlive || provesFormat(r)) {
        this.errorsInRow = 0;
        this.bytesSinceFrame = 0;
      } else if (this.locked !== NONE && ++this.errorsInRow >= UNLOCK_AFTER_ERRORS) this.unlock();
    }
    this.onFrame(r);
  }
}
