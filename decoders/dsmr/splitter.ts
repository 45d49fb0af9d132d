/**
 * DSMR P1 byte stream -> framed, CRC-checked telegrams (as FrameResult).
 *
 *   garbage  '/' header CR LF  lines ...  '!' [CRC: 4 hex digits] CR LF  garbage  '/' ...
 *
 * Specification: DSMR P1 Companion Standard 5.0.2 (6.2 telegram, CRC-16/ARC over '/'..'!');
 * DSMR 2.2/3 telegrams end with a bare '!' (no CRC) and run at 9600 7E1.
 *
 * Behaviour:
 * - Bounded: one buffer of maxFrameBytes (default 4096) allocated in the constructor. A
 *   telegram that outgrows it is reported once as 'overflow' and skipped.
 * - Resynchronises on '/': bytes before a start are skipped and counted (garbageBytes());
 *   the splitter never reports 'garbage' itself, the front does.
 * - A '/' in the middle of a telegram starts a new one and the cut one is reported
 *   'truncated'. A '/' inside "(...)" may be text (Iskra message "test-/-test"), so it is only
 *   taken as a cut when its parenthesis never closes on that line (checked when the telegram
 *   completes).
 * - '!' followed by 1-4 hex digits: CRC checked; a mismatch is reported 'checksum' and the
 *   telegram is NEVER parsed (unless options.skipChecksum, tests/diagnostics only). '!' with no
 *   hex digits: handed on as 'absent' (DSMR 2.2/3 accept it, DSMR 4+ reject it; see
 *   decode-telegram.ts). 3 digits then CR/LF is accepted: a Warmtelink heat meter sends its CRC
 *   unpadded ("!B9F").
 * - 7E1 read as 8N1: '/' with its even-parity bit arrives as 0xAF. A telegram that starts
 *   with 0xAF has every byte parity-checked and masked to 7 bits.
 * - 0xDB inside an 8-bit telegram ends it ('truncated'): it starts an encrypted frame.
 * - Hot path (measured under XS, the device engine): each chunk is turned into a string once,
 *   by the platform's native TextDecoder when DecoderOptions.asciiText is given (about 20
 *   computrons a call), else in JavaScript as Latin-1 (about 6 a byte); String.indexOf then
 *   jumps to the next '!' or '/' at almost no metered cost (Uint8Array.indexOf costs 8 a byte
 *   scanned). The telegram's bytes are copied into buf with one set() a chunk (a chunk wholly
 *   inside a telegram in one step: continueWith) and made text once, at its end; the frame
 *   handed on is copied with ArrayBuffer.slice (copy-bytes.ts). No RegExp. (Gone, as the
 *   device's 128-byte reads gained nothing from them: a telegram wholly inside one chunk taken
 *   without the copy, the chunk texts joined into the telegram's, the CRC digits read in one go.)
 * - One TelegramLayout per splitter (layout.ts): a telegram laid out like the previous one is
 *   replayed from that one's line records instead of parsed line by line.
 */
import type { DecoderOptions, FrameResult } from '../frame-result';
import { hexNibble, textOf } from '../util/ascii';
import { crc16Arc } from '../util/crc16-arc';
import { copyBytes } from '../util/copy-bytes';
import { decodeDsmrTelegram } from './decode-telegram';
import { TelegramLayout } from './layout';

const SLASH = 0x2f;
const SLASH_PARITY = 0xaf;
const BANG = 0x21;
const LF = 0x0a;
const CR = 0x0d;
const OPEN = 0x28;
const CLOSE = 0x29;

const HUNT = 0; // looking for '/'
const BODY = 1; // inside a telegram, before '!'
const CRC = 2; // after '!', reading hex digits
const TAIL = 3; // after the CRC: swallow CR LF

export type Emit = (result: FrameResult) => void;

const EMPTY = new Uint8Array(0);

/** What ends a "(" group as restOfGroup reads it: its ")", the line's end, a binary start. */
const GROUP_ENDS = [')', '\r', '\n', '\xdb'];

