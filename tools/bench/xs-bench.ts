/**
 * Figures under the XS engine (the device's engine, through @agoric/xsnap's metered worker):
 * computrons per frame and per input byte for the whole path per vector family, heap slots after
 * 100 and after 10,000 frames, and reference workloads for scale.
 *
 * Computrons are XS's deterministic cost unit (roughly one per bytecode step, see xsnap's
 * metering); they do not depend on the machine, so these figures are comparable run to run.
 */
import { bundleForXs } from '../xs/bundle';
import { bytesToHex } from '../xs/harness-core';
import { familyOrder, type Vector } from '../xs/vector-catalog';
import { openXsSession } from './xs-session';
import { varyTelegram } from './vary-telegram';

/**
 * The earlier whole-path target (captures fed whole, all in JavaScript / device-projected), kept
 * as a reference; issue 13's bounds are xs.device.chunked128.decodable and xs.worstCase
 * (xs-device.ts).
 */
export const TARGET_COMPUTRONS_PER_BYTE = 40;

export interface ReferenceFigure {
  name: string;
  bytes: number;
  computronsPerByte: number;
}
export interface VectorFigure {
  name: string;
  family: string;
  bytes: number;
  framesPerPass: number;
  okFramesPerPass: number;
  computronsPerFrame: number;
  computronsPerByte: number;
  /** DSMR text that decodes: c/byte when every pass carries new values and a new CRC (vary-telegram.ts). */
  variedComputronsPerByte?: number;
  /** Device projection (device-projection.ts): per pass, computrons inside the JS CRC / AES, and the device glue that replaces them. */
  device?: { crcInside: number; aesInside: number; crcGlue: number; aesGlue: number; crcCalls: number; aesCalls: number; computronsPerByte: number };
}
export interface FamilyFigure {
  family: string;
  vectors: number;
  bytesPerPass: number;
  framesPerPass: number;
  okFramesPerPass: number;
  computronsPerFrame: number;
  computronsPerByte: number;
  /** With the device's native CRC-16 and AES-GCM (device-projection.ts). */
  deviceComputronsPerByte?: number;
  heap?: {
    harnessEvaluations: number;
    rawSlotGrowth: number;
    slotsAfter100: number;
    slotsAfter10000: number;
    slotGrowth: number;
    allocateAfter100: number;
    allocateAfter10000: number;
    allocateGrowth: number;
    frames100: number;
    frames10000: number;
  };
}
export interface ProfileFigure {
  family: string;
  stage: string;
  computrons: number;
  share: number;
}
export interface XsBenchResult {
  bundleBytes: number;
  missing: Record<string, string>;
  references: ReferenceFigure[];
  vectors: VectorFigure[];
  families: FamilyFigure[];
  average: { computronsPerByteWeighted: number; computronsPerByteMeanOfVectors: number; target: number; withinTarget: boolean } | undefined;
  /** The same average with the device's native CRC-16 and AES-GCM (device-projection.ts). */
  deviceAverage: { computronsPerByteWeighted: number; crcSavedPerByte: number; aesSavedPerByte: number; withinTarget: boolean } | undefined;
  profile: ProfileFigure[];
}

const PASSES = 5;
/** Slots xsnap-worker retains per evaluated script (tools/bench: 10 empty evaluates add 10 slots). */
export const SLOTS_PER_EVALUATE = 1;

