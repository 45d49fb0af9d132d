/**
 * The decoders' golden dump: every capture in hosttests/vectors/ (P1 and HAN, the ones that
 * decode and the ones rejected on purpose) fed whole through a MeterStream with the options its
 * sidecar implies (those failing a checksum once more with the check off), and every plaintext APDU in hosttests/han-meters/apdus/ through the raw-APDU
 * path, written as one JSON line per input: its results (reading or error) in order, the raw
 * bytes of each result as a length, and the stream's statistics.
 *
 *   npx tsx tools/golden/decoders-dump.ts           rewrite hosttests/golden/decoders-dump.jsonl
 *   npx tsx tools/golden/decoders-dump.ts --check   exit 1 and print the lines that differ
 *
 * hosttests/golden/decoders-dump.test.ts keeps the file equal to what the decoders give, so a
 * change in any decoded value shows up in review as a diff of this file. Commit messages that
 * say "same results (golden dump)" refer to it; a commit that changes a value regenerates it and
 * says why each line changed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameResult } from '../../decoders/frame-result';
import { MeterStream } from '../../decoders/meter-stream';
import { decoderOptions } from '../xs/harness-core';
import { loadVectors } from '../xs/vector-catalog';
import { capturesIn, APDUS } from '../captures/han-captures';
import { decodeRawApdu } from '../../decoders/dlms/raw-apdu';

const ROOT = join(__dirname, '..', '..');
export const GOLDEN_FILE = join(ROOT, 'hosttests', 'golden', 'decoders-dump.jsonl');

function resultJson(r: FrameResult): Record<string, unknown> {
  const o: Record<string, unknown> = { ok: r.ok };
  if (r.format !== undefined) o.format = r.format;
  if (r.ok) o.reading = r.reading;
  else o.error = r.error;
  if (r.raw !== undefined) o.rawBytes = r.raw.length;
  return o;
}

/** The dump as lines (no trailing newline), in a stable order. */
export function goldenDumpLines(): string[] {
  const lines: string[] = [];
  for (const v of loadVectors()) {
    const run = (skipChecksum: boolean): { results: Record<string, unknown>[]; stats: unknown } => {
      const options = decoderOptions(v.options);
      if (skipChecksum) options.skipChecksum = true;
      const stream = new MeterStream(options);
      const results: Record<string, unknown>[] = [];
      const emit = (r: FrameResult): void => {
        results.push(resultJson(r));
      };
      stream.push(v.bytes, emit);
      stream.flush(emit);
      return { results, stats: stream.stats() };
    };
    const checked = run(false);
    lines.push(JSON.stringify({ vector: v.name, ...checked }));
    // Captures whose checksum fails (made-up CRCs of specification examples, damaged frames):
    // what their content decodes to when the check is turned off, as the tests do.
    if (checked.results.some((r) => (r.error as { code?: string } | undefined)?.code === 'checksum')) {
      lines.push(JSON.stringify({ vector: v.name, skipChecksum: true, ...run(true) }));
    }
  }
  for (const sub of ['amsreader-firmware']) {
    for (const c of capturesIn(join(APDUS, sub))) {
      lines.push(JSON.stringify({ apdu: `${sub}/${c.name}`, results: decodeRawApdu(c.bytes).map(resultJson) }));
    }
  }
  return lines;
}

function main(): void {
  const text = goldenDumpLines().join('\n') + '\n';
  if (process.argv.includes('--check')) {
    const old = readFileSync(GOLDEN_FILE, 'utf8').split('\n');
    const now = text.split('\n');
    let differ = 0;
    for (let i = 0; i < Math.max(old.length, now.length); i++) {
      if (old[i] === now[i]) continue;
      differ++;
      console.log(`- ${old[i] ?? ''}\n+ ${now[i] ?? ''}`);
    }
    console.log(differ === 0 ? 'golden dump: equal' : `golden dump: ${differ} lines differ`);
    process.exitCode = differ === 0 ? 0 : 1;
    return;
  }
  writeFileSync(GOLDEN_FILE, text);
  console.log(`wrote ${GOLDEN_FILE} (${text.split('\n').length - 1} lines)`);
}

if (require.main === module) main();
