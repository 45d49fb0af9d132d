// Hostile input against MeterStream and each splitter: a seeded, bounded sample of the campaign
// `npm run fuzz` runs at length (see fuzz-lib.ts for the properties). Deterministic: fast-check
// seeds pick the cases; a failure prints the violated property and the case's origin.
import fc from 'fast-check';
import type { MeterStreamClass } from '../../tools/xs/harness-core';
import { loadVectors } from '../../tools/xs/vector-catalog';
import { MeterStream } from '../../decoders/meter-stream';
import {
  baselineReadings,
  checkCase,
  makeCase,
  meterStreamTarget,
  rngFrom,
  int,
  splitterTargets,
  type Kind,
  type Target,
  type VectorBaseline,
} from '../../tools/fuzz/fuzz-lib';

const vectors = loadVectors();
const targets: Target[] = [meterStreamTarget(MeterStream as unknown as MeterStreamClass), ...splitterTargets()];
const baselines = new Map<string, VectorBaseline[]>(
  targets.map((t) => [t.name, vectors.filter((v) => t.accepts(v.family)).map((v) => ({ vector: v, readings: baselineReadings(t, v) }))]),
);

function sample(target: Target, kind: Kind, runs: number, seed: number): void {
  const mine = baselines.get(target.name)!;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (caseSeed) => {
      const rng = rngFrom(caseSeed);
      const c = makeCase(rng, kind, mine[int(rng, mine.length)], target.name);
      const violations = checkCase(target, c);
      if (violations.length)
        throw new Error(`${target.name} ${c.kind}${c.vector ? ` (from ${c.vector})` : ''}, case seed ${caseSeed}:\n  ${violations.join('\n  ')}`);
    }),
    { seed, numRuns: runs },
  );
}

test('the splitters behind MeterStream are all found for fuzzing', () => {
  expect(targets.map((t) => t.name)).toEqual(['MeterStream', 'DsmrSplitter', 'HdlcSplitter', 'MbusSplitter', 'BareDlmsSplitter']);
});

describe.each(targets.map((t) => [t.name, t] as const))('%s under hostile input', (_name, target) => {
  test('random bytes: never throws, buffers bounded, results well-formed, same results whatever the chunking', () => {
    sample(target, 'random', 150, 101);
  });
  test('real captures with bytes flipped, dropped, duplicated, truncated, inserted: never throws, bounded, chunk-independent', () => {
    sample(target, 'edit', 200, 102);
  });
  test('one byte substituted in a checksum-protected capture: an error, or exactly the unmutated readings', () => {
    sample(target, 'flip', 300, 103);
  });
  test('after garbage (and a cut-off copy of the frame) the next good frame still comes out', () => {
    sample(target, 'garbage-resync', 150, 104);
  });
  test('lying lengths (HDLC length field, M-Bus L, A-XDR lengths and counts with checksums fixed up): never throws, bounded', () => {
    sample(target, 'hdlc-length-lie', 100, 105);
    sample(target, 'axdr-length-lie', 150, 106);
    sample(target, 'mbus-length-lie', 60, 107);
  });
  test('DSMR content rewritten with a matching CRC: the parser never throws, values stay JSON-exact', () => {
    sample(target, 'dsmr-content', 150, 108);
  });
  test('encrypted frames with wrong keys: no reading', () => {
    sample(target, 'wrong-key', 60, 109);
  });
  test('small maxFrameBytes: overflow is reported, no buffer grows past the bound', () => {
    sample(target, 'small-buffer', 100, 110);
  });
});
