/**
 * `npm run bench`: figures, not a test.
 *
 *   npm run bench                 XS computrons and heap per vector family + Node throughput
 *   npm run bench -- --json       the same as one JSON document on stdout
 *   npm run bench -- --app        also the PC app: pty -> WebSocket latency and memory (needs socat)
 *   npm run bench -- --profile    also where the XS computrons go (splitter / parser / CRC / JSON)
 *   npm run bench -- --quick      heap check after 100 and 1,000 frames instead of 10,000
 *   npm run bench -- --filter S   only the vectors whose name or family contains S (while tuning one path)
 *   npm run bench -- --xs-only    skip the Node throughput table
 *   npm run bench -- --no-hostile skip the worst-case search (xs.worstCase)
 *   npm run bench -- --device-only only issue 13's two device figures (seconds, not minutes; with
 *                                 --no-hostile about ten seconds: while tuning the device path)
 *
 * Always reported (xs-device.ts), the two figures issue 13 bounds: xs.device.chunked128.decodable
 * (whole path, 128-byte chunks, device natives projected, captures that decode; bound 60
 * computrons per byte) and xs.worstCase (the most expensive hostile input; bound 150).
 *
 * BENCHMARKS.md records the figures with the machine they came from.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { loadVectors } from '../xs/vector-catalog';
import { runNodeBench } from './node-bench';
import { runXsBench, TARGET_COMPUTRONS_PER_BYTE } from './xs-bench';
import { runXsProfile } from './xs-profile';
import { runDeviceFigures } from './xs-device';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const withApp = args.includes('--app');
const withProfile = args.includes('--profile');
const quick = args.includes('--quick');
const xsOnly = args.includes('--xs-only');
const hostile = !args.includes('--no-hostile');
const deviceOnly = args.includes('--device-only');
const filterAt = args.indexOf('--filter');
const filter = filterAt >= 0 ? args[filterAt + 1] : undefined;

function machine(): Record<string, unknown> {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    /* not Linux */
  }
  return { nproc: cpus().length, cpu, node: process.version, platform: `${process.platform} ${process.arch}`, date: new Date().toISOString() };
}

function fmt(n: number, d = 1): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function printDevice(device: Awaited<ReturnType<typeof runDeviceFigures>>): void {
  const d = device.chunked128.decodable;
  console.log(
    `\nXS device, whole path, ${128}-byte chunks, captures that decode (${d.vectors}, ${d.bytes} bytes): ${fmt(d.computronsPerByte)} computrons/byte (bound ${d.bound}: ${d.withinBound ? 'within' : 'ABOVE'}); headroom step ${fmt(d.headroomComputronsPerByte)}, snapshot JSON ${fmt(d.snapshotComputronsPerByte)}, splitters and decoders ${fmt(d.decodeComputronsPerByte)}`,
  );
  if (hostile) {
    const w = device.worstCase;
    console.log(
      `XS device, worst case over ${w.inputs} hostile inputs: ${fmt(w.computronsPerByte)} computrons/byte (bound ${w.bound}: ${w.withinBound ? 'within' : 'ABOVE'}) for "${w.input}"`,
    );
    for (const r of w.ranking.slice(0, 10)) console.log(`  ${fmt(r.computronsPerByte).padStart(9)}  ${r.name}`);
  }
}

