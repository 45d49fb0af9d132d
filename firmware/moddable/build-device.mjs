#!/usr/bin/env node
/**
 * Builds (and flashes) the device app with the user's Moddable SDK and ESP-IDF; the npm scripts
 * build:esp32, deploy:esp32, their :debug twins and sim call it. It fetches nothing: $MODDABLE (and
 * for ESP32 boards $IDF_PATH, with ESP-IDF's export.sh sourced) must be set up as docs/firmware.md
 * says.
 *
 *   1. packs the page (assets/pack-web.mjs -> build/web-gz/)
 *   2. names every module for mcconfig (manifests/generate-modules.mjs -> build/manifests/)
 *   3. runs mcconfig -m on manifests/manifest.json
 *
 * Release is the default: no xsbug connection, and an XS abort (memory full, stack overflow)
 * restarts the box instead of waiting for a debugger. The image the build leaves
 * ($MODDABLE/build/bin/esp32/release/manifests/xs_esp32.bin, or OUT/bin/... with --out) is also the
 * OTA image. --debug makes a development build (mcconfig -d), --instrument an instrumented one
 * (mcconfig -i: GET /api/v1/device/memory then reports the XS heap).
 *
 * --signed [KEY.pem] makes a signed build (docs/signing-keys.md): tools/firmware/signed-build.ts
 * writes build/signed-<chip>/ (the board's sdkconfig with the chip's signed-app fragment merged in,
 * the verification key, and a manifest that sets config.ota.signatureScheme), mcconfig builds that
 * manifest, and the image is signed with tools/firmware/sign-image.ts into xs_esp32.signed.bin
 * beside it. Without KEY.pem the repository's release public key is used (keys/README.md); with
 * a public key only, the image is left for the signing machine and the command to sign it is
 * printed. Only `build`: the first signed image goes onto a board by cable as docs/signing-keys.md
 * says. --dry-run writes build/signed-<chip>/ too (so it can be read) and prints the commands;
 * --signed-config DIR writes that configuration elsewhere (the tests do, to leave build/ alone).
 *
 * Usage: node firmware/moddable/build-device.mjs esp32|lin build|deploy|run
 *          [--board esp32/esp32c3|esp32/esp32s3] [--debug] [--instrument] [--out DIR]
 *          [--signed [KEY.pem]] [--signed-config DIR] [--dry-run]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const [family, action] = args;
const board = option('--board') ?? family;
const out = option('--out');
const debug = args.includes('--debug');
const instrument = args.includes('--instrument');
const dryRun = args.includes('--dry-run');
const signed = args.includes('--signed');
const signedValue = option('--signed');
const signingKey = signedValue !== undefined && !signedValue.startsWith('--') ? signedValue : undefined;
const signedConfig = option('--signed-config');

function fail(message) {
  console.error(`build-device: ${message}`);
  process.exit(1);
}

if (!['esp32', 'lin'].includes(family) || !['build', 'deploy', 'run'].includes(action)) {
  fail('usage: build-device.mjs esp32|lin build|deploy|run [--board esp32/esp32c3] [--debug] [--instrument] [--out DIR]');
}
if (!board.startsWith(family)) fail(`--board ${board} is not a ${family} board`);
if (!process.env.MODDABLE) fail('MODDABLE is not set: install the Moddable SDK 8.2.x and export MODDABLE (docs/firmware.md)');
if (family === 'esp32' && !process.env.IDF_PATH) fail('IDF_PATH is not set: install ESP-IDF v6.0 and source its export.sh (docs/firmware.md)');
if (signed && family !== 'esp32') fail('--signed is for ESP32 boards (the simulator takes unsigned images)');
if (signed && action !== 'build') fail('--signed builds only (build): flash the first signed image by cable as docs/signing-keys.md says');

function run(command, commandArgs, env = process.env) {
  console.log(`> ${command} ${commandArgs.join(' ')}`);
  if (dryRun) return;
  const r = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run(process.execPath, [join(root, 'firmware/moddable/assets/pack-web.mjs')]);
run(process.execPath, [join(root, 'manifests/generate-modules.mjs')]);

// mcconfig compiles the .ts modules with the tsc it finds on PATH (>= 6): this repository's.
const env = { ...process.env, PATH: [join(process.env.MODDABLE, 'build/bin/lin/release'), join(root, 'node_modules/.bin'), process.env.PATH].join(delimiter) };
const tsx = join(root, 'node_modules/.bin/tsx');
const outputRoot = out ? resolve(out) : join(process.env.MODDABLE, 'build');

/** The signed configuration (written even on --dry-run: it is what the build would use). */
function prepareSigned() {
  const prepare = ['tools/firmware/signed-build.ts', 'prepare', '--board', board, '--output-root', outputRoot];
  if (signingKey) prepare.push('--key', isAbsolute(signingKey) ? signingKey : resolve(process.cwd(), signingKey)); // else keys/ (signed-build.ts)
  if (signedConfig) prepare.push('--out', resolve(process.cwd(), signedConfig));
  if (debug) prepare.push('--debug');
  if (instrument) prepare.push('--instrument');
  console.log(`> tsx ${prepare.join(' ')}`);
  const r = spawnSync(tsx, prepare, { cwd: root, encoding: 'utf8', env });
  if (r.status !== 0) fail((r.stderr || r.stdout).trim().replace(/^signed-build: /, ''));
  const plan = JSON.parse(r.stdout.trim().split('\n').pop());
  console.log(`signed build: ${plan.scheme}, sdkconfig ${plan.sdkconfigDir}, manifest ${plan.manifest}`);
  return plan;
}
const plan = signed ? prepareSigned() : undefined;

const mcconfig = ['-m', '-p', board];
if (debug) mcconfig.push('-d');
if (instrument) mcconfig.push('-i');
if (action === 'build') mcconfig.push('-t', 'build');
if (out) {
  mkdirSync(out, { recursive: true });
  mcconfig.push('-o', out);
}
mcconfig.push(plan ? plan.manifest : join(root, 'manifests/manifest.json'));
if (!dryRun && !existsSync(join(root, 'build/manifests/core.json'))) fail('build/manifests/core.json missing');
run('mcconfig', mcconfig, env);

if (plan) {
  const sign = ['tools/firmware/sign-image.ts', 'sign', '--key', plan.key, '--out', plan.signedImage, plan.image];
  if (!plan.canSign) {
    console.log(`${plan.image} is built for ${plan.scheme} but not signed: ${plan.key} is a public key.`);
    console.log(`On the signing machine: npx tsx ${sign.join(' ').replace(plan.key, 'meterbox-release.key.pem')}`);
  } else {
    if (!dryRun && !existsSync(plan.image)) fail(`the build left no image at ${plan.image}`);
    run(tsx, sign, env);
    run(tsx, ['tools/firmware/sign-image.ts', 'verify', '--key', plan.key, plan.signedImage], env);
    console.log(`signed image: ${plan.signedImage} (upload this one; the first one goes on by cable, docs/signing-keys.md)`);
  }
}
