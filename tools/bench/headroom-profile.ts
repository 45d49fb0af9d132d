/**
 * npx tsx tools/bench/headroom-profile.ts [--filter S] [--functions a,b,c]
 *
 * Where the headroom step's XS computrons go, per function, on the frames of the device bench
 * (xs-device.ts: every capture that decodes, pushed 128 bytes at a time, three passes after a
 * warm-up, default settings). Plain functions inside a bundle cannot be wrapped from outside, so
 * the bundle's text is rewritten: each named function `f` becomes a wrapper that reads xsnap's
 * meter around the original. Figures per frame: inclusive (the function and what it calls) and
 * self (less the wrapped functions it calls), each net of the wrappers' own measured cost, so
 * approximate to a few percent. Figures, not a test (BENCHMARKS.md, "Issue 13's bounds").
 * `--methods` wraps every class and object-literal method of the bundle too (named
 * `Class.method`), which shows where a frame's decode goes (splitters, push-list reader, list
 * shapes); its figures carry the wrappers' error on each of many small calls.
 */
import { bundleForXs } from '../xs/bundle';
import { bytesToHex } from '../xs/harness-core';
import { loadVectors } from '../xs/vector-catalog';
import { XsWorker } from '../xs/xsnap-driver';

const DEFAULT_FUNCTIONS =
  'stepHeadroom,copyState,checkReading,frameClock,framePower,hasLoadData,computeFresh,resolveCurrents,regulateOutput,trackOf,explain,publish,lowerForAge';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);

// Runs inside XS: the wrapper every rewritten function calls, and its bookkeeping per name.
const WRAPPER = `
globalThis.__meterNow = function () { const m = resetMeter(2000000000, 0); resetMeter(2000000000, m); return m; };
globalThis.__acc = {}; globalThis.__stack = []; globalThis.__on = false;
globalThis.__w = function (name, f, t, a) {
  if (!__on) return f.apply(t, a);
  const fr = { child: 0, nested: 0, direct: 0 }; __stack.push(fr);
  const s = __meterNow();
  try { return f.apply(t, a); } finally {
    const incl = __meterNow() - s; __stack.pop();
    const acc = __acc[name] || (__acc[name] = { incl: 0, child: 0, calls: 0, nested: 0, direct: 0 });
    acc.incl += incl; acc.child += fr.child; acc.calls++; acc.nested += fr.nested; acc.direct += fr.direct;
    const up = __stack[__stack.length - 1]; if (up) { up.child += incl; up.nested += 1 + fr.nested; up.direct++; }
  }
}; 0`;

// The wrapper's own cost: an empty wrapped function, alone and called from a wrapped function.
const CALIBRATE = `
globalThis.__e = function (...a) { return __w('__empty', function () { return 0; }, this, a); };
globalThis.__outer = function (...a) { return __w('__outer', function () { for (let i = 0; i < 100; i++) __e(); return 0; }, this, a); };
globalThis.__outer0 = function (...a) { return __w('__outer0', function () { for (let i = 0; i < 100; i++) ; return 0; }, this, a); };
__on = true; for (let k = 0; k < 20; k++) { __outer(); __outer0(); } __on = false; 0`;

interface Acc {
  incl: number;
  child: number;
  calls: number;
  nested: number;
  direct: number;
}

/**
 * Every method written `    name(args) {` on a line of its own (esbuild's output for class and
 * object-literal methods, constructors aside) becomes a wrapper and `name__wrapped`, named after
 * the nearest `var X = class` or `var X = {` above it.
 */
