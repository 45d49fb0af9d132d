/**
 * Hostile-input machinery shared by the jest fuzz tests (seeded, bounded) and the long campaign
 * (`npm run fuzz`, tools/fuzz/main.ts): case generators (random bytes, mutations of every real
 * vector, lies about lengths with the checksums fixed up so the parser behind them is reached,
 * wrong keys), and the properties every case must keep:
 *
 *   no-throw      push/flush/stats never throw
 *   bounded       no buffer reachable from the stream is larger than maxFrameBytes (+16), the
 *                 retained total does not grow with the input, no frame's raw bytes exceed it
 *   well-formed   every result is { ok: true, reading } with a JSON-exact reading (no NaN,
 *                 Infinity, undefined values, typed arrays) or { ok: false, error } with a known code
 *   counts        stats().bytes equals the bytes pushed
 *   chunking      the same results whatever the chunking of the input
 *   no-new-reading  a single substituted byte in a checksum-protected capture never yields a
 *                 reading the unmutated capture did not (CRC-16 and the M-Bus sum detect every
 *                 single-byte error): the result is an error, or identical when nothing mattered
 *   no-reading    a frame decrypted with a wrong key yields no reading
 *   resync        after garbage, every reading of the capture alone still comes out, in order
 */
import type { DecoderOptions, FrameResult } from '../../decoders/frame-result';
import { decoderOptions, hexToBytes, bytesToHex, type VectorOptionsJson, type MeterStreamClass, type MeterStreamLike } from '../xs/harness-core';
import { loadVectors, type Vector } from '../xs/vector-catalog';
import { loadForNode } from '../xs/bundle';
import { mulberry32, type Rng } from '../simulate/prng';

export const KNOWN_CODES = new Set([
  'checksum',
  'missing-checksum',
  'truncated',
  'overflow',
  'malformed',
  'unsupported',
  'encrypted-no-key',
  'decrypt-failed',
  'garbage',
]);
export const BUFFER_SLACK = 16;
/**
 * The smallest buffer bound the property accepts: one M-Bus long frame (68 L L 68 + 255 + CS 16 =
 * 261 bytes) plus a little. A splitter cannot work with less than one whole frame, so a configured
 * maxFrameBytes below that is effectively raised to it.
 */
export const MIN_BUFFER_BOUND = 264;

// ---- Seeded randomness ----------------------------------------------------------------------

export type { Rng };

/** mulberry32 (the simulator's): small, fast, good enough to pick mutations; the same seed gives the same cases. */
export const rngFrom: (seed: number) => Rng = mulberry32;
export const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)];

// ---- Cases ----------------------------------------------------------------------------------

export interface Expectation {
  /** No reading may appear that the unmutated vector (c.vector) does not give through the same target. */
  onlyVectorReadings?: boolean;
  /** Every reading of the unmutated vector (c.vector) must come out, in order (resync). */
  allVectorReadings?: boolean;
  /** No reading at all (wrong key, binary garbage). */
  noReadings?: boolean;
}

export interface FuzzCase {
  kind: string;
  bytes: Uint8Array;
  options: VectorOptionsJson;
  /** Chunk sizes used in turn for the chunked run (the whole-input run is always done too). */
  chunks: number[];
  vector?: string;
  expect: Expectation;
}

export interface Target {
  name: string;
  /** Which vector families this target is meant to read (a splitter is fed its own format). */
  accepts(family: string): boolean;
  /** Make a fresh stream-like object (MeterStream, or a splitter with push/flush). */
  make(options: DecoderOptions): Pick<MeterStreamLike, 'push' | 'flush'> & Partial<Pick<MeterStreamLike, 'stats'>>;
}

export function meterStreamTarget(MeterStream: MeterStreamClass): Target {
  return { name: 'MeterStream', accepts: () => true, make: (o) => new MeterStream(o) };
}

