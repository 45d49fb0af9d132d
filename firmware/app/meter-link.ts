/**
 * The meter side of the app: bytes in -> MeterStream -> frame results, with the counters,
 * recent raw frames and the link diagnosis the page shows ("no data: is the port opened?").
 *
 * Meter garbage never stops anything: MeterStream never throws by contract, and this class
 * still guards the call so a decoder bug costs one chunk, not the app.
 */
import { MeterStream } from '../../decoders/meter-stream';
import type { DecoderOptions, FrameFormat, FrameResult } from '../../decoders/frame-result';
import type { DecodeErrorCode } from '../../decoders/reading';
import { bytesToHex } from './util/bytes';

export type LinkState = 'starting' | 'no-data' | 'no-frames' | 'ok' | 'stale';

export interface LinkDiagnosis {
  state: LinkState;
  /** What a person should check, when something is wrong. */
  hint?: string;
}

export interface RawFrameRecord {
  timeMs: number;
  ok: boolean;
  format?: FrameFormat;
  error?: string;
  errorCode?: DecodeErrorCode;
  bytes: number;
  hex: string;
  truncated?: boolean;
}

/**
 * What the ring keeps of a frame: its first rawHexMaxBytes bytes, copied. The hex text is made
 * only when the diagnostics ask (recentFrames): 16 frames of 512 bytes are 8 KB as bytes but
 * ~24 KB as "xx " text, which the device held in XS chunks at all times (sim:memory).
 */
interface RingEntry {
  timeMs: number;
  ok: boolean;
  format?: FrameFormat;
  error?: string;
  errorCode?: DecodeErrorCode;
  bytes: number;
  head: Uint8Array | undefined;
}

export interface LinkOptions {
  /** With no byte for this long the link is "no-data". */
  noDataAfterMs: number;
  /** Bytes arrive but no frame decoded for this long: "no-frames". */
  noFrameAfterMs: number;
  rawRingSize: number;
  rawHexMaxBytes: number;
}

export const defaultLinkOptions: LinkOptions = { noDataAfterMs: 15000, noFrameAfterMs: 30000, rawRingSize: 16, rawHexMaxBytes: 512 };

export const HINT_NO_DATA =
  "no data from the meter: check the cable (RJ45 for HAN, RJ12 for P1), and ask your grid company to open the meter's HAN/P1 port (often closed until you ask).";
export const HINT_NO_FRAMES =
  'bytes arrive but no frame decodes: the line settings are probably wrong. In Settings, set "Serial line" to "detect automatically", or to your meter\'s (HAN: 2400 8E1, P1: 115200 8N1).';

/** Frame and byte counters of the meter link (snapshot `frames`). */
export interface LinkCounters {
  bytes: number;
  frames: number;
  errors: number;
  garbageBytes: number;
  errorsByKind: Partial<Record<DecodeErrorCode, number>>;
  lastByteAgeS?: number;
  lastFrameAgeS?: number;
}

export class MeterLink {
  private stream: MeterStream;
  private readonly startedMs: number;
  private bytes = 0;
  private frames = 0;
  private garbageBase = 0;
  private readonly errors: Partial<Record<DecodeErrorCode, number>> = {};
  private lastByteMs: number | undefined;
  private lastFrameMs: number | undefined;
  private lastErrorCode: DecodeErrorCode | undefined;
  private format: FrameFormat | undefined;
  private ring: RingEntry[] = [];

  constructor(
    private options: DecoderOptions,
    nowMs: number,
    private readonly linkOptions: LinkOptions = defaultLinkOptions,
  ) {
    this.stream = new MeterStream(options);
    this.startedMs = nowMs;
  }

  /** New keys: a fresh stream (a partial frame in the old one is dropped on purpose). */
  setDecoderOptions(options: DecoderOptions): void {
    this.garbageBase += this.safeStats().garbageBytes;
    this.options = options;
    this.stream = new MeterStream(options);
  }

  /** `onResult` (optional) sees every result, errors too (the line detection uses it). */
  push(bytes: Uint8Array, nowMs: number, onReading: (result: FrameResult & { ok: true }) => void, onResult?: (result: FrameResult) => void): void {
    if (bytes.length === 0) return;
    this.bytes += bytes.length;
    this.lastByteMs = nowMs;
    const handle = (result: FrameResult): void => {
      this.record(result, nowMs);
      onResult?.(result);
      if (result.ok) onReading(result);
    };
    try {
      this.stream.push(bytes, handle);
    } catch (e) {
      // Contract says push never throws; if a decoder bug does, count it and start clean.
      this.countError('malformed');
      this.setDecoderOptions(this.options);
    }
  }

