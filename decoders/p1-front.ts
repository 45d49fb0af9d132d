/**
 * The P1 (DSMR) part of the splitter front, moved out of meter-stream.ts unchanged in behaviour
 * (written with the DSMR decoders): it hunts for a frame start and hands bytes to one splitter.
 *
 *   '/' (0x2F), or 0xAF ('/' with a 7E1 parity bit)  -> DSMR text telegram  (dsmr/splitter.ts)
 *   0xDB (general-glo-ciphering)                      -> encrypted P1       (dsmr/encrypted-splitter.ts)
 *
 * Between frames it hunts itself and counts what it skips: a run of skipped bytes is reported
 * once as a 'garbage' error right before the next result (or at flush, or when the run reaches
 * maxFrameBytes, so a wrong baud rate shows up without waiting forever). A start cut before it
 * held a value (a '/' in noise) is part of the run, not a result of its own. The CR LF that DSMR
 * meters send between telegrams is not garbage. Never throws on bad bytes.
 */
import type { DecoderOptions, FrameResult } from './frame-result';
import { DsmrSplitter, nextTextStart, notLineNoise } from './dsmr/splitter';
import { textOf } from './util/ascii';
import { EncryptedDsmrSplitter } from './dsmr/encrypted-splitter';
import { ENCRYPTED_HEADER_BYTES, MIN_ENCRYPTED_LENGTH } from './dsmr/encrypted';

function ignore(_r: FrameResult): void {}

const IDLE = 0;
const TEXT = 1;
const ENCRYPTED = 2;

export class P1Front {
  private readonly options: DecoderOptions;
  private readonly maxFrameBytes: number;
  private readonly text: DsmrSplitter;
  private readonly encrypted: EncryptedDsmrSplitter;
  private active = IDLE;
  /** Bytes skipped outside any P1 frame (CR/LF/NUL/space between telegrams excluded). */
  garbageBytes = 0;
  private garbageRun = 0;
  /** The caller's emit for this push; the splitters emit through toOut (garbage run first). */
  private out: (result: FrameResult) => void = ignore;
  private readonly toOut = (r: FrameResult): void => {
    if (this.garbageRun > 0) this.reportGarbage(this.out);
    this.out(r);
  };

  constructor(options: DecoderOptions = {}) {
    this.options = options;
    this.maxFrameBytes = options.maxFrameBytes ?? 4096;
    this.text = new DsmrSplitter(options);
    this.encrypted = new EncryptedDsmrSplitter(options);
  }

  inFrame(): boolean {
    return this.active !== IDLE;
  }

  /** `text`: the chunk as Latin-1 when the caller already made it (MeterStream shares one per chunk). */
  push(bytes: Uint8Array, emit: (result: FrameResult) => void, text?: string): void {
    // One text view of the chunk (native when the platform gives one): String.indexOf is nearly
    // free under XS, Uint8Array.indexOf costs 8 computrons per byte scanned (and a miss scans to
    // the end of the chunk).
    this.out = emit;
    const s = text !== undefined ? text : textOf(this.options, bytes);
    if (this.active === TEXT && this.text.continueWith(bytes, s)) return; // a chunk inside a telegram
    this.scan(bytes, s, bytes.length);
  }

