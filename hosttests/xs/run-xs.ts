/**
 * The XS suite (`npm run test:xs`, part of `npm test`): the pure decoders and the headroom engine
 * bundled into one script and run under the real XS engine (@agoric/xsnap), their JSON output
 * compared BYTE FOR BYTE with the same code under Node.
 *
 * One test per vector in hosttests/vectors/ (p1 and han, keys from the sidecars), each run three
 * ways in both engines: the whole capture in one push, the capture in 7-byte chunks, and with
 * skipChecksum (so the parsers also run on the specification examples whose CRC is made up).
 * Plus one test for a fixed headroom scenario. Prints the XS cost per family and ends with
 * exactly `xs: N passed, N failed`. Exit status non-zero on any failure.
 *
 * A family whose decoder does not exist yet fails with a reason; the suite never crashes on it.
 */
import { bundleForXs, loadForNode } from '../../tools/xs/bundle';
import { runVector, runHeadroomScenario, bytesToHex, type MeterStreamClass, type HeadroomModuleLike } from '../../tools/xs/harness-core';
import { loadVectors, familyOrder, type Vector } from '../../tools/xs/vector-catalog';
import { XsWorker, xsnapAvailable, type XsMeter } from '../../tools/xs/xsnap-driver';

interface Outcome {
  name: string;
  family: string;
  ok: boolean;
  reason?: string;
  note?: string;
}
interface FamilyCost {
  vectors: number;
  frames: number;
  okFrames: number;
  bytes: number;
  compute: number;
  maxSlots: number;
}

const verbose = process.argv.includes('--verbose');
const CHUNK = 7;

function firstDifference(a: string, b: string): string {
  const al = a.split('\n');
  const bl = b.split('\n');
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i]) {
      let c = 0;
      const x = al[i] ?? '';
      const y = bl[i] ?? '';
      while (c < x.length && x[c] === y[c]) c++;
      return `line ${i + 1} col ${c + 1}: node ${JSON.stringify(x.slice(Math.max(0, c - 30), c + 50))} vs xs ${JSON.stringify(y.slice(Math.max(0, c - 30), c + 50))}`;
    }
  }
  return 'lengths differ';
}

function variants(v: Vector): Array<{ label: string; options: Vector['options']; chunk: number }> {
  return [
    { label: 'whole', options: v.options, chunk: 0 },
    { label: `chunks of ${CHUNK}`, options: v.options, chunk: CHUNK },
    { label: 'skipChecksum', options: { ...v.options, skipChecksum: true }, chunk: 0 },
  ];
}

/** A frame line is `{"i":..,"ok":true|false,...}`; the closing line has stats. */
function summarize(out: string): { ok: number; codes: string[]; threw?: string } {
  let ok = 0;
  const codes: string[] = [];
  let threw: string | undefined;
  for (const line of out.split('\n')) {
    if (!line) continue;
    const o = JSON.parse(line) as { ok?: boolean; error?: { code: string }; threw?: string };
    if (o.threw) threw = o.threw;
    if (o.ok === true) ok++;
    if (o.ok === false && o.error) codes.push(o.error.code);
  }
  return { ok, codes, threw };
}

