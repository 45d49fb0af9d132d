/**
 * The benchmark's workload, pure so the same code runs under Node and is bundled for XS:
 *   - PathRunner: the whole path a device runs per frame: MeterStream (splitter + decoder) ->
 *     headroom step -> snapshot JSON.stringify.
 *   - reference workloads that put the XS computron figures on a scale: a bare loop touching each
 *     byte, a table CRC-16, a naive DSMR parse + CRC.
 */
import type { DecoderOptions, FrameResult } from '../../decoders/frame-result';
import type { MeterReading } from '../../decoders/reading';
import { asciiTextWith } from '../../decoders/util/native-ascii';
import type { HeadroomModuleLike, MeterStreamClass, MeterStreamLike } from '../xs/harness-core';

/**
 * The natives the device passes its decoders (firmware/moddable/platform/decoder-natives.ts) that
 * this engine also has: a TextDecoder (global in Node and xsnap, Moddable's text/decoder on the
 * device). xsnap has no CRC or AES natives, so those run in JavaScript here (the bench reports
 * their share separately).
 */
export function withEngineNatives(options: DecoderOptions): DecoderOptions {
  const TD = (globalThis as { TextDecoder?: new () => { decode(b: Uint8Array): string } }).TextDecoder;
  return TD === undefined ? options : { ...options, asciiText: asciiTextWith(new TD()) };
}

export class PathRunner {
  frames = 0;
  okFrames = 0;
  snapshotChars = 0;
  /**
   * Optional meter (xsnap's resetMeter read, see xs-device.ts): when set, the computrons spent in
   * the headroom step and in the snapshot JSON are added up (minus `meterOverhead` per read pair).
   */
  meter: (() => number) | undefined = undefined;
  meterOverhead = 0;
  headroomInside = 0;
  snapshotInside = 0;
  private readonly stream: MeterStreamLike;
  private readonly headroom: HeadroomModuleLike | undefined;
  private state: unknown;
  private nowMs = 1_790_000_000_000;
  private readonly onFrame: (r: FrameResult) => void;
  /** "mm:ss" for every second of an hour (made here, outside the measured passes). */
  private readonly minuteSecond: string[] = [];

  constructor(MeterStream: MeterStreamClass, headroom: HeadroomModuleLike | undefined, options: DecoderOptions) {
    this.stream = new MeterStream(withEngineNatives(options));
    this.headroom = headroom;
    this.state = headroom ? headroom.createHeadroomState() : undefined;
    this.onFrame = (r: FrameResult): void => this.frame(r);
    for (let s = 0; s < 3600; s++) this.minuteSecond.push(`${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`);
  }

  feed(bytes: Uint8Array): void {
    this.stream.push(bytes, this.onFrame);
  }

  /** The bytes in chunks of `chunk` (the ESP32 UART delivers ~120-byte reads). */
  feedChunked(bytes: Uint8Array, chunk: number): void {
    const n = bytes.length;
    for (let at = 0; at < n; at += chunk) this.stream.push(bytes.subarray(at, at + chunk < n ? at + chunk : n), this.onFrame);
  }

  /** The stream's own buffered state (for heap checks). */
  stats(): ReturnType<MeterStreamLike['stats']> {
    return this.stream.stats();
  }

