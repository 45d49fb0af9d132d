#!/usr/bin/env node
// `npm test` runs this first (the `pretest` script): the XS engine suites need the xsnap-worker
// that tools/xs-engine's install builds from C. It is a separate install so that `npm install`
// and `npm start` need only Node. Here:
//   built already                     -> nothing to do
//   make and a C compiler on PATH     -> build it once (npm ci in tools/xs-engine, about 2 minutes)
//   no compiler                       -> say what is missing; the XS suites then report failures
// Never fails itself: the test summary counts what could not run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const platform = process.platform === 'darwin' ? 'mac' : 'lin';
const worker = join(here, 'node_modules', '@agoric', 'xsnap', 'xsnap-native', 'xsnap', 'build', 'bin', platform, 'release', 'xsnap-worker');

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

if (!existsSync(worker)) {
  const missing = ['make', 'cc'].filter((c) => !onPath(c));
  if (missing.length > 0) {
    console.log(`XS engine not installed and ${missing.join(' and ')} not found: the XS suites will fail.`);
    console.log('Install a compiler (Debian/Raspberry Pi OS: sudo apt-get install build-essential), then: npm run setup:xs');
  } else {
    console.log('Building the XS test engine once (tools/xs-engine: npm ci, about 2 minutes)...');
    // --loglevel=error: the engine's own JavaScript packages declare narrower Node versions (amaro
    // >= 22, @agoric/* ^20.9 || ^22.11) and npm warns about them; only the C worker is used.
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(worker)) console.log('The XS engine did not build (see above): the XS suites will fail.');
  }
}
