#!/usr/bin/env node
/**
 * Reads the PRELOADS of a makefile written by mcconfig and says how many of the decoders' and the
 * app core's modules (and of the device adapters) it preloads. Exits 1 below --min percent
 * (default 90) for decoders/ + firmware/app/: a module that is not preloaded is built in RAM at
 * every boot.
 *
 * Usage: node manifests/check-preloads.mjs OUT/tmp/esp32/release/manifests/makefile [--min 90] [--json]
 */
import { readFileSync } from 'node:fs';
import { FRAGMENTS, fragmentModules } from './generate-modules.mjs';

/** The module names after `-p` in the makefile's PRELOADS block, without ".xsb". */
export function makefilePreloads(text) {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('PRELOADS ='));
  const names = [];
  for (let i = start + 1; start >= 0 && i < lines.length; i++) {
    const m = /^\t-p (\S+)\.xsb\\?$/.exec(lines[i]);
    if (!m) break;
    names.push(m[1]);
  }
  return names;
}

export function coverage(preloads) {
  const set = new Set(preloads);
  const areas = {};
  for (const fragment of FRAGMENTS) {
    const modules = fragmentModules(fragment);
    const missing = modules.filter((name) => !set.has(name));
    areas[fragment.name] = { modules: modules.length, preloaded: modules.length - missing.length, missing };
  }
  return areas;
}

function main() {
  const args = process.argv.slice(2);
  const makefile = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  if (!makefile) {
    console.error('usage: node manifests/check-preloads.mjs MAKEFILE [--min 90] [--json]');
    process.exit(2);
  }
  const minIndex = args.indexOf('--min');
  const min = minIndex >= 0 ? Number(args[minIndex + 1]) : 90;
  const preloads = makefilePreloads(readFileSync(makefile, 'utf8'));
  const areas = coverage(preloads);
  const core = areas.core;
  const percent = core.modules ? (100 * core.preloaded) / core.modules : 0;
  if (args.includes('--json')) console.log(JSON.stringify({ makefile, preloads: preloads.length, percentCore: Number(percent.toFixed(1)), areas }, null, 2));
  else {
    console.log(`${makefile}: ${preloads.length} preloads`);
    for (const [name, area] of Object.entries(areas)) {
      console.log(`  ${name}: ${area.preloaded}/${area.modules} preloaded${area.missing.length ? ' (not: ' + area.missing.join(', ') + ')' : ''}`);
    }
    console.log(`decoders/ + firmware/app/ preloaded: ${percent.toFixed(1)} % (minimum ${min} %)`);
  }
  process.exit(percent >= min ? 0 : 1);
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) main();
