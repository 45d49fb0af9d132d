#!/usr/bin/env node
/**
 * Packs the local page (firmware/web/**) for the device: every file gzipped (level 9) into
 * build/web-gz/, named after its path with "/" replaced by "~" (Moddable resources are flat), e.g.
 * firmware/web/setup/index.html -> build/web-gz/setup~index.html.gz. manifests/manifest_web.json
 * lists that folder as resources; firmware/moddable/assets/flash-assets.ts serves them with
 * "content-encoding: gzip". Prints the sizes so growth of the page is visible in every build.
 * Usage: node firmware/moddable/assets/pack-web.mjs [webDir] [outDir]
 */
import { gzipSync } from 'node:zlib';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const webDir = process.argv[2] ?? join(root, 'firmware', 'web');
const outDir = process.argv[3] ?? join(root, 'build', 'web-gz');
const skip = (name) => name.endsWith('.ts') || name.endsWith('.md') || name.startsWith('.');

function walk(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    if (skip(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...walk(path));
    else files.push(path);
  }
  return files;
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
let rawTotal = 0;
let gzTotal = 0;
for (const file of walk(webDir)) {
  const name = relative(webDir, file).split(sep).join('~') + '.gz';
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 });
  writeFileSync(join(outDir, name), gz);
  rawTotal += raw.length;
  gzTotal += gz.length;
  console.log(`${name.padEnd(40)} ${String(raw.length).padStart(7)} -> ${String(gz.length).padStart(6)} bytes`);
}
console.log(`total ${rawTotal} -> ${gzTotal} bytes gzipped into ${outDir}`);