type SplitterClass = new (o?: DecoderOptions) => Pick<MeterStreamLike, 'push' | 'flush'>;

/** The splitters behind the front, each fuzzed on its own (those that exist and have push/flush). */
export function splitterTargets(): Target[] {
  const list: Array<[string, string, (family: string) => boolean]> = [
    ['DsmrSplitter', 'decoders/dsmr/splitter', (f) => f === 'DSMR text'],
    ['HdlcSplitter', 'decoders/hdlc/hdlc-splitter', (f) => f.startsWith('HDLC') || f === 'encrypted DLMS'],
    ['MbusSplitter', 'decoders/mbus/mbus-splitter', (f) => f.startsWith('M-Bus')],
    // 0xDB glo-ciphering without a link layer: fed every capture that carries one.
    ['BareDlmsSplitter', 'decoders/dlms/bare-dlms-splitter', (f) => f === 'encrypted DLMS' || f === 'encrypted DSMR' || f.startsWith('M-Bus')],
  ];
  const out: Target[] = [];
  for (const [name, path, accepts] of list) {
    const m = loadForNode<Record<string, unknown>>(path).mod;
    const C = m?.[name] as SplitterClass | undefined;
    if (typeof C === 'function' && typeof C.prototype.push === 'function' && typeof C.prototype.flush === 'function')
      out.push({ name, accepts, make: (o) => new C(o) });
  }
  return out;
}

// ---- Running and checking -------------------------------------------------------------------

interface Run {
  results: FrameResult[];
  threw?: string;
  bytesCounted?: number;
  garbageBytes?: number;
  largestBuffer: number;
  retained: number;
  retainedFresh: number;
}

/** Sizes of what an object graph holds: the largest byte buffer / array / string, and the sum. */
export function retainedSizes(root: unknown): { largest: number; total: number } {
  const seen = new Set<unknown>();
  let largest = 0;
  let total = 0;
  const visit = (v: unknown, depth: number): void => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') {
      total += v.length;
      largest = Math.max(largest, v.length);
      return;
    }
    if (typeof v !== 'object' || seen.has(v) || depth > 8) return;
    seen.add(v);
    // Byte buffers are what frames are kept in; wider typed arrays are fixed-size tables (the
    // GCM multiplication tables built once per key, CRC tables), not buffers that follow the input.
    if (v instanceof Uint8Array) {
      total += v.byteLength;
      largest = Math.max(largest, v.byteLength);
      return;
    }
    if (ArrayBuffer.isView(v)) return;
    if (Array.isArray(v)) {
      largest = Math.max(largest, v.length);
      total += v.length;
    }
    if (v instanceof Map || v instanceof Set) {
      largest = Math.max(largest, v.size);
      total += v.size;
    }
    for (const k of Object.getOwnPropertyNames(v)) {
      let child: unknown;
      try {
        child = (v as Record<string, unknown>)[k];
      } catch {
        continue;
      }
      visit(child, depth + 1);
    }
  };
  visit(root, 0);
  return { largest, total };
}

function runOnce(target: Target, c: FuzzCase, chunked: boolean): Run {
  const results: FrameResult[] = [];
  const onFrame = (r: FrameResult): void => {
    results.push(r);
  };
  let stream: ReturnType<Target['make']> | undefined;
  let retainedFresh = 0;
  try {
    stream = target.make(decoderOptions(c.options));
    retainedFresh = retainedSizes(stream).total;
    if (!chunked) stream.push(c.bytes, onFrame);
    else {
      let k = 0;
      for (let i = 0; i < c.bytes.length;) {
        const n = Math.max(1, c.chunks[k++ % c.chunks.length]);
        stream.push(c.bytes.subarray(i, i + n), onFrame);
        i += n;
      }
    }
    const sizes = retainedSizes(stream);
    stream.flush(onFrame);
    const stats = stream.stats ? stream.stats() : undefined;
    return { results, bytesCounted: stats?.bytes, garbageBytes: stats?.garbageBytes, largestBuffer: sizes.largest, retained: sizes.total, retainedFresh };
  } catch (e) {
    return { results, threw: e instanceof Error ? `${e.name}: ${e.message}` : String(e), largestBuffer: 0, retained: 0, retainedFresh };
  }
}

