// The device build only contains the modules its manifest names: a new folder of shared code that
// is not in manifests/manifest_core.json compiles on the PC and fails on the device. Check that
// every folder of decoders/ and firmware/app/ holding TypeScript has its wildcard entry.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function foldersWithTs(dir: string): string[] {
  const entries = readdirSync(dir);
  const here = entries.some((e) => e.endsWith('.ts') && !e.endsWith('.d.ts')) ? [relative(root, dir)] : [];
  return here.concat(...entries.map((e) => join(dir, e)).filter((p) => statSync(p).isDirectory()).map(foldersWithTs));
}

test('manifest_core.json maps every shared source folder', () => {
  // The manifest is JSON with tab indentation and a "//" comment key: plain JSON.parse reads it.
  const manifest = JSON.parse(readFileSync(join(root, 'manifests/manifest_core.json'), 'utf8'));
  const keys = Object.keys(manifest.modules);
  const folders = [...foldersWithTs(join(root, 'decoders')), ...foldersWithTs(join(root, 'firmware/app'))];
  expect(folders.length).toBeGreaterThan(10);
  const missing = folders.filter((f) => !keys.includes(`${f}/*`));
  expect(missing).toEqual([]);
});
