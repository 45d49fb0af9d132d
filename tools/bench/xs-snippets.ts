/**
 * npx tsx tools/bench/xs-snippets.ts
 *
 * What a few JavaScript constructs cost under XS (@agoric/xsnap's meter: about one computron a
 * bytecode step, a flat charge inside natives), each run 1,000 times in a function and net of the
 * empty loop: the figures behind the shapes the hot paths are written in (BENCHMARKS.md, "Issue
 * 13's bounds"; e.g. `new Array(a, b, c)` rather than `[a, b, c]`). Figures, not a test.
 */
import { XsWorker } from '../xs/xsnap-driver';

const SNIPPETS: [string, string][] = [
  ['array literal [a, b, c]', 'x = [y, y, y];'],
  ['new Array(a, b, c)', 'x = new Array(y, y, y);'],
  ['slice() of three', 'x = a3.slice();'],
  ['object literal, three fields', 'x = { a: y, b: y, c: y };'],
  ['class instance, three fields', 'x = new C(y);'],
  ['spread of five fields', 'x = { ...o5 };'],
  ['call, no argument', 'f0();'],
  ['call, three arguments', 'f3(y, y, y);'],
  ['call, six arguments', 'f6(y, y, y, y, y, y);'],
  ['for loop, three turns, empty', 'for (let p = 0; p < 3; p++) ;'],
  ['the same written out', 'x = a3[0]; x = a3[1]; x = a3[2];'],
  ['Math.min(a, b)', 'x = Math.min(y, 3);'],
  ['a < b ? a : b', 'x = y < 3 ? y : 3;'],
  ['property read', 'x = o5.c;'],
  ['template literal, three values', 'x = `${y} A free under ${y} A less ${y} margin`;'],
];

async function main(): Promise<void> {
  const xs = new XsWorker();
  try {
    await xs.evaluate(`globalThis.f0 = function () { return 0; }; globalThis.f3 = function (a, b, c) { return a; };
      globalThis.f6 = function (a, b, c, d, e, f) { return a; }; globalThis.a3 = [1, 2, 3];
      globalThis.o5 = { a: 1, b: 2, c: 3, d: 4, e: 5 };
      globalThis.C = class { constructor(s) { this.a = s; this.b = s; this.c = s; } }; 0`);
    const N = 1000;
    const loop = (body: string): string => `(function () { let x, y = 3.7; for (let k = 0; k < ${N}; k++) { ${body} } return x; })(); 0`;
    const base = (await xs.evaluate(loop(''))).meter.compute;
    for (const [name, body] of SNIPPETS) {
      const c = (await xs.evaluate(loop(body))).meter.compute;
      process.stdout.write(`${name.padEnd(34)} ${((c - base) / N).toFixed(0).padStart(5)}\n`);
    }
  } finally {
    xs.close();
  }
}

main().catch((e) => {
  process.stderr.write(`xs-snippets: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
