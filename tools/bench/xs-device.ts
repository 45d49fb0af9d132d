/**
 * The two figures issue 13 bounds, under the XS engine with the device's natives projected as in
 * xs-bench.ts (device-projection.ts: the JavaScript CRC-16 and AES-GCM computrons taken out, the
 * device glue for the same calls put in):
 *
 *   xs.device.chunked128.decodable.computronsPerByte   (bound 60)
 *     the whole path (MeterStream -> headroom step -> snapshot JSON.stringify) with the bytes
 *     pushed 128 at a time (an ESP32 UART read is ~120 bytes), byte-weighted over the captures
 *     that decode (at least one frame; not the specification examples whose CRC fails);
 *     its headroom share (computrons inside stepHeadroom) and snapshot share reported apart;
 *   xs.worstCase.computronsPerByte                      (bound 150)
 *     the most expensive of the hostile inputs (hostile-inputs.ts) through the same path, each
 *     on a fresh stream (and some after a real capture locked the stream onto its format).
 *
 * Each input: one warm-up pass (the stream locks, keys are prepared), then PASSES measured passes
 * on the same runner; the projection is a second run of the same passes with the JS CRC / AES
 * metered from inside. The headroom is the engine on this branch.
 */
import { bundleForXs } from '../xs/bundle';
import { bytesToHex } from '../xs/harness-core';
import type { Vector } from '../xs/vector-catalog';
import type { XsWorker } from '../xs/xsnap-driver';
import { openXsSession } from './xs-session';
import { hostileInputs, type HostileInput } from './hostile-inputs';

export const CHUNK = 128;
export const DECODABLE_BOUND = 60;
export const WORST_CASE_BOUND = 150;
const PASSES = 3;
const HOSTILE_PASSES = 2;

export interface DevicePathFigure {
  name: string;
  bytes: number;
  frames: number;
  okFrames: number;
  /** Projected computrons per input byte, whole path. */
  computronsPerByte: number;
  /** The measured (all JavaScript) figure it was projected from. */
  jsComputronsPerByte: number;
  headroomComputronsPerByte: number;
  snapshotComputronsPerByte: number;
}

export interface DeviceFigures {
  chunked128: {
    decodable: {
      computronsPerByte: number;
      bound: number;
      withinBound: boolean;
      vectors: number;
      bytes: number;
      /** Shares of computronsPerByte: inside stepHeadroom, inside the snapshot JSON.stringify, the rest (splitters and decoders). */
      headroomComputronsPerByte: number;
      snapshotComputronsPerByte: number;
      decodeComputronsPerByte: number;
      perVector: DevicePathFigure[];
    };
  };
  worstCase: {
    computronsPerByte: number;
    bound: number;
    withinBound: boolean;
    input: string;
    inputs: number;
    /** Every hostile input, most expensive first. */
    ranking: DevicePathFigure[];
  };
}

interface RunResult {
  plain: number;
  crcInside: number;
  aesInside: number;
  crcGlue: number;
  aesGlue: number;
  headroom: number;
  snapshot: number;
  frames: number;
  okFrames: number;
}

async function measure(
  xs: XsWorker,
  input: string,
  prime: string,
  optionsJson: string,
  passes: number,
  cost: (code: string) => Promise<number>,
): Promise<RunResult> {
  // plain passes: the cost as the device's JavaScript would run it (JS CRC and AES)
  await xs.evaluate(
    `globalThis.__r = new __xs.bench.PathRunner(__xs.ms.MeterStream, __xs.headroom, __xs.core.decoderOptions(${optionsJson})); ${prime ? `__r.feedChunked(${prime}, ${CHUNK}); ` : ''}__r.feedChunked(${input}, ${CHUNK}); globalThis.__f0 = [__r.frames, __r.okFrames]; 0`,
  );
  const plain = await cost(`for (let k = 0; k < ${passes}; k++) __r.feedChunked(${input}, ${CHUNK})`);
  const counts = (await xs.evaluateJson<[number, number]>('[__r.frames - __f0[0], __r.okFrames - __f0[1]]')).value;
  // the same passes with the JS natives metered from inside, the device glue, the headroom and snapshot shares
  const d = (
    await xs.evaluateJson<Omit<RunResult, 'plain' | 'frames' | 'okFrames'>>(`(() => {
    const P = __xs.proj; const ov = P.meterOverhead(); const ledger = P.newLedger();
    const o = Object.assign(__xs.core.decoderOptions(${optionsJson}), P.meteredJsNatives(ledger, ov));
    const r = new __xs.bench.PathRunner(__xs.ms.MeterStream, __xs.headroom, o);
    ${prime ? `r.feedChunked(${prime}, ${CHUNK});` : ''}
    r.feedChunked(${input}, ${CHUNK});
    Object.assign(ledger, P.newLedger());
    r.meter = __meterNow; r.meterOverhead = ov;
    for (let k = 0; k < ${passes}; k++) r.feedChunked(${input}, ${CHUNK});
    const g = P.deviceGlueCost(ledger, ov);
    return { crcInside: ledger.crcInside, aesInside: ledger.aesInside, crcGlue: g.crc, aesGlue: g.aes, headroom: r.headroomInside, snapshot: r.snapshotInside };
  })()`)
  ).value;
  return { plain, ...d, frames: counts[0], okFrames: counts[1] };
}

