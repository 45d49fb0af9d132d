/**
 * Throughput of the same whole path (MeterStream -> headroom -> snapshot JSON) under Node, per
 * vector family: frames per second and input MB per second. Wall-clock figures: they depend on
 * the machine (BENCHMARKS.md records which).
 */
import { loadForNode } from '../xs/bundle';
import { decoderOptions, type HeadroomModuleLike, type MeterStreamClass } from '../xs/harness-core';
import { familyOrder, type Vector } from '../xs/vector-catalog';
import { PathRunner } from './bench-core';

export interface NodeFamilyFigure {
  family: string;
  frames: number;
  seconds: number;
  framesPerSecond: number;
  megabytesPerSecond: number;
}

export function runNodeBench(vectors: Vector[], opts: { secondsPerFamily?: number } = {}): { figures: NodeFamilyFigure[]; missing?: string } {
  const seconds = opts.secondsPerFamily ?? 0.5;
  const ms = loadForNode<{ MeterStream: MeterStreamClass }>('decoders/meter-stream');
  const hr = loadForNode<HeadroomModuleLike>('decoders/headroom/index');
  if (!ms.mod) return { figures: [], missing: ms.reason };
  const figures: NodeFamilyFigure[] = [];
  for (const family of familyOrder(vectors.map((v) => v.family))) {
    const mine = vectors.filter((v) => v.family === family);
    const runners = mine.map((v) => new PathRunner(ms.mod!.MeterStream, hr.mod, decoderOptions(v.options)));
    // Warm up the JIT.
    for (let k = 0; k < 20; k++) runners.forEach((r, i) => r.feed(mine[i].bytes));
    const frames0 = runners.reduce((n, r) => n + r.frames, 0);
    let bytes = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < seconds) {
      for (let k = 0; k < 10; k++) {
        for (let i = 0; i < runners.length; i++) {
          runners[i].feed(mine[i].bytes);
          bytes += mine[i].bytes.length;
        }
      }
      elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    const frames = runners.reduce((n, r) => n + r.frames, 0) - frames0;
    figures.push({ family, frames, seconds: elapsed, framesPerSecond: frames / elapsed, megabytesPerSecond: bytes / elapsed / 1e6 });
  }
  return { figures };
}