function wrapMethods(code: string): string {
  let owner = '?';
  let literal = false;
  const out: string[] = [];
  for (const line of code.split('\n')) {
    const o = /^ {2}var (\w+) = (?:class\b|\{$)/.exec(line);
    if (o) {
      owner = o[1];
      literal = !line.includes('class');
    }
    const m = /^( {4})(\w+)\(([^)]*)\) \{$/.exec(line);
    if (m && m[2] !== 'constructor' && !['if', 'for', 'while', 'switch', 'catch', 'function'].includes(m[2])) {
      const key = JSON.stringify(`${owner}.${m[2]}`);
      out.push(`${m[1]}${m[2]}(...a) { return __w(${key}, this.${m[2]}__wrapped, this, a); }${literal ? ',' : ''}`);
      out.push(`${m[1]}${m[2]}__wrapped(${m[3]}) {`);
    } else out.push(line);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const functions = (arg('--functions') ?? DEFAULT_FUNCTIONS).split(',');
  const filter = arg('--filter');
  const bundle = await bundleForXs({
    bench: 'tools/bench/bench-core',
    core: 'tools/xs/harness-core',
    ms: 'decoders/meter-stream',
    headroom: 'decoders/headroom/index',
  });
  for (const [m, why] of Object.entries(bundle.missing)) throw new Error(`module ${m} missing from the XS bundle: ${why}`);
  let code = bundle.code;
  const skipped: string[] = [];
  for (const f of functions) {
    const re = new RegExp(`function ${f}\\(`, 'g');
    if ((code.match(re) ?? []).length !== 1) {
      skipped.push(f);
      continue;
    }
    code = code.replace(re, `function ${f}(...a) { return __w(${JSON.stringify(f)}, ${f}__wrapped, this, a); }\nfunction ${f}__wrapped(`);
  }
  if (args.includes('--methods')) code = wrapMethods(code);
  const xs = new XsWorker();
  try {
    await xs.evaluate(WRAPPER);
    await xs.evaluate(`${code}\n;0`);
    await xs.evaluate(CALIBRATE);
    const cal = (await xs.evaluateJson<Record<string, Acc>>('__acc')).value;
    const perNested = (cal.__outer.incl - cal.__outer0.incl) / cal.__outer.calls / 100; // what a wrapped call adds to its caller
    const inner = cal.__empty.incl / cal.__empty.calls; // what it adds to its own figure
    await xs.evaluate('globalThis.__acc = {}; 0');
    let bytes = 0;
    let frames = 0;
    for (const v of loadVectors().filter((x) => filter === undefined || x.name.includes(filter) || x.family.includes(filter))) {
      await xs.evaluate(
        `globalThis.__in = __xs.core.hexToBytes(${JSON.stringify(bytesToHex(v.bytes))}); globalThis.__r = new __xs.bench.PathRunner(__xs.ms.MeterStream, __xs.headroom, __xs.core.decoderOptions(${JSON.stringify(v.options)})); __r.feedChunked(__in, 128); globalThis.__f0 = __r.okFrames; 0`,
      );
      if ((await xs.evaluateJson<number>('__r.okFrames')).value === 0) continue; // not a capture that decodes
      await xs.evaluate('__on = true; for (let k = 0; k < 3; k++) __r.feedChunked(__in, 128); __on = false; 0');
      bytes += 3 * v.bytes.length;
      frames += (await xs.evaluateJson<number>('__r.okFrames - __f0')).value;
    }
    const acc = (await xs.evaluateJson<Record<string, Acc>>('__acc')).value;
    const rows = Object.entries(acc)
      .map(([name, a]) => ({
        name,
        calls: a.calls / frames,
        incl: (a.incl - inner * a.calls - a.nested * perNested) / frames,
        self: (a.incl - inner * a.calls - a.child - a.direct * (perNested - inner)) / frames,
      }))
      .sort((x, y) => y.incl - x.incl);
    console.log(
      `${frames} frames, ${bytes} bytes (${(bytes / frames).toFixed(0)} a frame); wrapper ${perNested.toFixed(0)} computrons a call subtracted${skipped.length ? `; not found once in the bundle: ${skipped.join(', ')}` : ''}`,
    );
    console.log(`${'function'.padEnd(18)} ${'calls/frame'.padStart(11)} ${'inclusive'.padStart(10)} ${'self'.padStart(8)}  (computrons a frame)`);
    for (const r of rows)
      console.log(`${r.name.padEnd(18)} ${r.calls.toFixed(2).padStart(11)} ${r.incl.toFixed(0).padStart(10)} ${r.self.toFixed(0).padStart(8)}`);
  } finally {
    xs.close();
  }
}

main().catch((e) => {
  process.stderr.write(`headroom-profile: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