async function main(): Promise<void> {
  const log = asJson ? (): void => undefined : (s: string): void => console.log(s);
  const vectors = filter ? loadVectors().filter((v) => v.name.includes(filter) || v.family.includes(filter)) : loadVectors();
  if (vectors.length === 0) throw new Error(`no vector matches --filter ${filter}`);
  const doc: Record<string, unknown> = { machine: machine(), vectors: vectors.length };
  if (!asJson) console.log(`machine: ${JSON.stringify(doc.machine)}\nvectors: ${vectors.length}\n`);

  if (deviceOnly) {
    const device = await runDeviceFigures(vectors, { hostile });
    doc.xs = { device: { chunked128: device.chunked128 }, worstCase: device.worstCase };
    if (asJson) console.log(JSON.stringify(doc, null, 2));
    else printDevice(device);
    return;
  }
  const xs = await runXsBench(vectors, { heapFrames: quick ? [100, 1_000] : [100, 10_000] });
  doc.xs = xs;
  if (!asJson) {
    for (const [m, why] of Object.entries(xs.missing)) console.log(`(module ${m} missing: ${why})`);
    console.log('XS reference workloads (computrons per input byte):');
    for (const r of xs.references) console.log(`  ${r.name.padEnd(44)} ${fmt(r.computronsPerByte).padStart(8)}`);
    console.log('\nXS whole path per family (MeterStream + headroom + snapshot JSON.stringify):');
    console.log(
      `  ${'family'.padEnd(22)} ${'vectors'.padStart(7)} ${'frames'.padStart(6)} ${'ok'.padStart(4)} ${'c/frame'.padStart(10)} ${'c/byte'.padStart(7)} ${'device'.padStart(7)}   heap slots after N frames (growth)`,
    );
    for (const f of xs.families) {
      const h = f.heap
        ? `${f.heap.slotsAfter100} @${f.heap.frames100} -> ${f.heap.slotsAfter10000} @${f.heap.frames10000} (+${f.heap.rawSlotGrowth} slots, harness evaluations ${f.heap.harnessEvaluations}: ${f.heap.slotGrowth ? `+${f.heap.slotGrowth} beyond` : 'none from the path'}; +${f.heap.allocateGrowth} bytes allocated)`
        : '-';
      console.log(
        `  ${f.family.padEnd(22)} ${String(f.vectors).padStart(7)} ${String(f.framesPerPass).padStart(6)} ${String(f.okFramesPerPass).padStart(4)} ${fmt(f.computronsPerFrame, 0).padStart(10)} ${fmt(f.computronsPerByte).padStart(7)} ${(f.deviceComputronsPerByte === undefined ? '-' : fmt(f.deviceComputronsPerByte)).padStart(7)}   ${h}`,
      );
    }
    if (xs.average) {
      console.log(
        `\nXS average over all ${xs.vectors.length} vectors: ${fmt(xs.average.computronsPerByteWeighted)} computrons/byte (all bytes / all computrons; mean of per-vector figures ${fmt(xs.average.computronsPerByteMeanOfVectors)}), each capture fed whole; the earlier target ${TARGET_COMPUTRONS_PER_BYTE}: ${xs.average.withinTarget ? 'within' : 'above'} (issue 13's bounds: the XS device figures below)`,
      );
      const varied = xs.vectors.filter((v) => v.variedComputronsPerByte !== undefined);
      if (varied.length) {
        const b = varied.reduce((n, v) => n + v.bytes, 0);
        const same = varied.reduce((n, v) => n + v.computronsPerByte * v.bytes, 0) / b;
        const diff = varied.reduce((n, v) => n + v.variedComputronsPerByte! * v.bytes, 0) / b;
        console.log(
          `DSMR text that decodes (${varied.length} vectors): ${fmt(same)} c/byte feeding the same telegram each pass, ${fmt(diff)} with new values and CRC each pass (tools/bench/vary-telegram.ts)`,
        );
      }
      if (xs.deviceAverage) {
        const d = xs.deviceAverage;
        console.log(
          `XS average with the device's native CRC-16 and AES-GCM (projected: JS CRC/AES computrons taken out, the device glue for the same calls metered in): ${fmt(d.computronsPerByteWeighted)} computrons/byte (native CRC saves ${fmt(d.crcSavedPerByte)}, native AES-GCM ${fmt(d.aesSavedPerByte)}), the earlier target ${TARGET_COMPUTRONS_PER_BYTE}: ${d.withinTarget ? 'within' : 'above'}`,
        );
      }
      // A stream locks onto its format after the first good frame; captures that never decode
      // (bad CRC, wrong shape) keep every hunter running, so show the two apart.
      const split = (ok: boolean): string => {
        const vs = xs.vectors.filter((v) => v.okFramesPerPass > 0 === ok);
        const b = vs.reduce((n, v) => n + v.bytes, 0);
        const c = vs.reduce((n, v) => n + v.computronsPerByte * v.bytes, 0);
        return `${vs.length} vectors ${b ? fmt(c / b) : '-'} c/byte`;
      };
      console.log(`  decoding captures (stream locked): ${split(true)}; never-decoding captures (unlocked, all hunters run): ${split(false)}`);
      const slow = xs.vectors.filter((v) => v.computronsPerByte > TARGET_COMPUTRONS_PER_BYTE).sort((a, b) => b.computronsPerByte - a.computronsPerByte);
      if (slow.length) {
        console.log(`vectors above ${TARGET_COMPUTRONS_PER_BYTE} computrons/byte: ${slow.length}`);
        for (const v of slow.slice(0, 12))
          console.log(
            `  ${v.name} (${v.family}): ${fmt(v.computronsPerByte)} c/byte, ${fmt(v.computronsPerFrame, 0)} c/frame, ${v.bytes} bytes, ${v.framesPerPass} frames`,
          );
      }
    }
    const growth = xs.families.filter((f) => f.heap && f.heap.slotGrowth > 0);
    console.log(
      growth.length
        ? `heap growth between the two checks (net of the harness's evaluations): ${growth.map((f) => `${f.family} +${f.heap!.slotGrowth} slots`).join(', ')}`
        : "heap: no slot growth between the two checks in any family (net of the harness's own evaluations, 1 slot each in xsnap)",
    );
  }

  const device = await runDeviceFigures(vectors, { hostile });
  (xs as unknown as Record<string, unknown>).device = { chunked128: device.chunked128 };
  (xs as unknown as Record<string, unknown>).worstCase = device.worstCase;
  if (!asJson) printDevice(device);

  if (withProfile) {
    const profile = await runXsProfile(vectors);
    doc.profile = profile;
    if (!asJson) {
      console.log("\nXS profile (computrons spent inside each stage, per family; stages nest: parser time is inside the splitter's):");
      for (const p of profile.rows)
        console.log(`  ${p.family.padEnd(22)} ${p.stage.padEnd(40)} ${fmt(p.computronsPerByte).padStart(7)} c/byte ${fmt(p.share * 100, 0).padStart(4)}%`);
      for (const n of profile.notes) console.log(`  note: ${n}`);
    }
  }

  const node = xsOnly ? undefined : runNodeBench(vectors);
  doc.node = node;
  if (node && !asJson) {
    console.log('\nNode whole path per family:');
    if (node.missing) console.log(`  (no MeterStream: ${node.missing})`);
    for (const f of node.figures)
      console.log(`  ${f.family.padEnd(22)} ${fmt(f.framesPerSecond, 0).padStart(10)} frames/s ${fmt(f.megabytesPerSecond, 2).padStart(8)} MB/s`);
  }

  if (withApp) {
    const { runAppBench } = await import('./app-bench');
    const app = await runAppBench({ log });
    doc.app = app;
  }

  if (asJson) console.log(JSON.stringify(doc, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