/** 1 where a byte has an odd number of set bits (a 7E1 byte must not). Built once, read only. */
const ODD_PARITY = new Uint8Array(256);
(function buildParity(): void {
  for (let b = 0; b < 256; b++) {
    let ones = 0;
    for (let x = b; x !== 0; x >>= 1) ones += x & 1;
    ODD_PARITY[b] = ones & 1;
  }
})();

export class DsmrSplitter {
  private readonly options: DecoderOptions;
  private readonly buf: Uint8Array;
  private len = 0;
  private state = HUNT;
  private mask = 0xff;
  /** Position of a '/' seen inside an open "(": maybe a cut, decided when the frame ends. */
  private candidate = -1;
  private crcDigits = 0;
  private crcValue = 0;
  private tailLeft = 0;
  private skipped = 0;
  /** Telegram bytes a reported failure still claims (see reportable). */
  private quietLeft = 0;
  /**
   * 7E1 only: the chunk ended on a raw 0xDB ('[' with its parity bit, or the start of an
   * encrypted frame); the next byte decides (see bodyMasked).
   */
  private pendingDb = false;
  /** A 0xDB from an earlier chunk that starts an encrypted frame: the front takes it back. */
  private givenBack: Uint8Array | undefined;
  /** The last decoded telegram's layout: the next one with the same skeleton is replayed from it. */
  private readonly layout = new TelegramLayout();

  constructor(options: DecoderOptions = {}) {
    this.options = options;
    this.buf = new Uint8Array(options.maxFrameBytes ?? 4096);
  }

  /** Bytes skipped outside telegrams so far (the front reports them as garbage). */
  garbageBytes(): number {
    return this.skipped;
  }

  /**
   * Bytes of starts cut before they held a value (see cut), CR, LF, NUL and space not counted:
   * the front's garbage (it hunts between frames itself).
   */
  cutGarbage = 0;

  /** True while a telegram is open (or its trailing CR LF is still expected). */
  busy(): boolean {
    return this.state !== HUNT;
  }

  /** Stand-alone use: hunt for telegrams in any chunk, counting skipped bytes. */
  push(chunk: Uint8Array, emit: Emit): void {
    this.run(chunk, textOf(this.options, chunk), 0, emit, false);
  }

  /**
   * Front use (meter-stream.ts): process chunk[from..] while a telegram is open, starting one
   * if chunk[from] is '/' (or 0xAF). Returns the index of the first byte not consumed: the
   * front hunts between frames itself (and counts garbage there). `chunkText` is the chunk as text
   * when the caller already has it.
   */
  feed(chunk: Uint8Array, from: number, emit: Emit, chunkText?: string): number {
    return this.run(chunk, chunkText ?? textOf(this.options, chunk), from, emit, true);
  }

  /**
   * The front's fast path for a whole chunk in the middle of an 8-bit telegram: when the chunk
   * holds no '!', '/' or 0xDB and fits, it is appended (one copy) and true
   * returned; otherwise nothing changes and false (the front feeds it). A telegram spread over
   * UART reads is mostly such chunks: this skips the state machine's layers for them.
   */
  continueWith(chunk: Uint8Array, s: string): boolean {
    if (this.state !== BODY || this.mask !== 0xff) return false;
    const n = chunk.length;
    if (this.len + n > this.buf.length || s.indexOf('!') >= 0 || s.indexOf('/') >= 0 || s.indexOf('\xdb') >= 0) return false;
    this.buf.set(chunk, this.len);
    this.len += n;
    return true;
  }

  /**
   * Bytes from an earlier chunk that belong before chunk[returned index]: a 7E1 "telegram" was
   * ended by a 0xDB 0x08 split across chunks, and that 0xDB starts an encrypted frame. The front
   * scans them first (as it does for the encrypted splitter's takeRejected).
   */
  takeRejected(): Uint8Array | undefined {
    const r = this.givenBack;
    this.givenBack = undefined;
    return r;
  }

