#!/usr/bin/env node
// Proves what the README promises a new user: the app installs and starts with Node alone.
//
//   node tools/install-check.mjs            (npm test runs it when CI=true; it needs the npm registry)
//
// For each install (`npm ci`, the plain install with the test tools, and `npm ci --omit=dev`, what
// a Raspberry Pi service needs), in a fresh copy of the tracked files:
//   - PATH holds no C compiler, make, python or node-gyp (a farm of links to every other program),
//     so any package that wants to compile fails the install;
//   - the install must succeed, print no EBADENGINE warning, and leave package-lock.json unchanged;
//   - `npm start` (the simulated meter, free port) must answer /api/v1/status with decoded frames.
// Prints one line per check and `install-check: N passed, N failed` at the end.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`install-check ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
}

const COMPILERS = /^(cc|c\+\+|gcc|g\+\+|cpp|clang.*|.*-gcc(-.*)?|.*-g\+\+(-.*)?|gcc-.*|g\+\+-.*|make|gmake|cmake|python.*|node-gyp|tcc|ld|as|.*-ld|.*-as)$/;

/** A directory of links to every program on PATH except compilers, make and python. */
function compilerFreePath(workDir) {
  const bin = join(workDir, 'bin');
  mkdirSync(bin);
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/bin'])) {
    // Not the programs of an install (npm run puts this checkout's node_modules/.bin on PATH: a tsx
    // from there would hide one missing from the copy) nor npm's node-gyp shim.
    if (!dir || !existsSync(dir) || /node_modules[/\\].bin|node-gyp-bin/.test(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (COMPILERS.test(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  return bin;
}

function copyTrackedFiles(to) {
  const files = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(root, f))) continue; // deleted in the work tree
    mkdirSync(dirname(join(to, f)), { recursive: true });
    cpSync(join(root, f), join(to, f));
  }
  // The work tree's package files, so uncommitted dependency changes are what gets checked.
  for (const f of ['package.json', 'package-lock.json']) cpSync(join(root, f), join(to, f));
  return files.length;
}

function runNpm(args, cwd, env) {
  return spawnSync('npm', args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

async function startApp(cwd, env, settingsPath) {
  const child = spawn('npm', ['start', '--', '--port', '0', '--quiet', '--settings', settingsPath], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM'); // npm, sh and the app: the group this check started
    } catch {
      /* already gone */
    }
  };
  const deadline = Date.now() + 60000;
  let frames = 0;
  let port;
  while (Date.now() < deadline && child.exitCode === null) {
    port ??= /Open http:\/\/localhost:(\d+)/.exec(out)?.[1];
    if (port) {
      try {
        const s = await (await fetch(`http://127.0.0.1:${port}/api/v1/status`)).json();
        frames = s.frames.frames;
        if (frames > 0) break;
      } catch {
        /* not up yet */
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  return { frames, out };
}

const work = mkdtempSync(join(tmpdir(), 'meterbox-install-'));
try {
  const bin = compilerFreePath(work);
  const env = { ...process.env, PATH: bin, npm_config_audit: 'false', npm_config_fund: 'false' };
  delete env.npm_config_prefix;
  const noCompiler = spawnSync('sh', ['-c', 'command -v cc || command -v gcc || command -v make || command -v python3'], { env, encoding: 'utf8' });
  check('PATH without a C compiler, make or python', noCompiler.status !== 0, noCompiler.stdout.trim());

  for (const [label, args] of [
    ['npm ci', ['ci']],
    ['npm install', ['install']],
    ['npm ci --omit=dev', ['ci', '--omit=dev']],
  ]) {
    const dir = join(work, label.replace(/[^a-z]+/g, '-'));
    mkdirSync(dir);
    copyTrackedFiles(dir);
    const lockBefore = readFileSync(join(dir, 'package-lock.json'), 'utf8');
    const r = runNpm(args, dir, env);
    const output = r.stdout + r.stderr;
    check(`${label} without a compiler (node ${process.version})`, r.status === 0, r.status === 0 ? '' : output.slice(-800));
    const engines = output.split('\n').filter((l) => l.includes('EBADENGINE'));
    check(`${label}: no EBADENGINE warning`, engines.length === 0, engines.slice(0, 4).join(' | '));
    check(`${label}: package-lock.json unchanged`, readFileSync(join(dir, 'package-lock.json'), 'utf8') === lockBefore);
    if (r.status !== 0) continue;
    const app = await startApp(dir, env, join(dir, 'settings.json'));
    check(`${label}: npm start decodes the simulated meter`, app.frames > 0, app.frames > 0 ? `${app.frames} frames` : app.out.slice(-800));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`install-check: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
