/**
 * Where the XS computrons go, per vector family (`npm run bench -- --profile`).
 *
 * xsnap has no sampling profiler, but its meter can be read from inside a crank (resetMeter returns
 * the current index). Every method of every class exported by a decoders/ module is wrapped to add
 * the computrons spent inside it (inclusive: a parser called by a splitter counts in both), minus
 * the measured cost of the wrapper itself for each call. Plain functions cannot be wrapped inside
 * a bundle, so the CRC share is estimated from the decoders' own CRC routine's cost per byte times
 * the bytes of each frame. The headroom step and snapshot JSON are measured around PathRunner.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleForXs, repoRoot } from '../xs/bundle';
import { bytesToHex } from '../xs/harness-core';
import { familyOrder, type Vector } from '../xs/vector-catalog';
import { XsWorker } from '../xs/xsnap-driver';

export interface ProfileRow {
  family: string;
  stage: string;
  computronsPerByte: number;
  share: number;
  calls: number;
}

function decoderModules(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const rel = relative(repoRoot, p).replace(/\.ts$/, '');
        out['d:' + rel] = rel;
      }
    }
  };
  walk(join(repoRoot, 'decoders'));
  return out;
}

// Runs inside XS. Wraps class methods; __prof[key] = [computrons, calls].
const INSTRUMENT = `
globalThis.__prof = {};
globalThis.__calls = { n: 0 };
globalThis.__meterNow = function () { const m = resetMeter(2000000000, 0); resetMeter(2000000000, m); return m; };
globalThis.__wrap = function (obj, name, key) {
  const orig = obj[name];
  if (typeof orig !== 'function' || orig.__wrapped) return;
  const acc = __prof[key] || (__prof[key] = [0, 0, 0]);
  // acc = [inclusive computrons, calls, wrapped calls made inside (their wrapper cost is not ours)]
  const w = function (...args) {
    const c0 = __calls.n++;
    const s = __meterNow();
    try { return orig.apply(this, args); } finally { acc[0] += __meterNow() - s; acc[1]++; acc[2] += __calls.n - c0 - 1; }
  };
  w.__wrapped = true;
  obj[name] = w;
};
for (const modName of Object.keys(__xs)) {
  if (!modName.startsWith('d:')) continue;
  const mod = __xs[modName];
  for (const exportName of Object.keys(mod)) {
    const C = mod[exportName];
    if (typeof C !== 'function' || !C.prototype) continue;
    const proto = C.prototype;
    const names = Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor');
    if (names.length === 0) continue;
    for (const n of names) {
      const d = Object.getOwnPropertyDescriptor(proto, n);
      if (d && typeof d.value === 'function' && d.writable) __wrap(proto, n, exportName + '.' + n);
    }
  }
}
__wrap(__xs.bench.PathRunner.prototype, 'feed', 'total: PathRunner.feed');
__wrap(__xs.bench.PathRunner.prototype, 'frame', 'downstream: headroom + snapshot JSON');
0`;

/**
 * Unwrapped figures: the front (MeterStream, decode only) against the format's own splitter fed
 * the same bytes directly. The difference is what the front's hunting costs.
 */
