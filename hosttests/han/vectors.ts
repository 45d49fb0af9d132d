/** Test helper: discover the HAN vectors and feed them through the HAN splitters. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DecoderOptions, FrameResult } from '../../decoders/frame-result';
import { HdlcSplitter } from '../../decoders/hdlc/hdlc-splitter';
import { MbusSplitter } from '../../decoders/mbus/mbus-splitter';
import { parseHexText } from '../../decoders/util/hex';

export const HAN_DIR = join(__dirname, '..', 'vectors', 'han');

export interface HanVector {
  name: string;
  bytes: Uint8Array;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sidecar: any;
  isMbus: boolean;
  options: DecoderOptions;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (f.endsWith('.hex')) out.push(p);
  }
  return out;
}

export function loadHanVectors(): HanVector[] {
  return walk(HAN_DIR).map((file) => {
    const sidecar = JSON.parse(readFileSync(file.replace(/\.hex$/, '.json'), 'utf8'));
    const enc = sidecar.encryption;
    const options: DecoderOptions = {};
    if (enc?.ek) options.encryptionKey = parseHexText(enc.ek);
    if (enc?.ak) options.authenticationKey = parseHexText(enc.ak);
    const format = String(sidecar.format ?? '');
    return {
      name: relative(HAN_DIR, file).replace(/\.hex$/, ''),
      bytes: parseHexText(readFileSync(file, 'utf8')),
      sidecar,
      isMbus: format.indexOf('M-Bus') >= 0 || format.indexOf('mbus') >= 0 || file.indexOf('m-bus') >= 0,
      options,
    };
  });
}

export function splitterFor(v: HanVector, extra: DecoderOptions = {}): HdlcSplitter | MbusSplitter {
  const options = { ...v.options, ...extra };
  return v.isMbus ? new MbusSplitter(options) : new HdlcSplitter(options);
}

/** Feed bytes (optionally in chunks) and collect every result, flush included. */
export function decodeAll(v: HanVector, bytes: Uint8Array = v.bytes, chunkSizes?: number[], extra: DecoderOptions = {}): FrameResult[] {
  const s = splitterFor(v, extra);
  const out: FrameResult[] = [];
  const emit = (r: FrameResult) => out.push(r);
  if (!chunkSizes) s.push(bytes, emit);
  else {
    let at = 0;
    let i = 0;
    while (at < bytes.length) {
      const n = Math.max(1, chunkSizes[i++ % chunkSizes.length]);
      s.push(bytes.subarray(at, at + n), emit);
      at += n;
    }
  }
  s.flush(emit);
  return out;
}