  private record(result: FrameResult, nowMs: number): void {
    if (result.ok) {
      this.frames++;
      this.lastFrameMs = nowMs;
      this.format = result.format;
    } else {
      this.countError(result.error.code);
      this.lastErrorCode = result.error.code;
    }
    // Garbage runs are counted, not kept: they would push real frames out of the ring.
    if (!result.ok && result.error.code === 'garbage') return;
    const raw = result.raw;
    const record: RingEntry = {
      timeMs: nowMs,
      ok: result.ok,
      bytes: raw ? raw.length : 0,
      head: raw ? raw.slice(0, this.linkOptions.rawHexMaxBytes) : undefined,
    };
    if (result.format) record.format = result.format;
    if (!result.ok) {
      record.error = result.error.message;
      record.errorCode = result.error.code;
    }
    this.ring.push(record);
    if (this.ring.length > this.linkOptions.rawRingSize) this.ring.shift();
  }

  private countError(code: DecodeErrorCode): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  private safeStats(): { garbageBytes: number } {
    try {
      return this.stream.stats();
    } catch {
      return { garbageBytes: 0 };
    }
  }

  detectedFormat(): FrameFormat | undefined {
    return this.format;
  }

  /**
   * sourceProblem: what the byte source reported while it is not open (a serial port that does not
   * exist or may not be opened, a bridge that refuses): that is the cause, said at once, instead of
   * a guess about the meter after the no-data delay.
   */
  diagnose(nowMs: number, sourceProblem?: string): LinkDiagnosis {
    if (sourceProblem !== undefined) return { state: 'no-data', hint: sourceProblem };
    const sinceStart = nowMs - this.startedMs;
    if (this.lastByteMs === undefined) {
      return sinceStart >= this.linkOptions.noDataAfterMs ? { state: 'no-data', hint: HINT_NO_DATA } : { state: 'starting' };
    }
    if (nowMs - this.lastByteMs >= this.linkOptions.noDataAfterMs) {
      return { state: 'no-data', hint: this.lastFrameMs === undefined ? HINT_NO_DATA : 'the meter stopped sending: check the cable and the meter port.' };
    }
    if (this.lastFrameMs === undefined || nowMs - this.lastFrameMs >= this.linkOptions.noFrameAfterMs) {
      if (this.lastFrameMs === undefined && sinceStart < this.linkOptions.noFrameAfterMs) return { state: 'starting' };
      return { state: this.lastFrameMs === undefined ? 'no-frames' : 'stale', hint: this.errorHint() };
    }
    return { state: 'ok' };
  }

  private errorHint(): string {
    switch (this.lastErrorCode) {
      case 'encrypted-no-key':
        return 'frames arrive encrypted: enter the encryption key from your grid company in Settings.';
      case 'decrypt-failed':
        return 'frames arrive encrypted and do not decrypt: check the encryption (and authentication) key.';
      case 'checksum':
        return 'frames arrive with checksum errors: check the line settings, the cable and the interface (some M-Bus adapters drop bytes).';
      default:
        return HINT_NO_FRAMES;
    }
  }

  counters(nowMs: number): LinkCounters {
    let errorTotal = 0;
    const byKind: Partial<Record<DecodeErrorCode, number>> = {};
    for (const key of Object.keys(this.errors) as DecodeErrorCode[]) {
      byKind[key] = this.errors[key];
      errorTotal += this.errors[key] ?? 0;
    }
    const out: LinkCounters = {
      bytes: this.bytes,
      frames: this.frames,
      errors: errorTotal,
      garbageBytes: this.garbageBase + this.safeStats().garbageBytes,
      errorsByKind: byKind,
    };
    if (this.lastByteMs !== undefined) out.lastByteAgeS = Math.round((nowMs - this.lastByteMs) / 100) / 10;
    if (this.lastFrameMs !== undefined) out.lastFrameAgeS = Math.round((nowMs - this.lastFrameMs) / 100) / 10;
    return out;
  }

  recentFrames(): RawFrameRecord[] {
    return this.ring.map((r) => {
      const out: RawFrameRecord = { timeMs: r.timeMs, ok: r.ok, bytes: r.bytes, hex: r.head ? bytesToHex(r.head, ' ') : '' };
      if (r.bytes > this.linkOptions.rawHexMaxBytes) out.truncated = true;
      if (r.format !== undefined) out.format = r.format;
      if (r.error !== undefined) out.error = r.error;
      if (r.errorCode !== undefined) out.errorCode = r.errorCode;
      return out;
    });
  }

  framesDecoded(): number {
    return this.frames;
  }

  hasFrames(): boolean {
    return this.lastFrameMs !== undefined;
  }
}