  private frame(r: FrameResult): void {
    this.frames++;
    this.nowMs += 2_500;
    let snapshot: string;
    if (r.ok) {
      this.okFrames++;
      let headroom: unknown;
      // A capture fed again carries its old meter time, which the headroom engine rightly takes
      // for a repeated frame (the cheap held path). A meter's next frame has a new time: give
      // each frame its own minute and second within the hour (about 60 computrons, counted).
      const t = r.reading.meterTime;
      if (t !== undefined && t.length >= 19 && t.charCodeAt(13) === 58)
        r.reading.meterTime = t.slice(0, 14) + this.minuteSecond[this.frames % 3600] + t.slice(19);
      const meter = this.meter;
      if (this.headroom) {
        const t0 = meter === undefined ? 0 : meter();
        const out = this.headroom.stepHeadroom(this.state, { nowMs: this.nowMs, reading: r.reading }, this.headroom.defaultHeadroomSettings);
        if (meter !== undefined) this.headroomInside += meter() - t0 - this.meterOverhead;
        this.state = out.state;
        headroom = out.headroom;
      }
      const t1 = meter === undefined ? 0 : meter();
      snapshot = JSON.stringify({ type: 'snapshot', timeMs: this.nowMs, format: r.format, reading: r.reading, headroom });
      if (meter !== undefined) this.snapshotInside += meter() - t1 - this.meterOverhead;
    } else {
      const meter = this.meter;
      const t1 = meter === undefined ? 0 : meter();
      snapshot = JSON.stringify({ type: 'frame-error', timeMs: this.nowMs, format: r.format, error: r.error });
      if (meter !== undefined) this.snapshotInside += meter() - t1 - this.meterOverhead;
    }
    this.snapshotChars += snapshot.length;
  }
}

/** Feed each capture to its runner `times` times; returns frames seen. */
export function feedRounds(runners: PathRunner[], inputs: Uint8Array[], times: number): number {
  let before = 0;
  for (const r of runners) before += r.frames;
  for (let t = 0; t < times; t++) for (let i = 0; i < runners.length; i++) runners[i].feed(inputs[i]);
  let after = 0;
  for (const r of runners) after += r.frames;
  return after - before;
}

/** Feed captures round-robin until the runners together have seen at least `frames` frames. */
export function feedUntil(runners: PathRunner[], inputs: Uint8Array[], frames: number): number {
  let total = 0;
  for (const r of runners) total += r.frames;
  let guard = 0;
  while (total < frames && guard++ < 1_000_000) {
    for (let i = 0; i < runners.length && total < frames; i++) {
      const before = runners[i].frames;
      runners[i].feed(inputs[i]);
      total += runners[i].frames - before;
    }
  }
  return total;
}

// ---- Reference workloads ------------------------------------------------------------------

/** The least any decoder can do: read every byte once. */
export function bareLoop(bytes: Uint8Array): number {
  let sum = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) sum += bytes[i];
  return sum;
}

let crcTable: Uint16Array | undefined;

/** Table-driven CRC-16/ARC (the DSMR checksum; X.25 has the same cost), table built once. */
export function tableCrc16(bytes: Uint8Array): number {
  let t = crcTable;
  if (!t) {
    t = new Uint16Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let b = 0; b < 8; b++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
      t[i] = c;
    }
    crcTable = t;
  }
  let crc = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]) & 0xff];
  return crc;
}

/**
 * Naive DSMR: one pass from '/' to '!' that updates the CRC and, after each '(', reads a decimal
 * number digit by digit (no strings, no tables besides the CRC's). What a straightforward
 * single-pass parser costs.
 */
export function naiveDsmr(bytes: Uint8Array): number {
  const start = bytes.indexOf(0x2f);
  if (start < 0) return 0;
  tableCrc16(bytes.subarray(0, 0));
  const t = crcTable as Uint16Array;
  let crc = 0;
  let sum = 0;
  let inValue = false;
  let value = 0;
  let scale = 0;
  const n = bytes.length;
  for (let i = start; i < n; i++) {
    const c = bytes[i];
    crc = (crc >>> 8) ^ t[(crc ^ c) & 0xff];
    if (c === 0x21) break;
    if (inValue) {
      if (c >= 0x30 && c <= 0x39) {
        value = value * 10 + (c - 0x30);
        if (scale) scale *= 10;
        continue;
      }
      if (c === 0x2e) {
        scale = 1;
        continue;
      }
      sum += scale ? value / scale : value;
      inValue = false;
    } else if (c === 0x28) {
      inValue = true;
      value = 0;
      scale = 0;
    }
  }
  return sum + crc;
}

export type { MeterReading };
