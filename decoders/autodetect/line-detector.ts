/**
 * Finding the line settings of an unknown meter: a pure state machine, no timers. The caller
 * applies current().settings to the port, feeds every received chunk with its time (ms, any
 * monotonic clock) and calls tick(now) now and then; each call returns a verdict:
 *
 *   listening   keep feeding at the current settings
 *   found       frames decode: format 'hdlc' | 'mbus' | 'dsmr' (settings are right)
 *   encrypted   frames pass their checksum but are encrypted and no (working) key is set:
 *               the settings are right, the user must enter the key
 *   next        noise at this setting: apply current().settings (already advanced) and go on
 *   silent      a whole round of candidates without a single byte: the port is probably not
 *               opened by the grid company (or not connected) - say so, keep cycling slowly
 *
 * A window per candidate lasts windowMs (default 12 s: Norwegian list 2 comes every 10 s, list 1
 * every 2 s, DSMR every 1-10 s) or ends early after noiseBytes (default 2048) bytes without one
 * frame. Decoding goes through the same MeterStream the app uses, so "found" means a frame really
 * passed its CRC and decoded. With `sharedStream` the detector keeps no MeterStream of its own:
 * the caller, which decodes the same bytes anyway, hands it every result through observe(). On
 * the device that saves a second set of frame buffers (~33 KB: HDLC, M-Bus, DLMS, DSMR). UART parity/framing counters are deliberately not used: 8E1 data
 * read as 8N1 has framing errors on half the bytes and still the right bytes, so a decoded
 * frame is the only proof that counts (the caller may still prefer the error-free parity).
 */
import type { DecoderOptions, FrameFormat, FrameResult } from '../frame-result';
import { MeterStream } from '../meter-stream';
import { LINE_CANDIDATES, type LineCandidate } from './line-candidates';

export type DetectVerdict =
  | { kind: 'listening' }
  | { kind: 'found'; format: 'hdlc' | 'mbus' | 'dsmr'; candidate: LineCandidate }
  | { kind: 'encrypted'; format: FrameFormat; candidate: LineCandidate }
  | { kind: 'next'; candidate: LineCandidate; reason: 'noise' | 'no-bytes' }
  | { kind: 'silent'; candidate: LineCandidate; message: string };

export interface LineDetectorOptions {
  candidates?: readonly LineCandidate[];
  windowMs?: number;
  noiseBytes?: number;
  decoder?: DecoderOptions;
  /** The caller decodes the bytes it feeds and passes each result to observe(). */
  sharedStream?: boolean;
}

export class LineDetector {
  private readonly candidates: readonly LineCandidate[];
  private readonly windowMs: number;
  private readonly noiseBytes: number;
  private readonly decoder: DecoderOptions;
  private index = 0;
  private windowStartMs: number | undefined;
  private windowBytes = 0;
  private silentWindows = 0;
  private stream: MeterStream | undefined;
  private readonly sharedStream: boolean;
  private verdict: DetectVerdict = { kind: 'listening' };
  private readonly onResult = (r: FrameResult): void => this.result(r);

  constructor(options: LineDetectorOptions = {}) {
    this.candidates = options.candidates ?? LINE_CANDIDATES;
    this.windowMs = options.windowMs ?? 12000;
    this.noiseBytes = options.noiseBytes ?? 2048;
    this.decoder = options.decoder ?? {};
    this.sharedStream = options.sharedStream === true;
    this.stream = this.sharedStream ? undefined : new MeterStream(this.decoder);
  }

  current(): LineCandidate {
    return this.candidates[this.index];
  }

  /** Bytes received at the current settings. */
  feed(bytes: Uint8Array, nowMs: number): DetectVerdict {
    if (this.windowStartMs === undefined) this.windowStartMs = nowMs;
    if (this.verdict.kind === 'found' || this.verdict.kind === 'encrypted') return this.verdict;
    this.windowBytes += bytes.length;
    if (this.stream) {
      this.verdict = { kind: 'listening' };
      this.stream.push(bytes, this.onResult);
    }
    if (this.verdict.kind !== 'listening') return this.verdict;
    if (this.windowBytes >= this.noiseBytes) return this.advance('noise', nowMs);
    return this.tick(nowMs);
  }

  /** Time passes (call it every second or so, with or without bytes). */
  tick(nowMs: number): DetectVerdict {
    if (this.verdict.kind === 'found' || this.verdict.kind === 'encrypted') return this.verdict;
    if (this.windowStartMs === undefined) this.windowStartMs = nowMs;
    if (nowMs - this.windowStartMs < this.windowMs) return { kind: 'listening' };
    return this.advance(this.windowBytes === 0 ? 'no-bytes' : 'noise', nowMs);
  }

  /** Move to the next candidate; its window starts now. */
  private advance(reason: 'noise' | 'no-bytes', nowMs: number): DetectVerdict {
    this.silentWindows = reason === 'no-bytes' ? this.silentWindows + 1 : 0;
    this.index = (this.index + 1) % this.candidates.length;
    this.windowStartMs = nowMs;
    this.windowBytes = 0;
    if (!this.sharedStream) this.stream = new MeterStream(this.decoder);
    if (this.silentWindows >= this.candidates.length) {
      this.silentWindows = 0;
      this.verdict = { kind: 'listening' };
      return {
        kind: 'silent',
        candidate: this.current(),
        message: 'no data at any line setting: is the meter port opened by the grid company, and the cable connected?',
      };
    }
    this.verdict = { kind: 'listening' };
    return { kind: 'next', candidate: this.current(), reason };
  }

  /** A result of the caller's own decoding of the bytes it fed (option sharedStream). */
  observe(r: FrameResult): void {
    this.result(r);
  }

  private result(r: FrameResult): void {
    if (this.verdict.kind !== 'listening') return;
    if (r.ok) {
      const f = r.format;
      if (f === 'dsmr-encrypted') this.verdict = { kind: 'found', format: 'dsmr', candidate: this.current() };
      else if (f === 'hdlc' || f === 'mbus' || f === 'dsmr') this.verdict = { kind: 'found', format: f, candidate: this.current() };
      return;
    }
    const c = r.error.code;
    if ((c === 'encrypted-no-key' || c === 'decrypt-failed') && r.format) {
      this.verdict = { kind: 'encrypted', format: r.format, candidate: this.current() };
    }
  }
}
