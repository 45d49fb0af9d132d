/**
 * The part of the XS suite that runs INSIDE both engines: the same source is bundled into the
 * XS script and imported by Node, so any difference in the printed JSON comes from the engines
 * (number formatting, string handling, typed arrays, property order, BigInt...), not from us.
 *
 * Pure: no Node, DOM or Moddable APIs (it is bundled for XS with the decoders). The decoder and
 * headroom modules are passed in, because a family whose decoder does not exist yet must still
 * let the rest of the suite run.
 */
import type { DecoderOptions, FrameResult } from '../../decoders/frame-result';
import type { MeterReading } from '../../decoders/reading';

/** The shape of decoders/meter-stream.ts that the suite relies on (the shared API in the brief). */
export interface MeterStreamLike {
  push(bytes: Uint8Array, onFrame: (result: FrameResult) => void): void;
  flush(onFrame: (result: FrameResult) => void): void;
  stats(): { bytes: number; frames: number; garbageBytes: number; errors: Record<string, number | undefined> };
  detectedFormat(): string | undefined;
}
export type MeterStreamClass = new (options?: DecoderOptions) => MeterStreamLike;

/** The shape of decoders/headroom/index.ts the suite relies on. */
export interface HeadroomModuleLike {
  defaultHeadroomSettings: unknown;
  createHeadroomState(): unknown;
  stepHeadroom(
    state: unknown,
    input: { nowMs: number; reading?: MeterReading; chargerA?: [number, number, number] },
    settings: unknown,
  ): { headroom: unknown; state: unknown };
}

/** Options as plain JSON (keys as hex) so Node can hand them to XS in a script. */
export interface VectorOptionsJson {
  encryptionKeyHex?: string;
  authenticationKeyHex?: string;
  maxFrameBytes?: number;
  skipChecksum?: boolean;
}

const HEX = '0123456789abcdef';

export function hexToBytes(hex: string): Uint8Array {
  const clean: number[] = [];
  for (let i = 0; i < hex.length; i++) {
    const c = hex.charCodeAt(i);
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (v >= 0) clean.push(v);
  }
  const out = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (clean[2 * i] << 4) | clean[2 * i + 1];
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return s;
}

export function decoderOptions(json: VectorOptionsJson): DecoderOptions {
  const o: DecoderOptions = {};
  if (json.encryptionKeyHex) o.encryptionKey = hexToBytes(json.encryptionKeyHex);
  if (json.authenticationKeyHex) o.authenticationKey = hexToBytes(json.authenticationKeyHex);
  if (json.maxFrameBytes !== undefined) o.maxFrameBytes = json.maxFrameBytes;
  if (json.skipChecksum) o.skipChecksum = true;
  return o;
}

/** One JSON line per frame: the whole result, the raw bytes as hex. */
export function frameLine(index: number, r: FrameResult): string {
  if (r.ok) {
    return JSON.stringify({ i: index, ok: true, format: r.format, reading: r.reading, rawLength: r.raw.length, raw: bytesToHex(r.raw) });
  }
  const raw = r.raw;
  return JSON.stringify({ i: index, ok: false, format: r.format, error: r.error, rawLength: raw ? raw.length : null, raw: raw ? bytesToHex(raw) : null });
}

/**
 * Feed `bytes` to a fresh MeterStream in chunks of `chunkBytes` (0 = all at once), flush, and
 * return every frame line plus a closing line with stats() and detectedFormat().
 */
export function runVector(MeterStream: MeterStreamClass, bytes: Uint8Array, options: VectorOptionsJson, chunkBytes: number): string {
  const lines: string[] = [];
  let n = 0;
  const onFrame = (r: FrameResult): void => {
    lines.push(frameLine(n++, r));
  };
  try {
    const stream = new MeterStream(decoderOptions(options));
    if (chunkBytes <= 0) stream.push(bytes, onFrame);
    else for (let i = 0; i < bytes.length; i += chunkBytes) stream.push(bytes.subarray(i, Math.min(bytes.length, i + chunkBytes)), onFrame);
    stream.flush(onFrame);
    const s = stream.stats();
    // Error counters in a fixed key order, so the line does not depend on insertion order.
    const errors: Record<string, number> = {};
    const keys = Object.keys(s.errors).sort();
    for (const k of keys) {
      const v = s.errors[k];
      if (v !== undefined) errors[k] = v;
    }
    lines.push(
      JSON.stringify({ stats: { bytes: s.bytes, frames: s.frames, garbageBytes: s.garbageBytes, errors }, detectedFormat: stream.detectedFormat() ?? null }),
    );
  } catch (e) {
    // MeterStream must never throw; record it so both engines show it (and the test fails on it).
    lines.push(JSON.stringify({ threw: String(e) }));
  }
  return lines.join('\n');
}