export async function runXsBench(vectors: Vector[], opts: { heapFrames?: [number, number]; log?: (s: string) => void } = {}): Promise<XsBenchResult> {
  const log = opts.log ?? (() => undefined);
  const [small, large] = opts.heapFrames ?? [100, 10_000];
  const bundle = await bundleForXs({
    bench: 'tools/bench/bench-core',
    core: 'tools/xs/harness-core',
    ms: 'decoders/meter-stream',
    headroom: 'decoders/headroom/index',
    crcX25: 'decoders/util/crc16-x25',
    crcArc: 'decoders/util/crc16-arc',
    proj: 'tools/bench/device-projection',
  });
  const result: XsBenchResult = {
    bundleBytes: bundle.bytes,
    missing: bundle.missing,
    references: [],
    vectors: [],
    families: [],
    average: undefined,
    deviceAverage: undefined,
    profile: [],
  };
  const { xs, cost } = await openXsSession(bundle.code);
  try {
    // Inputs into XS once.
    await xs.evaluate(`globalThis.__v = []; 0`);
    for (const v of vectors) await xs.evaluate(`__v.push(__xs.core.hexToBytes(${JSON.stringify(bytesToHex(v.bytes))})); 0`);
    const all = vectors.reduce((n, v) => n + v.bytes.length, 0);
    await xs.evaluate(`globalThis.__all = new Uint8Array(${all}); { let o = 0; for (const b of __v) { __all.set(b, o); o += b.length; } } 0`);
    const dsmrIdx = vectors.map((v, i) => (v.family === 'DSMR text' ? i : -1)).filter((i) => i >= 0);
    const dsmrBytes = dsmrIdx.reduce((n, i) => n + vectors[i].bytes.length, 0);

    // References (warm once so lazily built tables are not counted).
    const refs: Array<[string, string, number]> = [
      ['bare loop (read each byte once)', '__xs.bench.bareLoop(__all)', all],
      ['table CRC-16/ARC (bench reference)', '__xs.bench.tableCrc16(__all)', all],
    ];
    if (!bundle.missing.crcX25) refs.push(['decoders/util crc16X25', '__xs.crcX25.crc16X25(__all)', all]);
    if (!bundle.missing.crcArc) refs.push(['decoders/util crc16Arc', '__xs.crcArc.crc16Arc(__all)', all]);
    if (dsmrIdx.length)
      refs.push(['naive DSMR parse + CRC (DSMR text vectors)', `for (const i of ${JSON.stringify(dsmrIdx)}) __xs.bench.naiveDsmr(__v[i])`, dsmrBytes]);
    for (const [name, code, bytes] of refs) {
      await cost(code);
      const c = await cost(code);
      result.references.push({ name, bytes, computronsPerByte: c / bytes });
      log(`xs reference: ${name}: ${(c / bytes).toFixed(1)} computrons/byte`);
    }

    if (bundle.missing.ms) return result;
    const hr = bundle.missing.headroom ? 'undefined' : '__xs.headroom';

    // Per vector: warm-up pass (first frame builds tables, locks onto a format), then PASSES passes.
    for (let i = 0; i < vectors.length; i++) {
      const v = vectors[i];
      await xs.evaluate(
        `globalThis.__r = new __xs.bench.PathRunner(__xs.ms.MeterStream, ${hr}, __xs.core.decoderOptions(${JSON.stringify(v.options)})); __r.feed(__v[${i}]); 0`,
      );
      const before = (await xs.evaluateJson<[number, number]>('[__r.frames, __r.okFrames]')).value;
      const c = await cost(`for (let k = 0; k < ${PASSES}; k++) __r.feed(__v[${i}])`);
      const after = (await xs.evaluateJson<[number, number]>('[__r.frames, __r.okFrames]')).value;
      const frames = (after[0] - before[0]) / PASSES;
      const okFrames = (after[1] - before[1]) / PASSES;
      const figure: VectorFigure = {
        name: v.name,
        family: v.family,
        bytes: v.bytes.length,
        framesPerPass: frames,
        okFramesPerPass: okFrames,
        computronsPerFrame: frames ? c / PASSES / frames : 0,
        computronsPerByte: c / PASSES / v.bytes.length,
      };
      if (!bundle.missing.proj) {
        // Same runs with the JS CRC/AES metered from inside, then the device glue for the same calls.
        const d = (
          await xs.evaluateJson<{ crcInside: number; aesInside: number; crcCalls: number; aesCalls: number; crcGlue: number; aesGlue: number }>(`(() => {
          const P = __xs.proj; const ov = P.meterOverhead(); const ledger = P.newLedger();
          const o = Object.assign(__xs.core.decoderOptions(${JSON.stringify(v.options)}), P.meteredJsNatives(ledger, ov));
          const r = new __xs.bench.PathRunner(__xs.ms.MeterStream, ${hr}, o);
          r.feed(__v[${i}]);
          const l = P.newLedger(); Object.assign(ledger, l);
          for (let k = 0; k < ${PASSES}; k++) r.feed(__v[${i}]);
          const g = P.deviceGlueCost(ledger, ov);
          return { crcInside: ledger.crcInside / ${PASSES}, aesInside: ledger.aesInside / ${PASSES}, crcCalls: ledger.crcCalls / ${PASSES}, aesCalls: ledger.aesCalls / ${PASSES}, crcGlue: g.crc / ${PASSES}, aesGlue: g.aes / ${PASSES} };
        })()`)
        ).value;
        const perPass = c / PASSES - d.crcInside - d.aesInside + d.crcGlue + d.aesGlue;
        figure.device = { ...d, computronsPerByte: perPass / v.bytes.length };
      }
      if (v.family === 'DSMR text' && okFrames > 0) {
        // The same telegram with new values each pass (a real meter's next telegrams).
        const variants = Array.from({ length: PASSES }, (_, k) => varyTelegram(v.bytes, k + 1));
        if (variants.every((x) => x !== undefined)) {
          await xs.evaluate(
            `globalThis.__var = [${variants.map((x) => `__xs.core.hexToBytes(${JSON.stringify(bytesToHex(x!))})`).join(', ')}]; globalThis.__rv = new __xs.bench.PathRunner(__xs.ms.MeterStream, ${hr}, __xs.core.decoderOptions(${JSON.stringify(v.options)})); __rv.feed(__v[${i}]); 0`,
          );
          const okBefore = (await xs.evaluateJson<number>('__rv.okFrames')).value;
          const cv = await cost(`for (let k = 0; k < ${PASSES}; k++) __rv.feed(__var[k])`);
          const okAfter = (await xs.evaluateJson<number>('__rv.okFrames')).value;
          const bytes = variants.reduce((n, x) => n + x!.length, 0);
          if (okAfter - okBefore === okFrames * PASSES) figure.variedComputronsPerByte = cv / bytes;
        }
      }
      result.vectors.push(figure);
    }
    const totalC = result.vectors.reduce((n, x) => n + x.computronsPerByte * x.bytes, 0);
    const totalB = result.vectors.reduce((n, x) => n + x.bytes, 0);
    const weighted = totalC / totalB;
    const mean = result.vectors.reduce((n, x) => n + x.computronsPerByte, 0) / result.vectors.length;
    result.average = {
      computronsPerByteWeighted: weighted,
      computronsPerByteMeanOfVectors: mean,
      target: TARGET_COMPUTRONS_PER_BYTE,
      withinTarget: weighted <= TARGET_COMPUTRONS_PER_BYTE,
    };
    if (result.vectors.every((x) => x.device)) {
      const dev = result.vectors.reduce((n, x) => n + x.device!.computronsPerByte * x.bytes, 0) / totalB;
      const crcSaved = result.vectors.reduce((n, x) => n + x.device!.crcInside - x.device!.crcGlue, 0) / totalB;
      const aesSaved = result.vectors.reduce((n, x) => n + x.device!.aesInside - x.device!.aesGlue, 0) / totalB;
      result.deviceAverage = {
        computronsPerByteWeighted: dev,
        crcSavedPerByte: crcSaved,
        aesSavedPerByte: aesSaved,
        withinTarget: dev <= TARGET_COMPUTRONS_PER_BYTE,
      };
    }

    // Per family: cost from the vectors, heap from a long run with fresh runners.
    for (const family of familyOrder(vectors.map((v) => v.family))) {
      const idx = vectors.map((v, i) => (v.family === family ? i : -1)).filter((i) => i >= 0);
      const mine = idx.map((i) => result.vectors[i]);
      const bytes = mine.reduce((n, x) => n + x.bytes, 0);
      const frames = mine.reduce((n, x) => n + x.framesPerPass, 0);
      const c = mine.reduce((n, x) => n + x.computronsPerByte * x.bytes, 0);
      const fig: FamilyFigure = {
        family,
        vectors: idx.length,
        bytesPerPass: bytes,
        framesPerPass: frames,
        okFramesPerPass: mine.reduce((n, x) => n + x.okFramesPerPass, 0),
        computronsPerFrame: frames ? c / frames : 0,
        computronsPerByte: c / bytes,
      };
      if (mine.every((x) => x.device)) fig.deviceComputronsPerByte = mine.reduce((n, x) => n + x.device!.computronsPerByte * x.bytes, 0) / bytes;
      if (frames > 0) {
        await xs.evaluate(
          `globalThis.__fr = ${JSON.stringify(idx)}.map((i, k) => new __xs.bench.PathRunner(__xs.ms.MeterStream, ${hr}, __xs.core.decoderOptions(${JSON.stringify(idx.map((i) => vectors[i].options))}[k]))); globalThis.__fi = ${JSON.stringify(idx)}.map((i) => __v[i]); 0`,
        );
        const f100 = (await xs.evaluateJson<number>(`__xs.bench.feedUntil(__fr, __fi, ${small})`)).value;
        const h100 = (await xs.evaluate('gc(); 0')).meter;
        let done = f100;
        let evaluations = 0;
        while (done < large) {
          const step = Math.min(large, done + 500);
          done = (await xs.evaluateJson<number>(`__xs.bench.feedUntil(__fr, __fi, ${step})`)).value;
          evaluations++;
          if (done < step) break; // feedUntil gave up (no frames come out)
        }
        const h10k = (await xs.evaluate('gc(); 0')).meter;
        evaluations++;
        // xsnap keeps up to one slot per evaluated script (10 empty evaluates add 10 slots, no
        // decoder code involved): growth up to the number of the harness's own evaluations is the
        // harness; slotGrowth is what is left beyond that (0 = nothing grows with the frames).
        fig.heap = {
          frames100: f100,
          frames10000: done,
          harnessEvaluations: evaluations,
          rawSlotGrowth: h10k.currentHeapCount - h100.currentHeapCount,
          slotsAfter100: h100.currentHeapCount,
          slotsAfter10000: h10k.currentHeapCount,
          slotGrowth: Math.max(0, h10k.currentHeapCount - h100.currentHeapCount - evaluations * SLOTS_PER_EVALUATE),
          allocateAfter100: h100.allocate,
          allocateAfter10000: h10k.allocate,
          allocateGrowth: h10k.allocate - h100.allocate,
        };
        await xs.evaluate('delete globalThis.__fr; delete globalThis.__fi; gc(); 0');
      }
      result.families.push(fig);
      log(
        `xs family ${family}: ${fig.computronsPerFrame.toFixed(0)} computrons/frame, ${fig.computronsPerByte.toFixed(1)} /byte${fig.heap ? `, slots ${fig.heap.slotsAfter100} -> ${fig.heap.slotsAfter10000}` : ''}`,
      );
    }
    return result;
  } finally {
    xs.close();
  }
}
