#!/usr/bin/env node
// The test command (`npm test`): runs every suite, then prints one line `N passed, N failed`
// that sums them all. Suites:
//   typecheck  each tsconfig counts as one test (decoders purity, app core purity, host, moddable)
//   jest       unit, golden-vector, property/fuzz sample, end-to-end (pty, WebSocket, Chromium)
//   lint       ESLint over the tree (one test); format: Prettier, counted once enforced
//   xs         the decoders and headroom under the real XS engine, output equal to Node's
//   install    under CI: a compiler-free install and start (tools/install-check.mjs)
// Any suite that prints its own closing line `name: N passed, N failed` is summed the same way.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
const lines = [];

function run(cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extraEnv }, maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  return r;
}

// 1. Type checks: purity of decoders/ and firmware/app/ is enforced by their own configs.
const tsconfigs = ['decoders/tsconfig.json', 'firmware/app/tsconfig.json', 'tsconfig.json', 'firmware/moddable/tsconfig.json'];
for (const config of tsconfigs) {
  if (!existsSync(join(root, config))) continue;
  const r = run('npx', ['tsc', '--noEmit', '-p', config]);
  if (r.status === 0) {
    passed++;
    lines.push(`typecheck ${config}: ok`);
  } else {
    failed++;
    lines.push(`typecheck ${config}: FAILED`);
  }
}

// 1b. Lint (ESLint, eslint.config.mjs) counts as one test; the format check (Prettier) counts once
// package.json says "config": {"formatCheck": "enforce"}, until then it only reports.
{
  const r = run('npx', ['eslint', '.']);
  if (r.status === 0) {
    passed++;
    lines.push('lint: ok');
  } else {
    failed++;
    lines.push('lint: FAILED (npx eslint .)');
  }
  const formatCheck = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).config?.formatCheck;
  const f = spawnSync('npx', ['prettier', '--list-different', '.'], { cwd: root, encoding: 'utf8' });
  const differing = f.stdout.split('\n').filter(Boolean).length;
  if (formatCheck !== 'enforce')
    lines.push(`format: ${differing} files differ from Prettier (not enforced: npm run format, then npm pkg set config.formatCheck=enforce)`);
  else if (f.status === 0) {
    passed++;
    lines.push('format: ok');
  } else {
    failed++;
    lines.push(`format: FAILED, ${differing} files differ (npm run format)`);
  }
}

// 2. jest
const out = join(mkdtempSync(join(tmpdir(), 'jest-')), 'result.json');
const jestArgs = ['jest', '--json', `--outputFile=${out}`, ...process.argv.slice(2)];
const jr = run('npx', jestArgs);
if (existsSync(out)) {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  passed += j.numPassedTests;
  failed += j.numFailedTests;
  // A suite that failed to load (syntax error, missing module) has no test results: count it.
  const brokenSuites = j.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  failed += brokenSuites;
  lines.push(`jest: ${j.numPassedTests} passed, ${j.numFailedTests + brokenSuites} failed (${j.numTotalTestSuites} suites)`);
} else {
  failed++;
  lines.push(`jest: did not run (exit ${jr.status})`);
}

// 3. The XS engine suite.
if (existsSync(join(root, 'hosttests/xs/run-xs.ts'))) {
  const xr = run('npx', ['tsx', 'hosttests/xs/run-xs.ts']);
  const m = /(\d+) passed, (\d+) failed/.exec(
    String(xr.stdout)
      .trim()
      .split('\n')
      .filter((l) => /passed, \d+ failed/.test(l))
      .pop() ?? '',
  );
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    lines.push(`xs: ${m[1]} passed, ${m[2]} failed`);
  } else {
    failed++;
    lines.push(`xs: no result line (exit ${xr.status})`);
  }
  if (xr.status !== 0 && m && Number(m[2]) === 0) {
    failed++;
    lines.push('xs: runner exited non-zero');
  }
}

// 4. In CI (or INSTALL_CHECK=1): install from the lock without a C compiler (plain and --omit=dev)
// and start the app (tools/install-check.mjs; needs the npm registry).
if (process.env.CI === 'true' || process.env.INSTALL_CHECK === '1') {
  const ir = run('node', ['tools/install-check.mjs']);
  const m = /install-check: (\d+) passed, (\d+) failed/.exec(String(ir.stdout));
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    lines.push(`install-check: ${m[1]} passed, ${m[2]} failed`);
  } else {
    failed++;
    lines.push(`install-check: no result line (exit ${ir.status})`);
  }
}

console.log('\n' + lines.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