function figure(name: string, bytesPerPass: number, passes: number, r: RunResult): DevicePathFigure {
  const total = passes * bytesPerPass;
  const projected = r.plain - r.crcInside - r.aesInside + r.crcGlue + r.aesGlue;
  return {
    name,
    bytes: bytesPerPass,
    frames: r.frames / passes,
    okFrames: r.okFrames / passes,
    computronsPerByte: projected / total,
    jsComputronsPerByte: r.plain / total,
    headroomComputronsPerByte: r.headroom / total,
    snapshotComputronsPerByte: r.snapshot / total,
  };
}

export interface DeviceFigureOptions {
  log?: (s: string) => void;
  /** false: no worst-case search. */
  hostile?: boolean;
  /** false: no decodable figure (while tuning the worst case). */
  decodable?: boolean;
  /** Only the hostile inputs whose name contains this. */
  hostileFilter?: string;
}

export async function runDeviceFigures(vectors: Vector[], opts: DeviceFigureOptions = {}): Promise<DeviceFigures> {
  const log = opts.log ?? (() => undefined);
  const bundle = await bundleForXs({
    bench: 'tools/bench/bench-core',
    core: 'tools/xs/harness-core',
    ms: 'decoders/meter-stream',
    headroom: 'decoders/headroom/index',
    proj: 'tools/bench/device-projection',
  });
  for (const [m, why] of Object.entries(bundle.missing)) throw new Error(`module ${m} missing from the XS bundle: ${why}`);
  const { xs, cost } = await openXsSession(bundle.code);
  try {
    // Captures that decode, 128 bytes at a time.
    const perVector: DevicePathFigure[] = [];
    for (const v of opts.decodable === false ? [] : vectors) {
      await xs.evaluate(`globalThis.__in = __xs.core.hexToBytes(${JSON.stringify(bytesToHex(v.bytes))}); 0`);
      const r = await measure(xs, '__in', '', JSON.stringify(v.options), PASSES, cost);
      if (r.okFrames === 0) continue;
      const f = figure(v.name, v.bytes.length, PASSES, r);
      perVector.push(f);
      log(`device chunked128 ${v.name}: ${f.computronsPerByte.toFixed(1)} c/byte (headroom ${f.headroomComputronsPerByte.toFixed(1)})`);
    }
    const bytes = perVector.reduce((n, f) => n + f.bytes, 0);
    const weighted = (k: keyof DevicePathFigure): number => (bytes === 0 ? 0 : perVector.reduce((n, f) => n + (f[k] as number) * f.bytes, 0) / bytes);
    const cpb = weighted('computronsPerByte');
    const headroom = weighted('headroomComputronsPerByte');
    const snapshot = weighted('snapshotComputronsPerByte');
    const figures: DeviceFigures = {
      chunked128: {
        decodable: {
          computronsPerByte: cpb,
          bound: DECODABLE_BOUND,
          withinBound: cpb <= DECODABLE_BOUND,
          vectors: perVector.length,
          bytes,
          headroomComputronsPerByte: headroom,
          snapshotComputronsPerByte: snapshot,
          decodeComputronsPerByte: cpb - headroom - snapshot,
          perVector,
        },
      },
      worstCase: { computronsPerByte: 0, bound: WORST_CASE_BOUND, withinBound: true, input: '', inputs: 0, ranking: [] },
    };
    if (opts.hostile === false) return figures;

    // The worst case over the hostile inputs.
    const filter = opts.hostileFilter;
    const inputs: HostileInput[] = hostileInputs(vectors).filter((h) => filter === undefined || h.name.includes(filter));
    const ranking: DevicePathFigure[] = [];
    for (const h of inputs) {
      await xs.evaluate(
        `globalThis.__in = __xs.core.hexToBytes(${JSON.stringify(bytesToHex(h.bytes))}); globalThis.__prime = ${h.prime ? `__xs.core.hexToBytes(${JSON.stringify(bytesToHex(h.prime))})` : 'undefined'}; 0`,
      );
      const r = await measure(xs, '__in', h.prime ? '__prime' : '', JSON.stringify(h.options ?? {}), HOSTILE_PASSES, cost);
      const f = figure(h.name, h.bytes.length, HOSTILE_PASSES, r);
      ranking.push(f);
      log(`hostile ${h.name}: ${f.computronsPerByte.toFixed(1)} c/byte`);
    }
    ranking.sort((a, b) => b.computronsPerByte - a.computronsPerByte);
    const worst = ranking.length > 0 ? ranking[0].computronsPerByte : 0;
    figures.worstCase = {
      computronsPerByte: worst,
      bound: WORST_CASE_BOUND,
      withinBound: worst <= WORST_CASE_BOUND,
      input: ranking.length > 0 ? ranking[0].name : '',
      inputs: ranking.length,
      ranking,
    };
    return figures;
  } finally {
    xs.close();
  }
}
