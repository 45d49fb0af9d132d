/**
 * The P1 (DSMR) part of the splitter front, moved out of meter-stream.ts unchanged in behaviour
 * (written with the DSMR decoders): it hunts for a frame start and hands bytes to one splitter.
 *
 *   '/' (0x2F), or 0xAF ('/' with a 7E1 parity bit)  -> DSMR text telegram  (dsmr/splitter.ts)
 *   0xDB (general-glo-ciphering)                      -> encrypted P1       (dsmr/encrypted-splitter.ts)
 *
 * Between frames it hunts itself and counts what it skips: a run of skipped bytes is reported
 * once as a 'garbage' error when the next frame starts (or at flush, or when the run reaches
 * maxFrameBytes, so a wrong baud rate shows up without waiting forever). The CR LF that DSMR
 * meters send between telegrams is not garbage. Never throws on bad bytes.
 */
import type { DecoderOptions, FrameResult } from './frame-result';
import { DsmrSplitter } from './dsmr/splitter';
import { textOf } from './util/ascii';
import { EncryptedDsmrSplitter } from './dsmr/encrypted-splitter';

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
    const n = bytes.length;
    // One text view of the chunk (native when the platform gives one): String.indexOf is nearly
    // free under XS, Uint8Array.indexOf costs 8 computrons per byte scanned (and a miss scans to
    // the end of the chunk).
    const s = text !== undefined ? text : textOf(this.options, bytes);
    let i = 0;
    while (i < n) {
      if (this.active === TEXT) {
        i = this.text.feed(bytes, i, emit, s);
        if (!this.text.busy()) this.active = IDLE;
        // A 7E1 telegram ended by "DB 08" split across chunks gives back the 0xDB (encrypted start).
        const dbBack = this.text.takeRejected();
        if (dbBack !== undefined) this.push(dbBack, emit);
        continue;
      }
      if (this.active === ENCRYPTED) {
        i = this.encrypted.feed(bytes, i, emit);
        if (!this.encrypted.busy()) this.active = IDLE;
        // A header rejected across a chunk boundary gives back the bytes it had taken from
        // earlier chunks: hunt in them first (they come before bytes[i..]).
        const back = this.encrypted.takeRejected();
        if (back !== undefined) this.push(back, emit);
        continue;
      }
      const j = nextStart(s, i);
      const end = j < 0 ? n : j;
      for (let k = i; k < end; k++) {
        const c = bytes[k];
        // CR/LF/NUL/space between frames are line noise, not garbage.
        if (c !== 0x0a && c !== 0x0d && c !== 0x00 && c !== 0x20) {
          this.garbageBytes++;
          this.garbageRun++;
          if (this.garbageRun >= this.maxFrameBytes) this.reportGarbage(emit);
        }
      }
      if (j < 0) return;
      this.reportGarbage(emit);
      this.active = bytes[j] === 0xdb ? ENCRYPTED : TEXT;
      i = j;
    }
  }

  flush(emit: (result: FrameResult) => void): void {
    if (this.active === TEXT) this.text.flush(emit);
    else if (this.active === ENCRYPTED) this.encrypted.flush(emit);
    this.active = IDLE;
    this.reportGarbage(emit);
  }

  private reportGarbage(emit: (r: FrameResult) => void): void {
    if (this.garbageRun === 0) return;
    const run = this.garbageRun;
    this.garbageRun = 0;
    emit({ ok: false, error: { code: 'garbage', message: `${run} bytes outside any frame skipped` } });
  }
}

/** Index of the next byte that can start a frame we route ('/', 0xAF, 0xDB), or -1. */
function nextStart(s: string, from: number): number {
  let j = s.indexOf('/', from);
  const p = s.indexOf('\xaf', from);
  if (p >= 0 && (j < 0 || p < j)) j = p;
  const e = s.indexOf('\xdb', from);
  if (e >= 0 && (j < 0 || e < j)) j = e;
  return j;
}
