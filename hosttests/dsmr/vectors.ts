/** Discovery of the P1 vectors in hosttests/vectors/p1 (every .json sidecar with its data file). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseHexText } from '../../decoders/util/hex';

export const P1_ROOT = join(__dirname, '..', 'vectors', 'p1');

export interface P1Vector {
  name: string; // path relative to P1_ROOT without extension
  dataFile: string;
  bytes: Uint8Array;
  sidecar: any;
}

export function loadP1Vectors(dir = P1_ROOT): P1Vector[] {
  const out: P1Vector[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) {
      out.push(...loadP1Vectors(full));
      continue;
    }
    if (!entry.endsWith('.json')) continue;
    const base = full.slice(0, -5);
    const ext = ['.txt', '.hex', '.bin'].find((e) => existsSync(base + e));
    if (ext === undefined) throw new Error(`sidecar without data file: ${full}`);
    const raw = readFileSync(base + ext);
    out.push({
      name: relative(P1_ROOT, base),
      dataFile: base + ext,
      bytes: ext === '.hex' ? parseHexText(raw.toString('latin1')) : new Uint8Array(raw),
      sidecar: JSON.parse(readFileSync(full, 'utf8')),
    });
  }
  return out;
}