/** A reading as a canonical string (the decoder's own key order: same decoder, same order). */
export function readingKey(r: FrameResult): string | undefined {
  return r.ok ? JSON.stringify(r.reading) : undefined;
}

function resultKey(r: FrameResult): string {
  return r.ok ? `ok ${r.format} ${JSON.stringify(r.reading)}` : `err ${r.format ?? '-'} ${r.error.code}`;
}

function jsonExact(value: unknown, path: string, out: string[]): void {
  if (value === undefined) {
    out.push(`${path} is undefined`);
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push(`${path} is ${value}`);
    return;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return;
  if (typeof value !== 'object') {
    out.push(`${path} is a ${typeof value}`);
    return;
  }
  if (ArrayBuffer.isView(value)) {
    out.push(`${path} is a typed array`);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    out.push(`${path} is a class instance`);
    return;
  }
  for (const [k, v] of Object.entries(value)) jsonExact(v, `${path}.${k}`, out);
}

/** Every property violated by a case, as human-readable strings (empty = all hold). */
export function checkCase(target: Target, c: FuzzCase, configured = c.options.maxFrameBytes ?? 4096): string[] {
  const maxFrameBytes = Math.max(configured, MIN_BUFFER_BOUND);
  const v: string[] = [];
  const whole = runOnce(target, c, false);
  if (whole.threw) return [`no-throw: ${target.name} threw ${whole.threw}`];
  const chunked = runOnce(target, c, true);
  if (chunked.threw) return [`no-throw: ${target.name} threw ${chunked.threw} (chunks ${c.chunks.join(',')})`];

  for (const run of [whole, chunked]) {
    if (run.largestBuffer > maxFrameBytes + BUFFER_SLACK) v.push(`bounded: a buffer of ${run.largestBuffer} bytes is held (maxFrameBytes ${maxFrameBytes})`);
    if (run.retained > run.retainedFresh + 2 * maxFrameBytes + 1024)
      v.push(`bounded: retained ${run.retained} after the input, ${run.retainedFresh} when fresh`);
    if (run.bytesCounted !== undefined && run.bytesCounted !== c.bytes.length) v.push(`counts: stats().bytes ${run.bytesCounted}, pushed ${c.bytes.length}`);
    for (const r of run.results) {
      if (r.raw && r.raw.length > maxFrameBytes + BUFFER_SLACK) v.push(`bounded: a ${r.ok ? 'reading' : r.error.code} carries ${r.raw.length} raw bytes`);
      if (r.ok) {
        if (r.reading.protocol !== 'dsmr' && r.reading.protocol !== 'dlms') v.push(`well-formed: protocol ${String(r.reading.protocol)}`);
        const bad: string[] = [];
        jsonExact(r.reading, 'reading', bad);
        if (bad.length) v.push(`well-formed: ${bad.slice(0, 3).join('; ')}`);
      } else if (!r.error || !KNOWN_CODES.has(r.error.code) || typeof r.error.message !== 'string') {
        v.push(`well-formed: error ${JSON.stringify(r.error)}`);
      }
    }
  }
  // Readings and frame errors must not depend on how the bytes were chunked. 'garbage' reports
  // and stats().garbageBytes are left out: MeterStream counts garbage per chunk while unlocked
  // (the least any hunter skipped in that chunk, by design), so that figure follows the chunks.
  // For MeterStream only readings are compared: while unlocked it holds P1 complaints until the
  // end of a chunk and drops them when a HAN frame is in progress there (by design), so which
  // errors it reports follows the chunks. A splitter's errors must not.
  const keep = (r: FrameResult): boolean => r.ok || (target.name !== 'MeterStream' && r.error.code !== 'garbage');
  const a = whole.results.filter(keep).map(resultKey);
  const b = chunked.results.filter(keep).map(resultKey);
  if (a.join('\n') !== b.join('\n')) {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    v.push(`chunking: result ${i} differs: whole ${(a[i] ?? 'none').slice(0, 120)} / chunked ${(b[i] ?? 'none').slice(0, 120)}`);
  }
  const readings = whole.results.map(readingKey).filter((x): x is string => x !== undefined);
  if (c.expect.noReadings && readings.length) v.push(`no-reading: ${readings.length} reading(s) from ${c.kind}: ${readings[0].slice(0, 160)}`);
  if (c.expect.onlyVectorReadings || c.expect.allVectorReadings) {
    const vec = c.vector ? loadVectors().find((x) => x.name === c.vector) : undefined;
    if (!vec) v.push(`expectation: vector ${c.vector} not found`);
    else {
      const original = cachedBaseline(target, vec);
      if (c.expect.onlyVectorReadings) {
        const allowed = new Set(original);
        const fresh = readings.filter((r) => !allowed.has(r));
        if (fresh.length) v.push(`no-new-reading: ${fresh.length} reading(s) not in the unmutated capture: ${fresh[0].slice(0, 200)}`);
      }
      if (c.expect.allVectorReadings) {
        let k = 0;
        for (const r of readings) if (k < original.length && r === original[k]) k++;
        if (k < original.length) v.push(`resync: reading ${k + 1} of ${original.length} of the capture did not come out after the garbage`);
      }
    }
  }
  return v;
}

// ---- Knowledge of the formats (for mutations that reach behind the checksums) ---------------

function crc16X25(b: Uint8Array, start: number, end: number): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= b[i];
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return (crc ^ 0xffff) & 0xffff;
}