  /**
   * Route bytes[0, end); bytes[end..] (and s likewise) is lookahead only: the start of what comes
   * next, read to judge an encrypted header that begins before `end` (see scanBack).
   */
  private scan(bytes: Uint8Array, s: string, end: number): void {
    const out = this.toOut;
    const whole = end === bytes.length;
    const b = whole ? bytes : bytes.subarray(0, end);
    const t = whole ? s : s.slice(0, end);
    let i = 0;
    while (i < end) {
      if (this.active === TEXT) {
        const cutBefore = this.text.cutGarbage;
        i = this.text.feed(b, i, out, t);
        // A "telegram" cut before it held a value was a '/' in garbage: its bytes count as such.
        const cut = this.text.cutGarbage - cutBefore;
        if (cut > 0) this.addGarbage(cut, this.out);
        if (!this.text.busy()) this.active = IDLE;
        // A 7E1 telegram ended by "DB 08" split across chunks gives back the 0xDB (encrypted start).
        const dbBack = this.text.takeRejected();
        if (dbBack !== undefined) this.scanBack(dbBack, b, i);
        continue;
      }
      if (this.active === ENCRYPTED) {
        i = this.encrypted.feed(b, i, out);
        if (!this.encrypted.busy()) this.active = IDLE;
        // A header rejected across a chunk boundary gives back the bytes it had taken from
        // earlier chunks: hunt in them first (they come before bytes[i..]).
        const back = this.encrypted.takeRejected();
        if (back !== undefined) this.scanBack(back, b, i);
        continue;
      }
      const j = nextStart(bytes, s, i, end);
      const stop = j < 0 ? end : j;
      if (stop > i) this.addGarbage(notLineNoise(s, i, stop), this.out);
      if (j < 0) return;
      this.active = bytes[j] === 0xdb ? ENCRYPTED : TEXT;
      i = j;
    }
  }

  /**
   * Bytes given back from earlier chunks (they come before bytes[at..]): routed first, with the
   * next header's worth of bytes[at..] as lookahead, so that a start among them is judged with
   * its whole header (else a stream of "DB 08" would give back, start and reject again and again
   * at every chunk edge).
   */
  private scanBack(back: Uint8Array, bytes: Uint8Array, at: number): void {
    const ahead = bytes.subarray(at, Math.min(bytes.length, at + ENCRYPTED_HEADER_BYTES));
    const joined = new Uint8Array(back.length + ahead.length);
    joined.set(back, 0);
    joined.set(ahead, back.length);
    this.scan(joined, textOf(this.options, joined), back.length);
  }

  flush(emit: (result: FrameResult) => void): void {
    this.out = emit;
    if (this.active === TEXT) this.text.flush(this.toOut);
    else if (this.active === ENCRYPTED) this.encrypted.flush(this.toOut);
    this.active = IDLE;
    this.reportGarbage(emit);
  }

  private addGarbage(count: number, emit: (r: FrameResult) => void): void {
    this.garbageBytes += count;
    this.garbageRun += count;
    if (this.garbageRun >= this.maxFrameBytes) this.reportGarbage(emit);
  }

  private reportGarbage(emit: (r: FrameResult) => void): void {
    if (this.garbageRun === 0) return;
    const run = this.garbageRun;
    this.garbageRun = 0;
    emit({ ok: false, error: { code: 'garbage', message: `${run} bytes outside any frame skipped` } });
  }
}

/**
 * Index of the next byte that starts a frame we route, or -1:
 *   '/' or 0xAF: a text telegram, the first worth starting (nextTextStart: the ones before it end
 *     before a value or within MIN_TELEGRAM bytes, garbage);
 *   0xDB 0x08 whose 13-byte header is right (encryptedFrameLength), or whose header is not wholly
 *     in this chunk (the encrypted splitter decides across chunks); any other 0xDB is garbage.
 * Native searches only, each position found once: a stream of "DB 08" costs a header check a
 * candidate, not a splitter start and reject.
 */
function nextStart(bytes: Uint8Array, s: string, from: number, end: number): number {
  const text = nextTextStart(s, from, end);
  const before = text < 0 ? end : text;
  const n = bytes.length;
  // encryptedFrameLength written out (82 at offset 10, a length of at least 18) as far as the
  // bytes hold the header: per candidate
  let db = s.indexOf('\xdb\x08', from);
  while (
    db >= 0 &&
    db < before &&
    db + 10 < n &&
    (bytes[db + 10] !== 0x82 || (db + ENCRYPTED_HEADER_BYTES <= n && ((bytes[db + 11] << 8) | bytes[db + 12]) < MIN_ENCRYPTED_LENGTH))
  ) {
    db = s.indexOf('\xdb\x08', db + 1);
  }
  if ((db < 0 || db >= before) && n - 1 < before && n - 1 >= from && s.charCodeAt(n - 1) === 0xdb) db = n - 1; // its 0x08 may come next
  return db >= 0 && db < before ? db : text;
}
