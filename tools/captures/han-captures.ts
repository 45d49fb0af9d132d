/**
 * Test helper for the HAN-meters captures:
 * - hosttests/vectors/han/amsreader-firmware/: wire captures that decode (swept by hosttests/han too);
 * - hosttests/vectors/han-nokey/<source>/: wire captures whose key was never published (link layer
 *   only: lengths, checksums, segment joining, glo-ciphering header);
 * - hosttests/han-meters/apdus/<source>/: decrypted data-notification APDUs without link layer
 *   (the plaintexts the sources printed), for the list shapes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DecoderOptions, FrameResult } from '../../decoders/frame-result';
import type { MeterReading } from '../../decoders/reading';
import { MeterStream } from '../../decoders/meter-stream';
import { decodeRawApdu } from '../../decoders/dlms/raw-apdu';
import { parseHexText } from '../../decoders/util/hex';

export const VECTORS = join(__dirname, '..', '..', 'hosttests', 'vectors');
export const APDUS = join(__dirname, '..', '..', 'hosttests', 'han-meters', 'apdus');

export interface Capture {
  name: string;
  bytes: Uint8Array;
  sidecar: any;
}

/** Every .hex (with its .json) directly inside `dir`, sorted by name. */
export function capturesIn(dir: string): Capture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.hex$/, ''),
      bytes: parseHexText(readFileSync(join(dir, f), 'utf8')),
      sidecar: JSON.parse(readFileSync(join(dir, f.replace(/\.hex$/, '.json')), 'utf8')),
    }));
}

export function capture(dir: string, name: string): Capture {
  const c = capturesIn(dir).find((x) => x.name === name);
  if (!c) throw new Error(`no capture ${name} in ${dir}`);
  return c;
}

/** Value at a dotted reading path ('l1.currentA'). */
export function at(o: unknown, path: string): unknown {
  let v = o;
  for (const k of path.split('.')) v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[k];
  return v;
}

/** 'ok' or the error code of each result. */
export function codes(rs: FrameResult[]): string[] {
  return rs.map((r) => (r.ok ? 'ok' : r.error.code));
}

/** Feed `bytes` in chunks of the given sizes (cycled), collect every result including flush. */
export function feed(
  splitter: { push(b: Uint8Array, emit: (r: FrameResult) => void): void; flush(emit: (r: FrameResult) => void): void },
  bytes: Uint8Array,
  chunk = bytes.length,
): FrameResult[] {
  const out: FrameResult[] = [];
  const emit = (r: FrameResult) => out.push(r);
  for (let at = 0; at < bytes.length; at += chunk) splitter.push(bytes.subarray(at, at + chunk), emit);
  splitter.flush(emit);
  return out;
}

/** Every result of a whole wire capture fed through a MeterStream (the device's front). */
export function streamResults(bytes: Uint8Array, options: DecoderOptions = {}): FrameResult[] {
  const s = new MeterStream(options);
  const out: FrameResult[] = [];
  s.push(bytes, (r) => out.push(r));
  s.flush((r) => out.push(r));
  return out.filter((r) => r.ok || r.error.code !== 'garbage');
}

/** The one reading a capture decodes to (throws with the errors otherwise). */
export function onlyReading(results: FrameResult[]): MeterReading {
  const ok = results.filter((r) => r.ok);
  if (ok.length !== 1 || ok.length !== results.length) {
    throw new Error(`expected one reading, got ${results.map((r) => (r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`)).join(', ')}`);
  }
  return (ok[0] as { reading: MeterReading }).reading;
}

/** A wire capture in hosttests/vectors/<dir> through a MeterStream, keys from its sidecar. */
export function vectorReading(dir: string, name: string): MeterReading {
  const c = capture(join(VECTORS, ...dir.split('/')), name);
  const enc = c.sidecar.encryption;
  const options: DecoderOptions = {};
  if (enc?.ek) options.encryptionKey = parseHexText(enc.ek);
  return onlyReading(streamResults(c.bytes, options));
}

/** A raw APDU in hosttests/han-meters/apdus/<dir> through the raw-APDU entry (no link layer). */
export function apduReading(dir: string, name: string): MeterReading {
  return onlyReading(decodeRawApdu(capture(join(APDUS, ...dir.split('/')), name).bytes));
}

/** Every path the sidecar's expected_reading names, as [actual, expected]; a null there means "absent". */
export function expectedPaths(reading: MeterReading, expected: Record<string, unknown>): { path: string; value: unknown }[][] {
  return Object.entries(expected).map(([path, value]) => [
    { path, value: at(reading, path) },
    { path, value: value === null ? undefined : value },
  ]);
}