function crc16Arc(b: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= b[i];
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export interface HdlcFrame {
  start: number;
  end: number;
  header: Uint8Array;
  info: Uint8Array;
  segmented: boolean;
}

/** HDLC frames (type 3, valid FCS) found in a capture: [start, end) includes both flags. */
export function findHdlcFrames(b: Uint8Array): HdlcFrame[] {
  const out: HdlcFrame[] = [];
  for (let i = 0; i + 9 < b.length; i++) {
    if (b[i] !== 0x7e || (b[i + 1] & 0xf0) !== 0xa0) continue;
    const len = ((b[i + 1] & 0x07) << 8) | b[i + 2];
    const end = i + 1 + len;
    if (len < 7 || end >= b.length || b[end] !== 0x7e) continue;
    const fcs = crc16X25(b, i + 1, end - 2);
    if (b[end - 2] !== (fcs & 0xff) || b[end - 1] !== fcs >> 8) continue;
    let p = i + 3;
    while (p < end && !(b[p] & 1)) p++; // destination address
    p++;
    while (p < end && !(b[p] & 1)) p++; // source address
    p++;
    p++; // control
    const headerEnd = p; // HCS follows when there is information
    if (headerEnd + 2 >= end - 2) continue;
    out.push({ start: i, end: end + 1, header: b.slice(i + 3, headerEnd), info: b.slice(headerEnd + 2, end - 2), segmented: (b[i + 1] & 0x08) !== 0 });
    i = end - 1;
  }
  return out;
}

/** Build an HDLC frame with correct length, HCS and FCS around any information field. */
export function buildHdlcFrame(header: Uint8Array, info: Uint8Array, segmented: boolean): Uint8Array {
  const len = 2 + header.length + 2 + info.length + 2;
  const f = new Uint8Array(len + 2);
  f[0] = 0x7e;
  f[1] = 0xa0 | (segmented ? 0x08 : 0) | ((len >> 8) & 0x07);
  f[2] = len & 0xff;
  f.set(header, 3);
  const hcsAt = 3 + header.length;
  const hcs = crc16X25(f, 1, hcsAt);
  f[hcsAt] = hcs & 0xff;
  f[hcsAt + 1] = hcs >> 8;
  f.set(info, hcsAt + 2);
  const fcsAt = hcsAt + 2 + info.length;
  const fcs = crc16X25(f, 1, fcsAt);
  f[fcsAt] = fcs & 0xff;
  f[fcsAt + 1] = fcs >> 8;
  f[fcsAt + 2] = 0x7e;
  return f;
}

export interface MbusFrame {
  start: number;
  end: number;
  body: Uint8Array;
}

/** M-Bus long frames with a valid checksum: 68 L L 68 body(L) CS 16. */
export function findMbusFrames(b: Uint8Array): MbusFrame[] {
  const out: MbusFrame[] = [];
  for (let i = 0; i + 6 < b.length; i++) {
    if (b[i] !== 0x68 || b[i + 3] !== 0x68 || b[i + 1] !== b[i + 2]) continue;
    const l = b[i + 1];
    const end = i + 4 + l + 2;
    if (end > b.length || b[end - 1] !== 0x16) continue;
    let sum = 0;
    for (let k = i + 4; k < i + 4 + l; k++) sum = (sum + b[k]) & 0xff;
    if (sum !== b[i + 4 + l]) continue;
    out.push({ start: i, end, body: b.slice(i + 4, i + 4 + l) });
    i = end - 1;
  }
  return out;
}

export function buildMbusFrame(body: Uint8Array, lengthLie?: number): Uint8Array {
  const l = lengthLie ?? body.length;
  const f = new Uint8Array(body.length + 6);
  f[0] = 0x68;
  f[1] = l & 0xff;
  f[2] = l & 0xff;
  f[3] = 0x68;
  f.set(body, 4);
  let sum = 0;
  for (const x of body) sum = (sum + x) & 0xff;
  f[4 + body.length] = sum;
  f[5 + body.length] = 0x16;
  return f;
}

/** DSMR telegram '/'..'!' followed by 4 hex CRC digits: where, for a fix-up after mutation. */
export function findDsmrTelegram(b: Uint8Array): { start: number; bang: number; hasCrc: boolean } | undefined {
  const start = b.indexOf(0x2f);
  if (start < 0) return undefined;
  const bang = b.indexOf(0x21, start);
  if (bang < 0) return undefined;
  let hasCrc = bang + 4 < b.length;
  for (let k = 1; k <= 4 && hasCrc; k++) {
    const c = b[bang + k];
    hasCrc = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
  }
  return { start, bang, hasCrc };
}

/** Recompute the DSMR CRC of a (mutated) telegram in place. */
export function fixDsmrCrc(b: Uint8Array, start: number, bang: number): void {
  const crc = crc16Arc(b, start, bang + 1)
    .toString(16)
    .toUpperCase()
    .padStart(4, '0');
  for (let k = 0; k < 4; k++) b[bang + 1 + k] = crc.charCodeAt(k);
}

/**
 * Is every byte of this capture covered by a checksum the target checks? Not for a capture that
 * is broken already (one substituted byte can repair it), and not for BareDlmsSplitter, which has
 * no checksum of its own (the GCM tag only when a key and a tag are there).
 */
export function checksumProtected(v: Vector, targetName = 'MeterStream'): boolean {
  if (v.broken || targetName === 'BareDlmsSplitter') return false;
  // A telegram whose stored CRC is wrong (specification examples) is not a valid codeword: some
  // single-byte changes make the CRC match by coincidence (CRC-16 detects every single-byte error
  // of a VALID frame, it does not keep an invalid one invalid).
  const crossCheck = (v.sidecar.cross_check as { values?: { crc_ok?: boolean } } | undefined)?.values;
  if (crossCheck?.crc_ok === false) return false;
  if (v.family === 'DSMR text') {
    const t = findDsmrTelegram(v.bytes);
    return !!t && t.hasCrc;
  }
  return true; // HDLC FCS, M-Bus sum, or (encrypted P1) GCM tag / inner DSMR CRC
}

// ---- Mutations ------------------------------------------------------------------------------

const MARKERS = [0x7e, 0x2f, 0x21, 0x68, 0x16, 0xdb, 0x0d, 0x0a, 0xa0, 0x00, 0xff];

export function randomBytes(rng: Rng, n: number, markerBias = 0.1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng() < markerBias ? pick(rng, MARKERS) : int(rng, 256);
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function randomChunks(rng: Rng): number[] {
  const n = 1 + int(rng, 5);
  return Array.from({ length: n }, () => pick(rng, [1, 2, 3, 7, 16, 64, 255, 1 + int(rng, 600)]));
}

/** A DLMS length as the wire writes it, including forms that overflow. */
function lyingLength(rng: Rng): number[] {
  return pick(rng, [
    [0x00],
    [0x01],
    [0x7f],
    [0x80],
    [0x81, 0xff],
    [0x82, 0xff, 0xff],
    [0x82, 0x7f, 0xff],
    [0x83, 0xff, 0xff, 0xff],
    [0x84, 0xff, 0xff, 0xff, 0xff],
    [0x84, 0x7f, 0xff, 0xff, 0xff],
    [0x88, 1, 2, 3, 4, 5, 6, 7, 8],
    [0xff],
    [int(rng, 256)],
  ]);
}

/** Rewrite one A-XDR length/count (after an array, structure, octet-string, visible-string or glo-ciphering tag) in an information field. */
function lieInAxdr(rng: Rng, info: Uint8Array): Uint8Array {
  const spots: number[] = [];
  for (let i = 0; i + 1 < info.length; i++)
    if (info[i] === 0x01 || info[i] === 0x02 || info[i] === 0x09 || info[i] === 0x0a || info[i] === 0xdb || info[i] === 0x13) spots.push(i + 1);
  if (!spots.length) return info;
  const at = pick(rng, spots);
  // Replace the length (one byte, or 0x81/0x82 forms) with the lie.
  let oldLen = 1;
  if (info[at] === 0x81) oldLen = 2;
  else if (info[at] === 0x82) oldLen = 3;
  return concat(info.subarray(0, at), Uint8Array.from(lyingLength(rng)), info.subarray(Math.min(info.length, at + oldLen)));
}

export interface VectorBaseline {
  vector: Vector;
  readings: string[];
}

const baselineCache = new WeakMap<Target, Map<string, string[]>>();

function cachedBaseline(target: Target, v: Vector): string[] {
  let m = baselineCache.get(target);
  if (!m) baselineCache.set(target, (m = new Map()));
  let r = m.get(v.name);
  if (!r) m.set(v.name, (r = baselineReadings(target, v)));
  return r;
}

/** Readings of a capture through a fresh stream, as canonical strings. */
export function baselineReadings(target: Target, v: Vector): string[] {
  const out: string[] = [];
  const s = target.make(decoderOptions(v.options));
  const on = (r: FrameResult): void => {
    const k = readingKey(r);
    if (k) out.push(k);
  };
  s.push(v.bytes, on);
  s.flush(on);
  return out;
}

export const KINDS = [
  'random',
  'flip',
  'edit',
  'garbage-resync',
  'hdlc-length-lie',
  'axdr-length-lie',
  'mbus-length-lie',
  'dsmr-content',
  'wrong-key',
  'small-buffer',
] as const;
export type Kind = (typeof KINDS)[number];

/** One case of the given kind (falls back to 'edit' when the vector has nothing for it). */
export function makeCase(rng: Rng, kind: Kind, base: VectorBaseline, targetName = 'MeterStream'): FuzzCase {
  const v = base.vector;
  const b = v.bytes;
  const chunks = randomChunks(rng);
  const mk = (k: string, bytes: Uint8Array, expect: Expectation = {}, options: VectorOptionsJson = v.options): FuzzCase => ({
    kind: k,
    bytes,
    options,
    chunks,
    vector: v.name,
    expect,
  });

  switch (kind) {
    case 'random':
      return { kind, bytes: randomBytes(rng, int(rng, 3000), rng() * 0.3), options: rng() < 0.5 ? {} : v.options, chunks, expect: {} };
    case 'flip': {
      const m = b.slice();
      const at = int(rng, m.length);
      m[at] ^= 1 + int(rng, 255);
      return mk(kind, m, checksumProtected(v, targetName) ? { onlyVectorReadings: true } : {});
    }
    case 'edit': {
      let m: Uint8Array = b.slice();
      const edits = 1 + int(rng, 4);
      for (let e = 0; e < edits && m.length > 1; e++) {
        const at = int(rng, m.length);
        const n = 1 + int(rng, 16);
        const op = int(rng, 5);
        if (op === 0)
          m = concat(m.subarray(0, at), m.subarray(Math.min(m.length, at + n))); // drop
        else if (op === 1)
          m = concat(m.subarray(0, at + n), m.subarray(at, Math.min(m.length, at + n)), m.subarray(at + n)); // duplicate
        else if (op === 2)
          m = m.slice(0, at); // truncate
        else if (op === 3)
          m = concat(m.subarray(0, at), randomBytes(rng, n, 0.3), m.subarray(at)); // insert
        else m[at] ^= 1 + int(rng, 255);
      }
      return mk(kind, m);
    }
    case 'garbage-resync': {
      const before = randomBytes(rng, int(rng, 400), 0.2);
      const after = randomBytes(rng, int(rng, 50), 0.05);
      // Also: a truncated copy of the capture itself right before it.
      const cut = rng() < 0.5 ? b.slice(0, int(rng, b.length)) : new Uint8Array(0);
      // CR LF after the capture: a DSMR 2.2/3 telegram has no CRC, so bytes glued right after its
      // '!' would be read as one (real meters always end the line).
      return mk(kind, concat(before, cut, b, Uint8Array.of(0x0d, 0x0a), after), { allVectorReadings: true });
    }
    case 'hdlc-length-lie': {
      const frames = findHdlcFrames(b);
      if (!frames.length) return makeCase(rng, 'edit', base, targetName);
      const f = pick(rng, frames);
      const m = b.slice();
      const len = pick(rng, [0, 1, 6, 7, 8, int(rng, 2048), 2047, (((m[f.start + 1] & 7) << 8) | m[f.start + 2]) + pick(rng, [-2, -1, 1, 2])]);
      m[f.start + 1] = (m[f.start + 1] & 0xf8) | ((len >> 8) & 7);
      m[f.start + 2] = len & 0xff;
      if (rng() < 0.5) {
        // fix the HCS so the lie gets past the header check
        const hl = 3 + f.header.length;
        const hcs = crc16X25(m, f.start + 1, f.start + hl);
        m[f.start + hl] = hcs & 0xff;
        m[f.start + hl + 1] = hcs >> 8;
      }
      return mk(kind, m);
    }
    case 'axdr-length-lie': {
      const frames = findHdlcFrames(b);
      if (frames.length) {
        const f = pick(rng, frames);
        const info = lieInAxdr(rng, f.info);
        return mk(kind, concat(b.subarray(0, f.start), buildHdlcFrame(f.header, info, f.segmented), b.subarray(f.end)));
      }
      const mf = findMbusFrames(b);
      if (mf.length) {
        const f = pick(rng, mf);
        const body = lieInAxdr(rng, f.body).subarray(0, 255);
        return mk(kind, concat(b.subarray(0, f.start), buildMbusFrame(body), b.subarray(f.end)));
      }
      return makeCase(rng, 'dsmr-content', base, targetName);
    }
    case 'mbus-length-lie': {
      const mf = findMbusFrames(b);
      if (!mf.length) return makeCase(rng, 'hdlc-length-lie', base, targetName);
      const f = pick(rng, mf);
      const lie = pick(rng, [0, 1, 2, 3, 5, f.body.length - 1, f.body.length + 1, 255, int(rng, 256)]);
      return mk(kind, concat(b.subarray(0, f.start), buildMbusFrame(f.body, lie), b.subarray(f.end)));
    }
    case 'dsmr-content': {
      const t = findDsmrTelegram(b);
      if (!t || !t.hasCrc) return makeCase(rng, 'edit', base, targetName);
      const m = b.slice();
      const n = 1 + int(rng, 8);
      for (let k = 0; k < n; k++) {
        const at = t.start + 1 + int(rng, t.bang - t.start - 1);
        m[at] = rng() < 0.5 ? pick(rng, [0x28, 0x29, 0x2a, 0x3a, 0x2e, 0x0d, 0x0a, 0x30, 0x39, 0x2d, 0x45, 0x65]) : int(rng, 256);
      }
      fixDsmrCrc(m, t.start, t.bang);
      return mk(kind, m);
    }
    case 'wrong-key': {
      if (!v.options.encryptionKeyHex) return makeCase(rng, 'flip', base, targetName);
      const key = bytesToHex(randomBytes(rng, 16, 0));
      const options: VectorOptionsJson = { ...v.options, encryptionKeyHex: key };
      if (rng() < 0.5 && options.authenticationKeyHex) options.authenticationKeyHex = bytesToHex(randomBytes(rng, 16, 0));
      return mk(kind, b, { noReadings: true }, options);
    }
    case 'small-buffer': {
      // Small but sane bounds (a telegram header must fit): a frame larger than the bound must
      // come out as 'overflow' and never grow a buffer.
      const maxFrameBytes = pick(rng, [64, 100, 128, 200, 256, 300, 512, 1024]);
      return mk(kind, concat(b, randomBytes(rng, int(rng, 200), 0.3), b), {}, { ...v.options, maxFrameBytes });
    }
  }
}

// ---- Findings files -------------------------------------------------------------------------

export interface Finding {
  case: FuzzCase;
  violations: string[];
  seed?: number;
  index?: number;
}

export function findingText(f: Finding): string {
  const head = [
    `# fuzz finding: ${f.violations.join(' | ').replace(/\n/g, ' ')}`,
    `# kind ${f.case.kind}${f.case.vector ? `, from vector ${f.case.vector}` : ''}${f.seed !== undefined ? `, seed ${f.seed}, case ${f.index}` : ''}`,
    `# vector: ${f.case.vector ?? ''}`,
    `# options: ${JSON.stringify(f.case.options)}`,
    `# chunks: ${JSON.stringify(f.case.chunks)}`,
    `# expect: ${JSON.stringify(f.case.expect)}`,
  ];
  const hex = bytesToHex(f.case.bytes).toUpperCase();
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 64) lines.push(hex.slice(i, i + 64).replace(/(..)(?!$)/g, '$1 '));
  return head.join('\n') + '\n' + lines.join('\n') + '\n';
}

export function parseFinding(text: string, name: string): FuzzCase {
  const meta = (key: string): string | undefined => {
    const m = new RegExp(`^# ${key}: (.*)$`, 'm').exec(text);
    return m ? m[1] : undefined;
  };
  const body = text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join(' ');
  return {
    kind: name,
    vector: meta('vector') || undefined,
    bytes: hexToBytes(body),
    options: JSON.parse(meta('options') ?? '{}') as VectorOptionsJson,
    chunks: JSON.parse(meta('chunks') ?? '[1]') as number[],
    expect: JSON.parse(meta('expect') ?? '{}') as Expectation,
  };
}
