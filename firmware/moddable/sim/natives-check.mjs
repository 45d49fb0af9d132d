#!/usr/bin/env node
/**
 * Runs the natives-check app (firmware/moddable/natives-check) in the Moddable simulator,
 * headless, and prints its lines: the SDK natives (CRC-16, AES-GCM, TextDecoder) against the
 * decoders' JavaScript on the real XS engine. Exit code 0 only when every check passed.
 * It does not build or fetch anything: build first with
 *   mcconfig -d -p lin -o OUT manifests/manifest_natives_check.json && make -C OUT/tmp/lin/mc/debug/manifests -f makefile build
 * Needs: $MODDABLE (tools built; `npm install` once in $MODDABLE/tools/xsbug-log), xvfb-run.
 *
 * Usage: node firmware/moddable/sim/natives-check.mjs --so OUT/bin/lin/mc/debug/manifests/mc.so
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const at = args.indexOf('--so');
const so = at >= 0 ? args[at + 1] : '';
const MODDABLE = process.env.MODDABLE;
if (!MODDABLE) {
  console.error('MODDABLE is not set (docs/firmware.md)');
  process.exit(2);
}
if (!so || !existsSync(so)) {
  console.error('--so PATH to the natives-check simulator build (mc.so) is required');
  process.exit(2);
}

const logPath = '/tmp/meterbox-natives-check.log';
writeFileSync(logPath, '');
const log = openSync(logPath, 'a');
const sim = spawn('xvfb-run', ['-a', 'node', 'xsbug-log', join(MODDABLE, 'build/bin/lin/release/mcsim'), join(MODDABLE, 'build/simulators'), so], {
  detached: true,
  stdio: ['ignore', log, log],
  cwd: join(MODDABLE, 'tools/xsbug-log'),
  env: { ...process.env, XSBUG_PORT: '5002', XSBUG_HOST: 'localhost' },
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let summary;
for (let i = 0; i < 240 && !summary; i++) {
  await sleep(500);
  summary = /natives-check: (\d+) passed, (\d+) failed/.exec(readFileSync(logPath, 'utf8'));
}
try {
  process.kill(-sim.pid, 'SIGTERM');
} catch {
  /* already gone */
}
const lines = readFileSync(logPath, 'utf8').split('\n').filter((l) => l.includes('natives-check'));
for (const line of lines) console.log(line.replace(/^.*?natives-check/, 'natives-check'));
if (!summary) {
  console.log(`natives-check: no summary within 120 s (simulator log: ${logPath})`);
  process.exit(1);
}
process.exit(Number(summary[2]) === 0 && Number(summary[1]) > 0 ? 0 : 1);