async function frontVersusSplitter(vectors: Vector[], rows: ProfileRow[]): Promise<void> {
  const bundle = await bundleForXs({
    core: 'tools/xs/harness-core',
    ms: 'decoders/meter-stream',
    dsmr: 'decoders/dsmr/splitter',
    hdlc: 'decoders/hdlc/hdlc-splitter',
    mbus: 'decoders/mbus/mbus-splitter',
  });
  if (bundle.missing.ms) return;
  const xs = new XsWorker();
  try {
    await xs.evaluate(bundle.code + '\n;0');
    const empty = (await xs.evaluate('0')).meter.compute;
    const splitterFor = (family: string): string | undefined =>
      family === 'DSMR text'
        ? bundle.missing.dsmr
          ? undefined
          : '__xs.dsmr.DsmrSplitter'
        : family.startsWith('HDLC') || family === 'encrypted DLMS'
          ? bundle.missing.hdlc
            ? undefined
            : '__xs.hdlc.HdlcSplitter'
          : family.startsWith('M-Bus')
            ? bundle.missing.mbus
              ? undefined
              : '__xs.mbus.MbusSplitter'
            : undefined;
    for (const family of familyOrder(vectors.map((v) => v.family))) {
      const mine = vectors.filter((v) => v.family === family);
      const bytes = mine.reduce((n, v) => n + v.bytes.length, 0);
      await xs.evaluate(
        `globalThis.__pv = [${mine.map((v) => `__xs.core.hexToBytes(${JSON.stringify(bytesToHex(v.bytes))})`).join(',')}]; globalThis.__po = ${JSON.stringify(mine.map((v) => v.options))}.map((o) => __xs.core.decoderOptions(o)); 0`,
      );
      const front = `for (let i = 0; i < __pv.length; i++) { const s = new __xs.ms.MeterStream(__po[i]); s.push(__pv[i], () => 0); s.flush(() => 0); } 0`;
      await xs.evaluate(front);
      const cf = (await xs.evaluate(front)).meter.compute - empty;
      rows.push({ family, stage: 'unwrapped: MeterStream push+flush (decode only)', computronsPerByte: cf / bytes, share: 1, calls: mine.length });
      const split = splitterFor(family);
      if (split) {
        const alone = `for (let i = 0; i < __pv.length; i++) { const s = new ${split}(__po[i]); s.push(__pv[i], () => 0); s.flush(() => 0); } 0`;
        await xs.evaluate(alone);
        const ca = (await xs.evaluate(alone)).meter.compute - empty;
        rows.push({
          family,
          stage: `unwrapped: ${split.split('.').pop()} alone (same bytes)`,
          computronsPerByte: ca / bytes,
          share: ca / cf,
          calls: mine.length,
        });
      }
    }
  } finally {
    xs.close();
  }
}