/** Decode only (no JSON): what the meter path costs. Returns [frames, okFrames]. */
export function decodeOnly(MeterStream: MeterStreamClass, bytes: Uint8Array, options: VectorOptionsJson): [number, number] {
  let frames = 0;
  let ok = 0;
  const onFrame = (r: FrameResult): void => {
    frames++;
    if (r.ok) ok++;
  };
  const stream = new MeterStream(decoderOptions(options));
  stream.push(bytes, onFrame);
  stream.flush(onFrame);
  return [frames, ok];
}

/** Readings for the fixed headroom scenario: 3 phases, a short list, a missing L2, a gap, export. */
export function headroomScenarioInputs(): Array<{ nowMs: number; reading?: MeterReading; chargerA?: [number, number, number] }> {
  const t0 = 1_790_000_000_000;
  const full = (i: number, a1: number, a2: number | undefined, a3: number): MeterReading => {
    const r: MeterReading = {
      protocol: 'dlms',
      listId: 'KFM_001',
      meterId: '6970631400000000',
      frameKind: 'full',
      powerImportW: Math.round((a1 + (a2 ?? 0) + a3) * 230),
      powerExportW: 0,
      l1: { currentA: a1, voltageV: 230.1 + i / 10 },
      l3: { currentA: a3, voltageV: 229.4 },
      energyImportWh: 12_345_678 + i * 7,
    };
    r.l2 = a2 === undefined ? { voltageV: 231.7 } : { currentA: a2, voltageV: 231.7 };
    return r;
  };
  const short = (w: number): MeterReading => ({ protocol: 'dlms', listId: 'KFM_001', frameKind: 'short', powerImportW: w });
  const inputs: Array<{ nowMs: number; reading?: MeterReading; chargerA?: [number, number, number] }> = [];
  inputs.push({ nowMs: t0 }); // no data yet
  inputs.push({ nowMs: t0 + 1_000, reading: full(0, 12.3, 4.05, 7.77) });
  inputs.push({ nowMs: t0 + 3_500, reading: short(5_300) });
  inputs.push({ nowMs: t0 + 6_000, reading: short(9_870) });
  inputs.push({ nowMs: t0 + 11_000, reading: full(1, 24.9, 0.01, 31.5), chargerA: [16, 16, 16] });
  inputs.push({ nowMs: t0 + 21_000, reading: full(2, 8.2, undefined, 9.1) }); // IT grid: L2 never reported
  inputs.push({ nowMs: t0 + 23_000 });
  inputs.push({ nowMs: t0 + 95_000 }); // long silence: stale
  inputs.push({ nowMs: t0 + 600_000 });
  inputs.push({
    nowMs: t0 + 601_000,
    reading: {
      protocol: 'dsmr',
      powerImportW: 0,
      powerExportW: 4_200,
      l1: { currentA: 6, powerExportW: 1_400 },
      l2: { currentA: 6.1, powerExportW: 1_400 },
      l3: { currentA: 5.9, powerExportW: 1_400 },
      tariff: 2,
    },
  });
  inputs.push({ nowMs: t0 + 602_000, reading: full(3, 0.333, 1 / 3, 2 / 3) });
  return inputs;
}

/** Run the scenario through the headroom engine; one JSON line per step. */
export function runHeadroomScenario(headroom: HeadroomModuleLike): string {
  const lines: string[] = [];
  try {
    const settings = headroom.defaultHeadroomSettings;
    let state = headroom.createHeadroomState();
    for (const input of headroomScenarioInputs()) {
      const out = headroom.stepHeadroom(state, input, settings);
      state = out.state;
      lines.push(JSON.stringify(out.headroom));
    }
    lines.push(JSON.stringify({ finalState: state }));
  } catch (e) {
    lines.push(JSON.stringify({ threw: String(e) }));
  }
  return lines.join('\n');
}
