// The project must stand on its own: the vectors the tests, benchmark and default replay use
// are copied into hosttests/vectors with their provenance sidecars.
import { readdirSync, statSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', 'vectors');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

test('every vector has a provenance sidecar naming its source', () => {
  const files = walk(root).filter((f) => /\.(hex|txt|bin)$/.test(f));
  expect(files.length).toBeGreaterThan(50);
  for (const f of files) {
    const sidecar = f.replace(/\.(hex|txt|bin)$/, '.json');
    expect(existsSync(sidecar)).toBe(true);
    const meta = JSON.parse(readFileSync(sidecar, 'utf8'));
    expect(typeof meta.source).toBe('object');
  }
});
