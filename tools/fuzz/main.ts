/**
 * `npm run fuzz`: a long seeded campaign against MeterStream and the splitters.
 *
 *   npm run fuzz                          1,000,000 inputs, seed 1
 *   npm run fuzz -- --count 50000 --seed 7
 *   npm run fuzz -- --kinds flip,wrong-key --target MeterStream
 *   npm run fuzz -- --out /tmp/findings     (write findings elsewhere)
 *
 * Each input is a case from tools/fuzz/fuzz-lib.ts (random bytes, mutations of every real
 * vector, length lies with checksums fixed up, wrong keys, tiny buffers). Any violated property
 * is written as a reproducible case to hosttests/fuzz/findings/<kind>-<hash>.hex (the bytes, the
 * options, the chunking and the expectation in comment lines); hosttests/fuzz/findings.test.ts
 * replays every file there. One file per campaign, target, kind and violated property (the first
 * case found).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadForNode } from '../xs/bundle';
import type { MeterStreamClass } from '../xs/harness-core';
import { loadVectors } from '../xs/vector-catalog';
import {
  baselineReadings,
  checkCase,
  findingText,
  int,
  KINDS,
  makeCase,
  pick,
  rngFrom,
  splitterTargets,
  meterStreamTarget,
  type Kind,
  type Target,
} from './fuzz-lib';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

async function main(): Promise<number> {
  const count = Number(arg('count', '1000000'));
  const seed = Number(arg('seed', '1'));
  const kinds = arg('kinds', KINDS.join(',')).split(',') as Kind[];
  const targetName = arg('target', 'all');
  const outDir = arg('out', join(__dirname, '..', '..', 'hosttests', 'fuzz', 'findings'));

  const ms = loadForNode<{ MeterStream: MeterStreamClass }>('decoders/meter-stream');
  if (!ms.mod) {
    console.error(`no MeterStream: ${ms.reason}`);
    return 2;
  }
  const targets: Target[] = [meterStreamTarget(ms.mod.MeterStream), ...splitterTargets()].filter((t) => targetName === 'all' || t.name === targetName);
  const vectors = loadVectors();
  const baselines = new Map(
    targets.map((t) => [t.name, vectors.filter((v) => t.accepts(v.family)).map((v) => ({ vector: v, readings: baselineReadings(t, v) }))]),
  );

  const rng = rngFrom(seed);
  const seen = new Set<string>();
  const perKind: Record<string, number> = {};
  let findings = 0;
  const t0 = Date.now();
  let lastReport = t0;
  for (let i = 0; i < count; i++) {
    const target = targets[i % targets.length];
    const kind = pick(rng, kinds);
    const mine = baselines.get(target.name)!;
    const base = mine[int(rng, mine.length)];
    const c = makeCase(rng, kind, base, target.name);
    perKind[c.kind] = (perKind[c.kind] ?? 0) + 1;
    const violations = checkCase(target, c);
    if (violations.length) {
      // One finding per target, kind and violated property (the first case found is kept).
      const key = `${target.name} ${c.kind} ${violations.map((x) => x.split(':')[0]).join(',')}`;
      if (!seen.has(key)) {
        seen.add(key);
        findings++;
        mkdirSync(outDir, { recursive: true });
        // The seed is part of the name, so a later campaign never overwrites an earlier finding.
        const name = `${c.kind}-${fnv(`${key} seed ${seed}`)}.hex`;
        writeFileSync(join(outDir, name), `# target: ${target.name}\n` + findingText({ case: c, violations, seed, index: i }));
        console.log(`finding ${findings}: ${name}: ${target.name}: ${violations[0].slice(0, 200)}`);
      }
    }
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      console.log(`${i + 1} / ${count} inputs, ${findings} findings, ${((i + 1) / ((lastReport - t0) / 1000)).toFixed(0)} inputs/s`);
    }
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(
    `fuzz: ${count} inputs (seed ${seed}) against ${targets.map((t) => t.name).join(', ')} in ${secs.toFixed(1)} s; per kind ${JSON.stringify(perKind)}`,
  );
  console.log(`fuzz: ${findings} distinct findings${findings ? ` written to ${outDir}` : ''}`);
  return findings ? 1 : 0;
}

main().then(
  (c) => {
    process.exitCode = c;
  },
  (e) => {
    console.error(e);
    process.exitCode = 2;
  },
);