  private run(chunk: Uint8Array, s: string, from: number, emit: Emit, stopBetweenFrames: boolean): number {
    const n = chunk.length;
    let i = from;
    while (i < n) {
      switch (this.state) {
        case HUNT: {
          if (stopBetweenFrames) {
            const c = chunk[i];
            if (i !== from || (c !== SLASH && c !== SLASH_PARITY)) return i;
            this.start(c === SLASH ? 0xff : 0x7f);
            i++;
            break;
          }
          const j = nextTextStart(s, i, n);
          if (j < 0) {
            this.skipped += n - i;
            return n;
          }
          this.skipped += j - i;
          this.start(chunk[j] === SLASH ? 0xff : 0x7f);
          i = j + 1;
          break;
        }
        case BODY:
          i = this.mask === 0xff ? this.body(chunk, s, i, emit) : this.bodyMasked(chunk, i, emit);
          if (this.givenBack !== undefined && !stopBetweenFrames) {
            // Stand-alone use has no encrypted path: the given-back 0xDB is skipped like any byte.
            this.givenBack = undefined;
            this.skipped++;
          }
          break;
        case CRC: {
          const c = chunk[i] & this.mask;
          const v = hexNibble(c);
          if (v >= 0) {
            this.crcValue = this.crcValue * 16 + v;
            this.crcDigits++;
            i++;
            if (this.crcDigits === 4) this.finish(emit, TAIL);
          } else if (this.crcDigits === 0 || (this.crcDigits === 3 && (c === CR || c === LF))) {
            this.finish(emit, TAIL); // no CRC (DSMR 2.2/3), or the unpadded 3-digit CRC
          } else {
            if (this.len - 1 >= MIN_TELEGRAM && this.holdsValue()) this.truncated(emit, this.len, 'CRC after "!" is cut short');
            else this.dropAsGarbage(this.crcDigits);
            this.state = HUNT;
          }
          break;
        }
        default: {
          // TAIL: the CR LF after the CRC belongs to the telegram, not to garbage.
          const c = chunk[i] & this.mask;
          if ((c === CR || c === LF) && this.tailLeft > 0) {
            this.tailLeft--;
            i++;
          } else this.state = HUNT;
        }
      }
    }
    return n;
  }

  flush(emit: Emit): void {
    if (this.pendingDb) {
      // Input ended right after a 0xDB: keep it in the cut telegram (as the '[' it would be).
      this.pendingDb = false;
      if (this.len < this.buf.length) this.buf[this.len++] = 0x5b;
    }
    if (this.state === BODY) {
      this.truncated(emit, this.len, 'input ended inside a telegram (no "!")', true);
      this.state = HUNT;
    } else if (this.state === CRC) {
      if (this.crcDigits === 0 || this.crcDigits === 3) this.finish(emit, HUNT);
      else {
        this.truncated(emit, this.len, 'input ended inside the CRC', true);
        this.state = HUNT;
      }
    } else this.state = HUNT;
    this.len = 0;
  }

  private start(mask: number): void {
    this.buf[0] = SLASH;
    this.len = 1;
    this.mask = mask;
    this.state = BODY;
    this.candidate = -1;
    this.pendingDb = false;
  }

  /** Copy up to the next '!' or '/'; handle that byte. Returns the new chunk index. */
  private body(chunk: Uint8Array, s: string, i: number, emit: Emit): number {
    const n = chunk.length;
    let j = s.indexOf('!', i);
    const k = s.indexOf('/', i);
    if (k >= 0 && (j < 0 || k < j)) j = k;
    // 0xDB never occurs in an 8-bit text telegram: it is the start of an encrypted frame
    // (general-glo-ciphering) and this "telegram" was garbage that held a '/'. End it there and
    // leave the byte to the front, which routes it to the encrypted splitter.
    const db = s.indexOf('\xdb', i);
    if (db >= 0 && (j < 0 || db < j)) {
      const stop = this.append(chunk, i, db, emit);
      if (stop < db) return stop;
      this.cut(emit, 'binary frame start (0xDB) inside the text');
      this.state = HUNT;
      return db;
    }
    const end = j < 0 ? n : j;
    const stop = this.append(chunk, i, end, emit);
    if (stop < end) return stop; // overflow: state is HUNT now, hunting resumes at the first byte that did not fit
    if (j < 0) return n;
    if (!this.special(chunk[j], emit)) return j;
    if (this.state === CRC) return j + 1;
    // Still BODY: that '!' or '/' was inside an open "(" (text such as "test-/-test").
    return this.state === BODY ? this.restOfGroup(chunk, s, j + 1, emit) : j + 1;
  }

