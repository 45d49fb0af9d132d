#!/usr/bin/env node
/**
 * Smoke check of the device build in the Moddable simulator, headless: starts a socat
 * pseudo-terminal pair, runs an already built mc.so in mcsim under xvfb-run (with the SDK's
 * xsbug-log as the debug console, so trace() output is captured), then checks over loopback:
 *   1. GET /api/v1/status answers and says "no-data" before any byte arrived, and lists the
 *      SDK natives the decoders use (CRC-16, AES-GCM, TextDecoder)
 *   2. DSMR telegrams written into the pty are decoded and give a headroom answer; after a restart (the stream locks onto the
 *      first format it sees, as a box on one meter should) a HAN HDLC frame is decoded too
 *   3. the gzipped page is served, unknown paths are 404
 *   4. past the connection limit a client gets 503 at once
 * It does not build or fetch anything: build first with `npm run sim` or
 *   node manifests/generate-modules.mjs && mcconfig -d -p lin -o OUT manifests/manifest.json && make -C OUT/tmp/lin/mc/debug/manifests -f makefile build
 * Needs: $MODDABLE (tools built; `npm install` once in $MODDABLE/tools/xsbug-log), xvfb-run, socat.
 *
 * Usage: node firmware/moddable/sim/sim-smoke.mjs --so OUT/bin/lin/mc/debug/manifests/mc.so [--port 8080]
 * The pty path must match config.meter.path of the lin build (/tmp/meterbox-sim-pty).
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hexFile, withDsmrCrc } from './sim-tools.mjs';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const MODDABLE = process.env.MODDABLE;
if (!MODDABLE) {
  console.error('MODDABLE is not set (docs/firmware.md)');
  process.exit(2);
}
const so = option('--so', '');
const port = Number(option('--port', '8080'));
const simPty = '/tmp/meterbox-sim-pty';
const meterIn = '/tmp/meterbox-meter-in';
if (!so || !existsSync(so)) {
  console.error('--so PATH to the simulator build (mc.so) is required');
  process.exit(2);
}

const children = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const results = [];
const check = (name, ok, detail = '') => {
  results.push(ok);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
};

function start(command, commandArgs, options = {}) {
  const child = spawn(command, commandArgs, { detached: true, stdio: ['pipe', options.log ?? 'ignore', options.log ?? 'ignore'], ...options.spawn });
  children.push(child);
  return child;
}

function stopAll() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM'); // the process group this script created
    } catch {
      /* already gone */
    }
  }
}

async function get(path) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  } catch (e) {
    return { status: 0, error: String(e) };
  }
}

async function status() {
  const r = await get('/api/v1/status');
  return r.status === 200 ? JSON.parse(r.body.toString()) : undefined;
}

function rawRequest() {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /api/v1/status HTTP/1.1\r\nhost: x\r\n\r\n'));
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('close', () => resolve(text.split('\r\n')[0]));
    socket.on('error', () => resolve(''));
  });
}

/** The telegram with its clock's seconds set to `second` and its CRC computed anew (sim-tools.mjs). */
function nextSecond(telegram, second) {
  return withDsmrCrc(telegram.toString('latin1').replace(/(0-0:1\.0\.0\(\d{10})\d\d/, `$1${String(second).padStart(2, '0')}`));
}

let sim;
async function startSim() {
  const log = openSync('/tmp/meterbox-sim-smoke.log', 'a');
  sim = start('xvfb-run', ['-a', 'node', 'xsbug-log', join(MODDABLE, 'build/bin/lin/release/mcsim'), join(MODDABLE, 'build/simulators'), so], {
    log,
    spawn: { cwd: join(MODDABLE, 'tools/xsbug-log'), env: { ...process.env, XSBUG_PORT: '5002', XSBUG_HOST: 'localhost' } },
  });
  for (let i = 0; i < 60; i++) {
    await sleep(500);
    const s = await status();
    if (s) return s;
  }
  return undefined;
}

async function stopSim() {
  try {
    process.kill(-sim.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  for (let i = 0; i < 40 && (await get('/api/v1/status')).status; i++) await sleep(250);
}

async function main() {
  start('socat', [`pty,raw,echo=0,link=${simPty}`, `pty,raw,echo=0,link=${meterIn}`]);
  for (let i = 0; i < 50 && !(existsSync(simPty) && existsSync(meterIn)); i++) await sleep(100);
  writeFileSync('/tmp/meterbox-sim-smoke.log', '');
  const first = await startSim();
  check('simulator answers GET /api/v1/status', !!first);
  if (!first) return;
  check('before any byte: headroom no-data', first.headroom?.status === 'no-data', first.headroom?.reason);
  const natives = ['crc16-arc', 'crc16-x25', 'aes-gcm', 'ascii-text'];
  check('decoders run with the SDK natives (CRC-16, AES-GCM, TextDecoder)', natives.every((n) => first.device?.natives?.includes(n)), JSON.stringify(first.device?.natives));

  const telegram = readFileSync(join(root, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt'));
  for (let i = 0; i < 3; i++) {
    // Each telegram one second later, as a meter sends them, so the headroom engine takes every
    // one as a new frame (its per-minute time memo included).
    writeFileSync(meterIn, nextSecond(telegram, i + 1));
    await sleep(700);
  }
  let s = await status();
  check('DSMR telegram through the pty decoded', s?.frames?.frames >= 3 && s?.frames?.errors === 0 && s?.meter?.protocol === 'dsmr', JSON.stringify(s?.frames));
  const h = s?.headroom;
  check('headroom worked out from the telegrams (no engine error)', h && h.status !== 'no-data' && h.limitedBy !== 'engine-error' && typeof h.threePhaseA === 'number' && typeof h.phases?.l1?.currentA === 'number', `${h?.status} ${h?.limitedBy} ${h?.threePhaseA} A`);

  const page = await get('/');
  check('page served gzipped from flash', page.status === 200 && page.headers.get('content-encoding') === 'gzip', `${page.body?.length} bytes after decoding`);
  check('unknown path 404', (await get('/no-such-page.html')).status === 404);

  const held = [];
  for (let i = 0; i < 4; i++) held.push(connect(port, '127.0.0.1'));
  await sleep(500);
  const refused = await rawRequest();
  held.forEach((socket) => socket.destroy());
  check('5th connection refused with 503', refused.startsWith('HTTP/1.1 503'), refused);
  await sleep(300);
  check('served again after the connections closed', (await get('/api/v1/status')).status === 200);

  await stopSim();
  const restarted = await startSim();
  check('simulator restarted for the HAN check', !!restarted);
  const han = hexFile(join(root, 'hosttests/vectors/han/roarfred/Kamstrup228.hex'));
  for (let i = 0; i < 2; i++) {
    writeFileSync(meterIn, han);
    await sleep(700);
  }
  s = await status();
  check('HAN HDLC frame through the pty decoded', s?.frames?.frames >= 1 && s?.meter?.format === 'hdlc', `${s?.meter?.manufacturer} ${s?.link?.line}`);
}

main()
  .catch((e) => check('smoke run', false, String(e)))
  .finally(() => {
    stopAll();
    const failed = results.filter((ok) => !ok).length;
    console.log(`${results.length - failed}/${results.length} checks passed (simulator log: /tmp/meterbox-sim-smoke.log)`);
    process.exit(failed ? 1 : 0);
  });
