#!/usr/bin/env node
/**
 * Runs the natives-check app (firmware/moddable/natives-check) in the Moddable simulator,
 * headless, and prints its lines: the SDK natives (CRC-16, AES-GCM, TextDecoder, SHA-256) and the
 * PBKDF2 native (kcl-pbkdf2.c) against the app's and the decoders' JavaScript on the real XS engine.
 * Exit code 0 only when every check passed.
 * It does not build or fetch anything: build first with
 *   mcconfig -d -p lin -o OUT manifests/manifest_natives_check.json && make -C OUT/tmp/lin/mc/debug/manifests -f makefile build
 * Needs: $MODDABLE (tools built), xvfb-run, and the SDK's console xsbug-log with its packages
 * (`npm install` once in $MODDABLE/tools/xsbug-log, or in a copy of that folder given with
 * --xsbug-log DIR when the SDK is read-only). The console and the simulator meet on a free port of
 * their own, so other simulator runs on the machine are not disturbed (xsbug-log offers to kill
 * whatever holds its port otherwise).
 *
 * Usage: node firmware/moddable/sim/natives-check.mjs --so OUT/bin/lin/mc/debug/manifests/mc.so
 *          [--xsbug-log DIR] [--timeout-s 240]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './sim-tools.mjs';

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const so = option('--so') ?? '';
const MODDABLE = process.env.MODDABLE;
if (!MODDABLE) {
  console.error('MODDABLE is not set (docs/firmware.md)');
  process.exit(2);
}
if (!so || !existsSync(so)) {
  console.error('--so PATH to the natives-check simulator build (mc.so) is required');
  process.exit(2);
}
const xsbugLog = option('--xsbug-log') ?? join(MODDABLE, 'tools/xsbug-log');
if (!existsSync(join(xsbugLog, 'node_modules'))) {
  console.error(`${xsbugLog} has no node_modules: run npm install there (or pass --xsbug-log with a copy that has)`);
  process.exit(2);
}
const timeoutS = Number(option('--timeout-s') ?? 240);

const port = String(await freePort());
const logPath = join(mkdtempSync(join(tmpdir(), 'meterbox-natives-check-')), 'sim.log');
const log = openSync(logPath, 'a');
const sim = spawn('xvfb-run', ['-a', 'node', 'xsbug-log', join(MODDABLE, 'build/bin/lin/release/mcsim'), join(MODDABLE, 'build/simulators'), so], {
  detached: true,
  stdio: ['ignore', log, log],
  cwd: xsbugLog,
  env: { ...process.env, XSBUG_LOG_PORT: port, XSBUG_PORT: port, XSBUG_HOST: 'localhost' },
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let summary;
const started = Date.now();
while (!summary && Date.now() - started < timeoutS * 1000) {
  await sleep(500);
  summary = /natives-check: (\d+) passed, (\d+) failed/.exec(readFileSync(logPath, 'utf8'));
}
try {
  process.kill(-sim.pid, 'SIGTERM');
} catch {
  /* already gone */
}
const lines = readFileSync(logPath, 'utf8')
  .split('\n')
  .filter((l) => l.includes('natives-check'));
for (const line of lines) console.log(line.replace(/^.*?natives-check/, 'natives-check'));
if (!summary) {
  console.log(`natives-check: no summary within ${timeoutS} s (simulator log: ${logPath})`);
  process.exit(1);
}
process.exit(Number(summary[2]) === 0 && Number(summary[1]) > 0 ? 0 : 1);