  /**
   * Inside an open "(" at chunk[i]: every '!' and '/' up to its ")" (or the line's end, or a 0xDB)
   * is text of the value, and only the last '/' matters as a possible cut (finish). Taken in one
   * step: a value full of '/' (or a stream of "/(") costs a few native searches, not one stop a
   * '/'. Returns the index to go on from (the group's end, or on overflow the first byte that did
   * not fit).
   */
  private restOfGroup(chunk: Uint8Array, s: string, i: number, emit: Emit): number {
    let g = s.length;
    for (const c of GROUP_ENDS) {
      const k = s.indexOf(c, i);
      if (k >= 0 && k < g) g = k;
    }
    if (g === i) return i;
    const lenBefore = this.len;
    const stop = this.append(chunk, i, g, emit);
    if (stop < g) return stop;
    const q = s.lastIndexOf('/', g - 1);
    if (q >= i) this.candidate = lenBefore + (q - i);
    return g;
  }

  /**
   * 7E1 read as 8N1: mask each byte (low rate, 9600 baud: a byte loop is fine). Every byte of a
   * real 7E1 telegram has even parity; one that does not means this was never a 7E1 telegram
   * (garbage that held 0xAF) or the line corrupted it: end it there and hunt again from that
   * byte. DSMR 2.2/3 has no CRC, so this is also its only error check.
   *
   * 0xDB has even parity: it is '[' in 7E1, but also the first byte of an encrypted frame
   * (DB 08 <system title> ...). 0x08 has odd parity and never follows in a real 7E1 telegram,
   * so a 0xDB followed by an odd-parity byte ends the telegram BEFORE the 0xDB, which goes to
   * the front (encrypted path). At a chunk end the decision waits for the next byte
   * (pendingDb); if that 0xDB must go back, takeRejected() hands it over.
   */
  private bodyMasked(chunk: Uint8Array, i: number, emit: Emit): number {
    const n = chunk.length;
    if (this.pendingDb && i < n) {
      this.pendingDb = false;
      if (ODD_PARITY[chunk[i]] === 1) {
        this.cut(emit, 'binary frame start (0xDB) inside a 7E1 telegram');
        this.state = HUNT;
        this.givenBack = new Uint8Array([0xdb]);
        return i;
      }
      if (this.len >= this.buf.length) {
        this.overflow(emit);
        this.givenBack = new Uint8Array([0xdb]); // did not fit: hunting re-reads it
        return i;
      }
      this.buf[this.len++] = 0x5b;
    }
    while (i < n) {
      const raw = chunk[i];
      if (raw === 0xdb) {
        if (i + 1 >= n) {
          this.pendingDb = true;
          return n;
        }
        if (ODD_PARITY[chunk[i + 1]] === 1) {
          this.cut(emit, 'binary frame start (0xDB) inside a 7E1 telegram');
          this.state = HUNT;
          return i;
        }
      }
      if (ODD_PARITY[raw] === 1) {
        this.cut(emit, 'parity error in a 7E1 telegram');
        this.state = HUNT;
        return i;
      }
      const c = raw & 0x7f;
      if (c === BANG || c === SLASH) return this.special(c, emit) ? i + 1 : i;
      if (this.len >= this.buf.length) {
        this.overflow(emit);
        return i;
      }
      this.buf[this.len++] = c;
      i++;
    }
    return n;
  }

  /** Handle '!' or '/' inside BODY. Returns false when the byte must be re-read (new start). */
  private special(c: number, emit: Emit): boolean {
    if (this.len >= this.buf.length) {
      // Full: this byte does not fit. Re-read it while hunting (a '/' may start the next one).
      this.overflow(emit);
      return false;
    }
    // (within a telegram's first MIN_TELEGRAM bytes no "(" counts: see MIN_TELEGRAM)
    const inParens = this.len >= MIN_TELEGRAM && this.insideParens();
    if (c === BANG) {
      this.put(BANG);
      if (!inParens) {
        this.state = CRC;
        this.crcDigits = 0;
        this.crcValue = 0;
      }
      return true;
    }
    if (inParens) {
      this.candidate = this.len;
      this.put(SLASH);
      return true;
    }
    this.cut(emit, 'a new telegram started before "!"');
    this.state = HUNT;
    return false;
  }

