/**
 * The committed golden dump (hosttests/golden/decoders-dump.jsonl, written by
 * tools/golden/decoders-dump.ts) equals what the decoders give today: every capture and APDU,
 * every result, reading field by field. A change shows as the lines that differ; regenerate the
 * file with `npx tsx tools/golden/decoders-dump.ts` only when the change is meant, and say in the
 * commit why each line changed.
 */
import { readFileSync } from 'node:fs';
import { GOLDEN_FILE, goldenDumpLines } from '../../tools/golden/decoders-dump';

test('decoders golden dump is up to date', () => {
  const committed = readFileSync(GOLDEN_FILE, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const now = goldenDumpLines();
  const name = (l: string | undefined): string => (l === undefined ? '(none)' : String(JSON.parse(l).vector ?? JSON.parse(l).apdu));
  const differ: string[] = [];
  for (let i = 0; i < Math.max(committed.length, now.length); i++) {
    if (committed[i] !== now[i]) differ.push(`${name(committed[i])} -> ${name(now[i])}`);
  }
  expect(differ).toEqual([]);
  expect(now.length).toBeGreaterThan(100);
});