export async function runXsProfile(vectors: Vector[]): Promise<{ rows: ProfileRow[]; notes: string[] }> {
  const notes: string[] = [];
  const modules = {
    bench: 'tools/bench/bench-core',
    core: 'tools/xs/harness-core',
    ms: 'decoders/meter-stream',
    headroom: 'decoders/headroom/index',
    ...decoderModules(),
  };
  const bundle = await bundleForXs(modules);
  if (bundle.missing.ms || bundle.missing.bench) return { rows: [], notes: [`cannot profile: ${bundle.missing.ms ?? bundle.missing.bench}`] };
  for (const [m, why] of Object.entries(bundle.missing)) notes.push(`${m} left out: ${why}`);
  const xs = new XsWorker();
  const rows: ProfileRow[] = [];
  try {
    await xs.evaluate(bundle.code + '\n;0');
    await xs.evaluate(INSTRUMENT);
    // The wrapper's own cost per call (measured on an empty method), subtracted from every row.
    await xs.evaluate(
      `globalThis.__E = class { m() { return 0; } }; __wrap(__E.prototype, 'm', '__empty'); { const e = new __E(); for (let i = 0; i < 1000; i++) e.m(); } 0`,
    );
    const emptyStat = (await xs.evaluateJson<[number, number, number]>(`__prof.__empty`)).value;
    // Cost of one wrapped call as seen from an enclosing wrapper (the empty method's inclusive
    // figure misses the part of the wrapper outside its own meter reads; measure it from outside).
    await xs.evaluate(`globalThis.__E2 = class { m() { return 0; } }; __wrap(__E2.prototype, 'm', '__empty2'); globalThis.__e2 = new __E2(); 0`);
    const base = (await xs.evaluate(`(function () { for (let i = 0; i < 1000; i++) ; })(); 0`)).meter.compute;
    const withCalls = (await xs.evaluate(`(function () { for (let i = 0; i < 1000; i++) __e2.m(); })(); 0`)).meter.compute;
    const overhead = (withCalls - base) / 1000;
    const innerOverhead = emptyStat[0] / emptyStat[1];
    notes.push(
      `wrapper cost ${overhead.toFixed(0)} computrons per wrapped call (${innerOverhead.toFixed(0)} inside its own meter reads), subtracted from every enclosing figure`,
    );
    const hrObj = bundle.missing.headroom
      ? 'undefined'
      : `{ defaultHeadroomSettings: __xs.headroom.defaultHeadroomSettings, createHeadroomState: __xs.headroom.createHeadroomState, stepHeadroom: function (s, i, t) { const a = __meterNow(); try { return __xs.headroom.stepHeadroom(s, i, t); } finally { const acc = __prof['downstream: headroom step'] || (__prof['downstream: headroom step'] = [0, 0]); acc[0] += __meterNow() - a; acc[1]++; } } }`;
    const crcName = bundle.missing['d:decoders/util/crc16-x25'] ? undefined : 'd:decoders/util/crc16-x25';
    const arcName = bundle.missing['d:decoders/util/crc16-arc'] ? undefined : 'd:decoders/util/crc16-arc';

    for (const family of familyOrder(vectors.map((v) => v.family))) {
      const mine = vectors.filter((v) => v.family === family);
      const bytes = mine.reduce((n, v) => n + v.bytes.length, 0);
      await xs.evaluate(
        `globalThis.__pv = [${mine.map((v) => `__xs.core.hexToBytes(${JSON.stringify(bytesToHex(v.bytes))})`).join(',')}]; globalThis.__po = ${JSON.stringify(mine.map((v) => v.options))}; 0`,
      );
      // Warm (lazy tables), then reset the counters and measure one pass.
      await xs.evaluate(
        `for (let i = 0; i < __pv.length; i++) new __xs.bench.PathRunner(__xs.ms.MeterStream, ${hrObj}, __xs.core.decoderOptions(__po[i])).feed(__pv[i]); 0`,
      );
      await xs.evaluate(`for (const k of Object.keys(__prof)) { __prof[k][0] = 0; __prof[k][1] = 0; __prof[k][2] = 0; } 0`);
      await xs.evaluate(
        `for (let i = 0; i < __pv.length; i++) new __xs.bench.PathRunner(__xs.ms.MeterStream, ${hrObj}, __xs.core.decoderOptions(__po[i])).feed(__pv[i]); 0`,
      );
      const raw = (await xs.evaluateJson<Record<string, [number, number, number]>>('__prof')).value;
      // Self-corrected inclusive figures: minus own wrapper (inner part) and every nested wrapped call.
      const prof: Record<string, [number, number]> = {};
      for (const [k, x] of Object.entries(raw)) prof[k] = [Math.max(0, x[0] - x[1] * innerOverhead - x[2] * overhead), x[1]];
      const total = prof['total: PathRunner.feed'];
      if (!total || total[0] === 0) continue;
      const totalC = total[0];
      const add = (stage: string, c: number, calls: number): void => {
        rows.push({ family, stage, computronsPerByte: c / bytes, share: c / totalC, calls });
      };
      add('total: PathRunner.feed', totalC, total[1]);
      const down = prof['downstream: headroom + snapshot JSON'];
      const step = prof['downstream: headroom step'];
      if (down) {
        const downC = down[0];
        add('decode: MeterStream push (splitter+decoder)', totalC - downC, total[1]);
        if (step) add('downstream: headroom step', step[0], step[1]);
        add('downstream: snapshot JSON.stringify', downC - (step ? step[0] : 0), down[1]);
      }
      for (const [k, v] of Object.entries(prof).sort((a, b) => b[1][0] - a[1][0])) {
        if (k.startsWith('total') || k.startsWith('downstream') || k === '__empty' || v[1] === 0) continue;
        add(`  ${k} (x${v[1]})`, v[0], v[1]);
      }
      // CRC estimate: the library routine's cost per byte over the family's bytes (every frame byte is checked once).
      const fn =
        family === 'DSMR text'
          ? arcName
            ? `__xs[${JSON.stringify(arcName)}].crc16Arc`
            : undefined
          : crcName
            ? `__xs[${JSON.stringify(crcName)}].crc16X25`
            : undefined;
      if (fn) {
        await xs.evaluate(`for (const b of __pv) ${fn}(b); 0`);
        const empty = (await xs.evaluate('0')).meter.compute;
        const c = (await xs.evaluate(`for (const b of __pv) ${fn}(b); 0`)).meter.compute - empty;
        add(`  CRC estimate (${fn.includes('Arc') ? 'crc16Arc' : 'crc16X25'} over every input byte)`, c, mine.length);
      }
    }
  } finally {
    xs.close();
  }
  await frontVersusSplitter(vectors, rows);
  return { rows, notes };
}