  /**
   * Copy chunk[from, to) into the buffer. Returns `to`, or on overflow the index of the first
   * byte that did not fit (hunting resumes there, whatever the chunking: the same bytes give the
   * same results in one chunk or in many).
   */
  private append(chunk: Uint8Array, from: number, to: number, emit: Emit): number {
    const room = this.buf.length - this.len;
    if (to - from > room) {
      this.overflow(emit, chunk.subarray(from, from + room));
      return from + room;
    }
    this.buf.set(chunk.subarray(from, to), this.len);
    this.len += to - from;
    return to;
  }

  /** Append the byte just read from the chunk ('!' or '/'; room was checked). */
  private put(c: number): void {
    this.buf[this.len++] = c;
  }

  /** Is the end of the telegram so far inside an open "(" on the current line? */
  private insideParens(): boolean {
    const b = this.buf;
    for (let p = this.len - 1; p >= 0; p--) {
      const c = b[p];
      if (c === OPEN) return true;
      if (c === CLOSE || c === LF || c === CR) return false;
    }
    return false;
  }

  /** The telegram outgrew buf; `rest`: the bytes that still fitted, taken from the chunk with it. */
  private overflow(emit: Emit, rest: Uint8Array = EMPTY): void {
    if (this.holdsValue() || rest.indexOf(OPEN) >= 0) {
      if (this.reportable(this.len + rest.length)) {
        emit({
          ok: false,
          format: 'dsmr',
          error: { code: 'overflow', message: `telegram longer than ${this.buf.length} bytes; skipped` },
        });
      }
    } else {
      this.dropAsGarbage(0);
      this.skipped += rest.length;
      this.cutGarbage += rest.length - lineNoise(rest);
    }
    this.state = HUNT;
    this.len = 0;
  }

  /**
   * The telegram so far was cut (a new start, a binary start, a parity error): reported
   * 'truncated' when it holds a value, else dropped as garbage (see holdsValue).
   */
  private cut(emit: Emit, why: string): void {
    if (this.len >= MIN_TELEGRAM && this.holdsValue()) this.truncated(emit, this.len, why);
    else this.dropAsGarbage(0);
  }