async function main(): Promise<number> {
  const vectors = loadVectors();
  const outcomes: Outcome[] = [];
  const costs = new Map<string, FamilyCost>();
  const fail = (name: string, family: string, reason: string): void => {
    outcomes.push({ name, family, ok: false, reason });
  };

  const bundle = await bundleForXs({ core: 'tools/xs/harness-core', ms: 'decoders/meter-stream', headroom: 'decoders/headroom/index' });
  const nodeMs = loadForNode<{ MeterStream: MeterStreamClass }>('decoders/meter-stream');
  const nodeHeadroom = loadForNode<HeadroomModuleLike>('decoders/headroom/index');
  console.log(`xs: bundle ${bundle.bytes} bytes (esbuild iife es2022, platform neutral)`);
  for (const [name, reason] of Object.entries(bundle.missing)) console.log(`xs: module ${name} not in bundle: ${reason}`);

  if (!xsnapAvailable()) {
    for (const v of vectors) fail(v.name, v.family, 'xsnap-worker binary not built (npm run setup:xs builds it; needs make and a C compiler)');
    fail('headroom scenario', 'headroom', 'xsnap-worker binary not built');
    return report(outcomes, costs, undefined);
  }

  const xs = new XsWorker();
  let baseline: XsMeter | undefined;
  try {
    let loadError: string | undefined;
    try {
      await xs.evaluate(bundle.code + '\n;0');
    } catch (e) {
      loadError = `bundle does not evaluate under XS: ${String(e).slice(0, 300)}`;
    }
    if (!loadError && bundle.missing.core) loadError = `harness core missing: ${bundle.missing.core}`;
    baseline = (await xs.evaluate('gc(); 0')).meter;

    // Vectors.
    for (const v of vectors) {
      const msReason = loadError ?? bundle.missing.ms ?? nodeMs.reason;
      if (msReason || !nodeMs.mod) {
        fail(v.name, v.family, `no MeterStream: ${msReason}`);
        continue;
      }
      await xs.evaluate(`globalThis.__in = __xs.core.hexToBytes(${JSON.stringify(bytesToHex(v.bytes))}); 0`);
      let failed: string | undefined;
      let decoded = 0;
      let allCodes: string[] = [];
      for (const variant of variants(v)) {
        const nodeOut = runVector(nodeMs.mod.MeterStream, v.bytes, variant.options, variant.chunk);
        const xsOut = (
          await xs.evaluate(
            `new TextEncoder().encode(__xs.core.runVector(__xs.ms.MeterStream, __in, ${JSON.stringify(variant.options)}, ${variant.chunk})).buffer`,
          )
        ).text;
        const s = summarize(nodeOut);
        const sx = summarize(xsOut);
        if (s.threw || sx.threw) {
          failed = `MeterStream threw (${variant.label}): node ${s.threw ?? '-'} / xs ${sx.threw ?? '-'}`;
          break;
        }
        if (nodeOut !== xsOut) {
          failed = `XS output differs from Node (${variant.label}): ${firstDifference(nodeOut, xsOut)}`;
          break;
        }
        if (verbose) console.log(`--- ${v.name} (${variant.label})\n${nodeOut}`);
        decoded += s.ok;
        if (variant.label !== `chunks of ${CHUNK}`) allCodes = allCodes.concat(s.codes);
      }
      if (failed) {
        fail(v.name, v.family, failed);
        continue;
      }
      // A capture meant to decode that yields nothing but 'unsupported'/'garbage' (or no frame at
      // all): the front does not route this family to a decoder yet. Equal output of nothing would prove nothing.
      const codes = [...new Set(allCodes)].sort();
      if (decoded === 0 && !v.broken && codes.every((c) => c === 'unsupported' || c === 'garbage')) {
        fail(v.name, v.family, `no frame decoded in either engine (${codes.join(',') || 'no frames'}): no decoder for this family yet?`);
        continue;
      }
      const note = decoded === 0 ? `equal output, but no frame decoded (${codes.join(',')})` : undefined;
      outcomes.push({ name: v.name, family: v.family, ok: true, note });

      // XS cost of the bare path (no JSON) for this capture.
      const r = await xs.evaluate(`globalThis.__r = __xs.core.decodeOnly(__xs.ms.MeterStream, __in, ${JSON.stringify(v.options)}); 0`);
      const counts = (await xs.evaluateJson<[number, number]>('__r')).value;
      const slots = (await xs.evaluate('gc(); 0')).meter.currentHeapCount;
      const c = costs.get(v.family) ?? { vectors: 0, frames: 0, okFrames: 0, bytes: 0, compute: 0, maxSlots: 0 };
      c.maxSlots = Math.max(c.maxSlots, slots);
      c.vectors++;
      c.frames += counts[0];
      c.okFrames += counts[1];
      c.bytes += v.bytes.length;
      c.compute += Math.max(0, r.meter.compute - baseline.compute);
      costs.set(v.family, c);
    }

    // Headroom scenario.
    const hrReason = loadError ?? bundle.missing.headroom ?? nodeHeadroom.reason;
    if (hrReason || !nodeHeadroom.mod) {
      fail('headroom scenario', 'headroom', `no headroom engine: ${hrReason}`);
    } else {
      const nodeOut = runHeadroomScenario(nodeHeadroom.mod);
      const xsOut = (await xs.evaluate('new TextEncoder().encode(__xs.core.runHeadroomScenario(__xs.headroom)).buffer')).text;
      if (verbose) console.log(`--- headroom scenario\n${nodeOut}`);
      const threw = /"threw"/.test(nodeOut) || /"threw"/.test(xsOut);
      if (threw) fail('headroom scenario', 'headroom', `headroom threw: ${nodeOut.split('\n').pop()} / ${xsOut.split('\n').pop()}`);
      else if (nodeOut !== xsOut) fail('headroom scenario', 'headroom', `XS output differs from Node: ${firstDifference(nodeOut, xsOut)}`);
      else outcomes.push({ name: 'headroom scenario', family: 'headroom', ok: true });
    }
    const heap = (await xs.evaluate('gc(); 0')).meter;
    return report(outcomes, costs, { baseline, heap });
  } catch (e) {
    // The worker died (out of memory, too much computation) or the protocol broke: every test
    // not yet decided fails with that reason.
    const decided = new Set(outcomes.map((o) => o.name));
    for (const v of vectors) if (!decided.has(v.name)) fail(v.name, v.family, `XS worker failed: ${String(e).slice(0, 300)}`);
    if (!decided.has('headroom scenario')) fail('headroom scenario', 'headroom', `XS worker failed: ${String(e).slice(0, 300)}`);
    return report(outcomes, costs, undefined);
  } finally {
    xs.close();
  }
}

