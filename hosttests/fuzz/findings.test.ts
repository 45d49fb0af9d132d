// Replays every case the fuzz campaign (`npm run fuzz`) wrote to hosttests/fuzz/findings/, and the
// hand-made hostile cases kept there (seed-*.hex): each must now keep every property of
// fuzz-lib.ts for the target named in its header.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MeterStreamClass } from '../../tools/xs/harness-core';
import { MeterStream } from '../../decoders/meter-stream';
import { checkCase, meterStreamTarget, parseFinding, splitterTargets, type Target } from '../../tools/fuzz/fuzz-lib';

const dir = join(__dirname, 'findings');
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.hex'))
      .sort()
  : [];
const targets: Target[] = [meterStreamTarget(MeterStream as unknown as MeterStreamClass), ...splitterTargets()];

test('the findings folder holds the hand-made hostile cases at least', () => {
  expect(files.filter((f) => f.startsWith('seed-')).length).toBeGreaterThan(0);
});

test.each(files)('%s', (file) => {
  const text = readFileSync(join(dir, file), 'utf8');
  const targetName = /^# target: (\S+)/m.exec(text)?.[1] ?? 'MeterStream';
  const target = targets.find((t) => t.name === targetName);
  expect(target).toBeDefined();
  const c = parseFinding(text, file);
  expect(c.bytes.length).toBeGreaterThan(0);
  expect(checkCase(target!, c)).toEqual([]);
});