  /** The telegram's bytes so far (a view: in the chunk or in buf). */
  private soFar(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /**
   * Does the telegram so far hold a value ("(")? One that ends without any - cut by a new start, a
   * binary start or a parity error, ended by "!" or its CRC, or overflowing - was no telegram: a
   * '/' in noise, or a header line that never went on. Its bytes are garbage, skipped and counted
   * (the front reports the run), never an error of their own: a stream of '/' or "/!" makes one
   * garbage count, not one error every byte or two. nextTextStart skips such starts ahead the same way.
   */
  private holdsValue(): boolean {
    return this.soFar().indexOf(OPEN) >= 0;
  }

  /** The telegram so far (and `extra` CRC digits after it) was garbage: counted, not reported. */
  private dropAsGarbage(extra: number): void {
    this.skipped += this.len + extra;
    this.cutGarbage += this.len - lineNoise(this.soFar()) + extra;
  }

  /**
   * A failure of `length` telegram bytes: report it? Not while an earlier reported one's claim
   * lasts (REPORT_QUIET bytes of failed telegrams from its start; a good telegram ends it): on a
   * line that breaks every short telegram, one report per 64 bytes, as the HAN splitters do.
   * (Garbage "telegrams" do not count: whether one is passed by natively or started and dropped
   * depends on the chunking.)
   */
  private reportable(length: number): boolean {
    if (this.quietLeft > 0) {
      this.quietLeft = this.quietLeft > length ? this.quietLeft - length : 0;
      return false;
    }
    this.quietLeft = REPORT_QUIET > length ? REPORT_QUIET - length : 0;
    return true;
  }

  /** The telegram so far ends at `end`: reported cut (unless quiet; always at the end of input). */
  private truncated(emit: Emit, end: number, why: string, always = false): void {
    if (!always && !this.reportable(end)) return;
    emit({ ok: false, format: 'dsmr', error: { code: 'truncated', message: `truncated telegram: ${why}` }, raw: this.telegramBytes(0, end) });
  }

  /** A copy of the telegram's bytes [from, to), wherever they are (chunk or buf). */
  private telegramBytes(from: number, to: number): Uint8Array {
    return copyBytes(this.buf, from, to);
  }

  /** The telegram ended ('!' + CRC or no CRC): check, decode, emit. */
  private finish(emit: Emit, next: number): void {
    if (this.len - 1 < MIN_TELEGRAM || !this.holdsValue()) {
      // "/" .. "!" around no value, or shorter than a telegram: garbage (holdsValue,
      // MIN_TELEGRAM); the CR LF after it is hunted over.
      this.dropAsGarbage(this.crcDigits);
      this.state = HUNT;
      this.tailLeft = 0;
      return;
    }
    this.state = next;
    this.tailLeft = 2;
    let from = 0;
    if (this.candidate >= 0 && !closesOnItsLine(this.buf, this.candidate, this.len)) {
      // The '/' inside "(" was a real start: the telegram before it was cut there.
      this.truncated(emit, this.candidate, 'a new telegram started inside a value');
      from = this.candidate;
    }
    const frame = this.telegramBytes(from, this.len);
    // (the telegram as text in one native call on the device: DecoderOptions.asciiText)
    const text = textOf(this.options, frame);
    const skip = this.options.skipChecksum === true;
    if (this.crcDigits > 0) {
      const calc = (this.options.crc16?.arc ?? crc16Arc)(frame, 0, frame.length);
      if (calc !== this.crcValue && !skip) {
        if (!this.reportable(frame.length)) return;
        emit({
          ok: false,
          format: 'dsmr',
          error: { code: 'checksum', message: `CRC mismatch: telegram says ${hex4(this.crcValue)}, computed ${hex4(calc)}` },
          raw: frame,
        });
        return;
      }
    }
    const r = decodeDsmrTelegram(frame, this.crcDigits === 0 ? 'absent' : skip ? 'skipped' : 'ok', this.options, 'dsmr', text, this.layout);
    if (r.ok) this.quietLeft = 0; // a good telegram ends a failure's claim
    emit(r);
  }
}

/**
 * The shortest telegram: '/', the manufacturer and baud rate "XXX5", CR LF CR LF, one data line
 * "0-0:96.1.1()" (DSMR P1 5.0.2 6.2, 6.4), "!": more than 16 bytes whatever the meter. A "telegram"
 * that ends (cut, "!", CRC) within its first MIN_TELEGRAM bytes was none: garbage, never an error;
 * and within them "(" has no meaning (a '/' there cuts, a '!' ends, as outside parentheses). So
 * hunting can skip such starts with native searches (nextTextStart) instead of starting and ending a
 * telegram every few bytes ("/()" repeated).
 */
export const MIN_TELEGRAM = 16;

/** A reported failure claims this many telegram bytes from its start (see DsmrSplitter.reportable). */
const REPORT_QUIET = 64;

/**
 * The next text-telegram start ('/' or 0xAF) in s[from, end) worth starting, or -1. Starts
 * passed by, as garbage, with native searches only (a stream of '/' costs a few calls a chunk,
 * "/()" repeated a few a start, not a telegram started and ended every few bytes):
 *
 *   - every start before the next "(" (the first value) ends - cut by a later start, or at a "!"
 *     - before it holds a value (DsmrSplitter.holdsValue): the last of them is the one to look at.
 *     An 8-bit telegram ('/') is cut by the next '/' or a 0xDB (0xAF is just a byte in it); a 7E1
 *     one (0xAF) by a '/' (0x2F has odd parity), a 0xDB or a parity error, and after such a cut
 *     hunting resumes at that byte, so only the 0xAF before the first '(', '/' or 0xDB are passed;
 *   - a start that ends within MIN_TELEGRAM bytes: hunting goes on at what ended it (a start, or
 *     the byte after a "!"). Enders: 8-bit: '/', '!', 0xDB; 7E1: 0xAF, '/', '!', "DB 08" (a parity
 *     error ends it earlier still: garbage all the same, and no start lies between).
 * Only starts before `end` are taken (the front passes a lookahead past it); a start whose end is
 * not before `end` is taken (the splitter decides). The next position of each byte that matters
 * is searched once and kept until passed (written out: a helper call costs as much as the search).
 */
export function nextTextStart(s: string, from: number, end: number): number {
  const n = s.length;
  let slash = s.indexOf('/', from);
  if (slash < 0) slash = n;
  let parity = s.indexOf('\xaf', from);
  if (parity < 0) parity = n;
  let open = -1;
  let db = -1;
  let bang = -1;
  let db08 = -1;
  for (;;) {
    let j = slash < parity ? slash : parity;
    if (j >= end) return -1;
    const eightBit = j === slash;
    if (open <= j) {
      open = s.indexOf('(', j + 1);
      if (open < 0) open = n;
    }
    if (db <= j) {
      db = s.indexOf('\xdb', j + 1);
      if (db < 0) db = n;
    }
    // the last start before the first value (or a 0xDB, or for 7E1 a '/'), within `end`
    let limit = open < end ? open : end;
    if (db < limit) limit = db;
    if (eightBit) {
      slash = s.indexOf('/', j + 1);
      if (slash < 0) slash = n;
      if (slash < limit) {
        j = s.lastIndexOf('/', limit - 1);
        slash = s.indexOf('/', j + 1);
        if (slash < 0) slash = n;
      }
    } else {
      if (slash < limit) limit = slash;
      parity = s.indexOf('\xaf', j + 1);
      if (parity < 0) parity = n;
      if (parity < limit) {
        j = s.lastIndexOf('\xaf', limit - 1);
        parity = s.indexOf('\xaf', j + 1);
        if (parity < 0) parity = n;
      }
    }
    // does it end within MIN_TELEGRAM bytes?
    if (bang <= j) {
      bang = s.indexOf('!', j + 1);
      if (bang < 0) bang = n;
    }
    let e = bang;
    if (eightBit) {
      if (slash < e) e = slash;
      if (db < e) e = db;
    } else {
      if (parity < e) e = parity;
      if (slash < e) e = slash;
      if (db08 <= j) {
        db08 = s.indexOf('\xdb\x08', j + 1);
        if (db08 < 0) db08 = n;
      }
      if (db08 < e) e = db08;
    }
    if (e >= j + MIN_TELEGRAM || e >= end) return j;
    if (e === bang) {
      if (slash <= e) slash = s.indexOf('/', e + 1) < 0 ? n : s.indexOf('/', e + 1);
      if (parity <= e) parity = s.indexOf('\xaf', e + 1) < 0 ? n : s.indexOf('\xaf', e + 1);
    } else if (parity < e) {
      parity = s.indexOf('\xaf', e);
      if (parity < 0) parity = n;
    }
  }
}

/** What meters send between telegrams: line noise, not garbage. */
const LINE_NOISE = ['\n', '\r', '\0', ' '];
const LINE_NOISE_CODES = LINE_NOISE.map((c) => c.charCodeAt(0));

/** LINE_NOISE bytes in `b`, counted with native searches. */
function lineNoise(b: Uint8Array): number {
  let count = 0;
  for (const c of LINE_NOISE_CODES) {
    for (let k = b.indexOf(c); k >= 0; k = b.indexOf(c, k + 1)) count++;
  }
  return count;
}

/**
 * Characters of s[from, to) that are not LINE_NOISE (the garbage among skipped bytes), counted
 * with native searches for the four (a JavaScript loop over the bytes costs about 20 XS
 * computrons a byte; noise holds few of them).
 */
export function notLineNoise(s: string, from: number, to: number): number {
  let count = to - from;
  for (const c of LINE_NOISE) {
    for (let k = s.indexOf(c, from); k >= 0 && k < to; k = s.indexOf(c, k + 1)) count--;
  }
  return count;
}

/** Does the "(" group holding position `at` close before its line ends? */
function closesOnItsLine(b: Uint8Array, at: number, end: number): boolean {
  for (let p = at + 1; p < end; p++) {
    const c = b[p];
    if (c === CLOSE) return true;
    if (c === LF || c === CR) return false;
  }
  return false;
}

function hex4(v: number): string {
  const s = v.toString(16).toUpperCase();
  return '0000'.slice(s.length) + s;
}