function report(outcomes: Outcome[], costs: Map<string, FamilyCost>, heap: { baseline: XsMeter; heap: XsMeter } | undefined): number {
  for (const o of outcomes) {
    if (!o.ok) console.log(`FAIL ${o.family} ${o.name}: ${o.reason}`);
    else if (o.note) console.log(`note ${o.family} ${o.name}: ${o.note}`);
  }
  console.log(
    '\nXS cost per family (decode path only: a fresh MeterStream, push + flush; computrons from the XS meter; heap = most slots in use after gc() following a vector of the family)',
  );
  const families = familyOrder(outcomes.map((o) => o.family).filter((f) => f !== 'headroom'));
  for (const f of families) {
    const mine = outcomes.filter((o) => o.family === f);
    const passed = mine.filter((o) => o.ok).length;
    const c = costs.get(f);
    const cost =
      c && c.frames
        ? `${c.frames} frames (${c.okFrames} decoded), ${Math.round(c.compute / c.frames)} computrons/frame, ${(c.compute / c.bytes).toFixed(1)} computrons/byte, heap ${c.maxSlots} slots after gc`
        : 'no cost measured';
    console.log(`  ${f.padEnd(24)} ${passed}/${mine.length} equal  ${cost}`);
  }
  if (heap) {
    console.log(
      `XS heap: ${heap.heap.currentHeapCount} slots in use after gc (${heap.baseline.currentHeapCount} after loading the bundle), ${heap.heap.allocate} bytes allocated for slots+chunks`,
    );
  }
  const passed = outcomes.filter((o) => o.ok).length;
  const failed = outcomes.length - passed;
  console.log(`xs: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e);
    console.log('xs: 0 passed, 1 failed');
    process.exitCode = 1;
  },
);
