/**
 * The IT L2 estimate on real captures of 3-wire meters (they carry active and reactive power in
 * the full list): what the engine makes of L2 with the meter's own L2 figure left out, beside the
 * bound I1 + I3 and, where the meter sends one, the meter's L2. The table in docs/headroom.md is
 * generated here:
 *
 *   npx tsx hosttests/headroom/it-line2-captures.ts --write
 *
 * and hosttests/headroom/it-line2-captures.test.ts fails when the document and the engine disagree.
 * Captures and their provenance: hosttests/vectors/<dir>/<name>.json next to each .hex.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeterStream } from '../../decoders/meter-stream';
import { parseHexText } from '../../decoders/util/hex';
import type { MeterReading } from '../../decoders/reading';
import { createHeadroomState, stepHeadroom, validateHeadroomSettings } from '../../decoders/headroom/index';
import { replaceBlock, DOC_PATH } from './worked-examples';

const VECTORS = join(__dirname, '..', 'vectors');

/** 3-wire (IT) meters, each capture's first full list (the .json beside each names the source). */
export const IT_CAPTURES: { file: string; meter: string }[] = [
  { file: 'han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1.hex', meter: 'Aidon 6525' },
  { file: 'han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-2.hex', meter: 'Aidon 6525' },
  { file: 'han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L375-1.hex', meter: 'Aidon 6525' },
  { file: 'han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L375-2.hex', meter: 'Aidon 6525' },
  { file: 'han/ams-han-decoder/AIDON_V0001__6525-2-TSS721-frame-checksum-failures-on-large-frames-L267-1.hex', meter: 'Aidon 6525' },
  { file: 'han/ams-han-decoder/AIDON_V0001__6525-2-TSS721-frame-checksum-failures-on-large-frames-L267-2.hex', meter: 'Aidon 6525' },
  { file: 'han/amsreader-firmware/lg-e350-norway-it-list2.hex', meter: 'Landis+Gyr E350' },
  { file: 'han/ams-han-decoder/KFM_001__MA304H3E-1-ok-L121-1.hex', meter: 'Kaifa MA304H3E' },
  { file: 'han/ams-han-decoder/KFM_001__MA304H3E-4-ok-L121-1.hex', meter: 'Kaifa MA304H3E' },
  { file: 'han/roarfred/SampleData-L121.hex', meter: 'Kaifa MA304H3E' },
  { file: 'han/ams-han-decoder/KFM_001__MA304T4-3-ok-L120-1.hex', meter: 'Kaifa MA304T4' },
  { file: 'han/ams-han-decoder/KFM_001__MA304T4-3-ok-L120-2.hex', meter: 'Kaifa MA304T4' },
];

export interface CaptureRow {
  file: string;
  meter: string;
  i1A: number;
  i3A: number;
  powerW: number;
  reactiveVar: number;
  /** L2 as the meter sent it (3-wire Kaifa meters send a computed one), A. */
  meterL2A?: number;
  /** What the engine works with when the meter's L2 is left out, A, and where it comes from. */
  engineL2A: number;
  source: string;
  boundA: number;
}

function firstFull(file: string): MeterReading {
  const bytes = parseHexText(readFileSync(join(VECTORS, file), 'utf8'));
  const out: MeterReading[] = [];
  const ms = new MeterStream();
  const take = (r: { ok: boolean; reading?: MeterReading }) => {
    if (r.ok && r.reading) out.push(r.reading);
  };
  ms.push(bytes, take);
  ms.flush(take);
  const full = out.find((r) => r.l1?.currentA !== undefined && r.l3?.currentA !== undefined);
  if (!full) throw new Error(`${file}: no full list`);
  return full;
}

export function captureRows(): CaptureRow[] {
  const v = validateHeadroomSettings({ fuseA: 63, gridType: 'IT' });
  if (!v.ok) throw new Error(v.errors.join('; '));
  return IT_CAPTURES.map(({ file, meter }) => {
    const r = firstFull(file);
    const meterL2 = r.l2?.currentA;
    const hidden: MeterReading = { ...r, l2: { ...r.l2 } };
    delete hidden.l2!.currentA;
    const h = stepHeadroom(createHeadroomState(), { nowMs: Date.UTC(2026, 10, 23, 12), reading: hidden }, v.settings).headroom;
    const row: CaptureRow = {
      file,
      meter,
      i1A: r.l1!.currentA!,
      i3A: r.l3!.currentA!,
      powerW: (r.powerImportW ?? 0) - (r.powerExportW ?? 0),
      reactiveVar: (r.reactivePowerImportVar ?? 0) - (r.reactivePowerExportVar ?? 0),
      engineL2A: h.phases.l2.currentA!,
      source: h.phases.l2.currentSource,
      boundA: Math.round((r.l1!.currentA! + r.l3!.currentA!) * 1000) / 1000,
    };
    if (meterL2 !== undefined && meterL2 > 0) row.meterL2A = meterL2;
    return row;
  });
}

export function renderCaptures(rows: CaptureRow[]): string {
  const lines = [
    "| capture | meter | I1 A | I3 A | P W | Q var | meter's L2 A | engine's L2 A | bound I1 + I3 A |",
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const name = r.file
      .split('/')
      .slice(1)
      .join('/')
      .replace(/\.hex$/, '');
    lines.push(
      `| ${name} | ${r.meter} | ${r.i1A} | ${r.i3A} | ${r.powerW} | ${r.reactiveVar} | ${r.meterL2A ?? '-'} | ${r.engineL2A} (${r.source}) | ${r.boundA} |`,
    );
  }
  return lines.join('\n');
}

export function renderDocCaptures(doc: string): string {
  return replaceBlock(doc, 'l2-captures', renderCaptures(captureRows()));
}

if (process.argv.includes('--write') && /it-line2-captures\.ts$/.test(process.argv[1] ?? '')) {
  writeFileSync(DOC_PATH, renderDocCaptures(readFileSync(DOC_PATH, 'utf8')));
  process.stdout.write('docs/headroom.md L2 capture table rewritten\n');
}
