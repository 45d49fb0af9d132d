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
 *   4. past the connection limit a client gets 503 at once (4 idle connections from 2 addresses)
 *   5. the LAN attacks of issues 12 and 15 (lanChecks below), with a telegram a second flowing:
 *      drip-feed connections, 4,000-deep nested JSON, foreign Host, setup and logins through the
 *      PBKDF2 native (timed), and a rotating-address login flood while status is polled
 * It does not build or fetch anything: build first with `npm run sim` or
 *   node manifests/generate-modules.mjs && mcconfig -d -p lin -o OUT manifests/manifest.json && make -C OUT/tmp/lin/mc/debug/manifests -f makefile build
 * Needs: $MODDABLE (tools built), xvfb-run, socat, and the SDK's console xsbug-log with its
 * packages (`npm install` once in $MODDABLE/tools/xsbug-log, or in a copy given with --xsbug-log
 * DIR when the SDK is read-only). The console and the simulator meet on a free port of their own
 * (xsbug-log offers to kill whatever holds its port otherwise).
 *
 * Usage: node firmware/moddable/sim/sim-smoke.mjs --so OUT/bin/lin/mc/debug/manifests/mc.so [--port 8080]
 *          [--pty /tmp/meterbox-sim-pty] [--prefs DIR] [--xsbug-log DIR]
 * --port and --pty must match the build's config.http.port and config.meter.path (the lin defaults
 * 8080 and /tmp/meterbox-sim-pty; a wrapper manifest that sets others keeps runs apart, docs/firmware.md).
 * The setup check needs an unclaimed box: --prefs names the build's config.file.root, whose
 * modpreferences.json is removed before the run (the lin default is /tmp/, shared by every lin build).
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, hexFile, withDsmrCrc } from './sim-tools.mjs';

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
const simPty = option('--pty', '/tmp/meterbox-sim-pty');
const meterIn = simPty === '/tmp/meterbox-sim-pty' ? '/tmp/meterbox-meter-in' : `${simPty}-in`;
const prefs = option('--prefs', '');
const xsbugLog = option('--xsbug-log', join(MODDABLE, 'tools/xsbug-log'));
if (!so || !existsSync(so)) {
  console.error('--so PATH to the simulator build (mc.so) is required');
  process.exit(2);
}
if (!existsSync(join(xsbugLog, 'node_modules'))) {
  console.error(`${xsbugLog} has no node_modules: run npm install there (or pass --xsbug-log with a copy that has)`);
  process.exit(2);
}
const xsbugPort = String(await freePort());

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

function rawRequest(localAddress = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => socket.write('GET /api/v1/status HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n'));
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

/** One request with exact headers from a chosen source address; resolves { status, body, ms }. */
function send(method, path, { body, headers = {}, from = '127.0.0.1', timeoutMs = 5000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect({ port, host: '127.0.0.1', localAddress: from });
    let text = '';
    const done = () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4), ms: Date.now() - started });
    };
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('connect', () => {
      let head = `${method} ${path} HTTP/1.1\r\nhost: ${headers.host ?? '127.0.0.1'}\r\n`;
      for (const [name, value] of Object.entries(headers)) if (name !== 'host') head += `${name}: ${value}\r\n`;
      if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
      socket.write(head + '\r\n' + (body ?? ''));
    });
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
}

/** Issue 12 "Survive the LAN" and issue 15's login flood, on the device build, with a meter feeding it. */
async function lanChecks(telegram) {
  let second = 10;
  const meter = setInterval(() => writeFileSync(meterIn, nextSecond(telegram, second++ % 60)), 1000);
  const frames = async () => (await status())?.frames?.frames ?? -1;
  const JSON_TYPE = { 'content-type': 'application/json' };
  try {
    // drip-feed: 6 connections from 3 addresses, a header byte every 14 s, for 30 s; a client polls
    const drips = [];
    let step = 0;
    const dripText = 'ET /api/v1/status HTTP/1.1\r\nhost: 127.0.0.1\r\nx-drip: aaaaaaaaaaaa';
    for (let i = 0; i < 6; i++) {
      const socket = connect({ port, host: '127.0.0.1', localAddress: `127.0.3.${1 + (i % 3)}` }).on('error', () => undefined);
      socket.write('G');
      drips.push(socket);
    }
    const dripTimer = setInterval(() => drips.forEach((s) => !s.destroyed && s.write(dripText[step++ % dripText.length])), 14_000);
    const framesBefore = await frames();
    let answered = 0;
    for (let i = 0; i < 30; i++) {
      if ((await send('GET', '/api/v1/status', { from: '127.0.0.1' })).status === 200) answered++;
      await sleep(1000);
    }
    clearInterval(dripTimer);
    drips.forEach((s) => s.destroy());
    const framesAfter = await frames();
    check(
      'drip-feed (6 connections, 3 addresses, 1 byte per 14 s): status answered',
      answered === 30,
      `${answered}/30; frames ${framesBefore} -> ${framesAfter}`,
    );
    check('drip-feed: meter data kept flowing', framesAfter >= framesBefore + 20, `${framesAfter - framesBefore} frames in ~30 s`);

    // 4,000 nested '[' (8,000 bytes) aborted the XS machine before: now a 400 before JSON.parse
    const deep = '['.repeat(4000) + ']'.repeat(4000);
    const nested = await send('POST', '/api/v1/auth/login', { body: deep, headers: JSON_TYPE });
    check(
      'nested JSON (4,000 levels): 400 with the reason',
      nested.status === 400 && nested.body.includes('nests deeper'),
      `${nested.status} ${nested.body.slice(0, 80)}`,
    );
    const n1 = await frames();
    await sleep(2500);
    check('after the nested JSON: the box still runs and decodes', (await frames()) > n1);

    check('foreign Host: 421 (DNS rebinding)', (await send('GET', '/api/v1/settings', { headers: { host: 'evil.example' } })).status === 421);
    const plain = await send('POST', '/api/v1/auth/setup', { body: '{"password":"attacker pw 1"}', headers: { 'content-type': 'text/plain' } });
    check('text/plain claim of the unclaimed box: 415', plain.status === 415, String(plain.status));

    // setup and logins through the PBKDF2 native (kcl-pbkdf2.c), timed
    const setup = await send('POST', '/api/v1/auth/setup', { body: JSON.stringify({ password: 'sim lan password' }), headers: JSON_TYPE, timeoutMs: 60_000 });
    check('setup through the native PBKDF2', setup.status === 201, `${setup.status} in ${setup.ms} ms`);
    const wrong = await send('POST', '/api/v1/auth/login', { body: JSON.stringify({ password: 'wrong password' }), headers: JSON_TYPE, timeoutMs: 60_000 });
    // The device starts at most 2 password checks per 5 s for all strangers together
    // (deviceLoginThrottle, issue 15): setup and the wrong login took them; a third at once is a 503.
    await sleep(5200);
    const right = await send('POST', '/api/v1/auth/login', {
      body: JSON.stringify({ password: 'sim lan password' }),
      headers: JSON_TYPE,
      from: '127.0.0.5',
      timeoutMs: 60_000,
    });
    check(
      'login: wrong 401, right 200',
      wrong.status === 401 && right.status === 200,
      `wrong ${wrong.status} in ${wrong.ms} ms, right ${right.status} in ${right.ms} ms`,
    );
    console.log(`     simulator login timings (debug build, PC): setup ${setup.ms} ms, wrong ${wrong.ms} ms, right ${right.ms} ms`);

    // rotating-address login flood while a client polls status
    let stop = false;
    let attempts = 0;
    const tally = {};
    const attacker = async () => {
      while (!stop) {
        const n = attempts++;
        const r = await send('POST', '/api/v1/auth/login', {
          body: JSON.stringify({ password: `guess ${n}` }),
          headers: JSON_TYPE,
          from: `127.0.${10 + (Math.floor(n / 250) % 200)}.${1 + (n % 250)}`,
          timeoutMs: 10_000,
        });
        tally[r.status] = (tally[r.status] ?? 0) + 1;
      }
    };
    const attackers = Array.from({ length: 3 }, attacker);
    let polled = 0;
    let ok = 0;
    for (let i = 0; i < 40; i++) {
      polled++;
      if ((await send('GET', '/api/v1/status', { from: '127.0.0.1', timeoutMs: 3000 })).status === 200) ok++;
      await sleep(250);
    }
    stop = true;
    await Promise.all(attackers);
    check(
      'rotating-address login flood: >= 95 % of status polls answered',
      ok >= 0.95 * polled,
      `${ok}/${polled}; ${attempts} login attempts: ${JSON.stringify(tally)}`,
    );
  } finally {
    clearInterval(meter);
  }
}

let sim;
async function startSim() {
  const log = openSync('/tmp/meterbox-sim-smoke.log', 'a');
  sim = start('xvfb-run', ['-a', 'node', 'xsbug-log', join(MODDABLE, 'build/bin/lin/release/mcsim'), join(MODDABLE, 'build/simulators'), so], {
    log,
    spawn: { cwd: xsbugLog, env: { ...process.env, XSBUG_LOG_PORT: xsbugPort, XSBUG_PORT: xsbugPort, XSBUG_HOST: 'localhost' } },
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
  if (prefs) rmSync(join(prefs, 'modpreferences.json'), { force: true });
  start('socat', [`pty,raw,echo=0,link=${simPty}`, `pty,raw,echo=0,link=${meterIn}`]);
  for (let i = 0; i < 50 && !(existsSync(simPty) && existsSync(meterIn)); i++) await sleep(100);
  writeFileSync('/tmp/meterbox-sim-smoke.log', '');
  const first = await startSim();
  check('simulator answers GET /api/v1/status', !!first);
  if (!first) return;
  check('before any byte: headroom no-data', first.headroom?.status === 'no-data', first.headroom?.reason);
  const natives = ['crc16-arc', 'crc16-x25', 'aes-gcm', 'ascii-text'];
  check(
    'decoders run with the SDK natives (CRC-16, AES-GCM, TextDecoder)',
    natives.every((n) => first.device?.natives?.includes(n)),
    JSON.stringify(first.device?.natives),
  );

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
  check(
    'headroom worked out from the telegrams (no engine error)',
    h && h.status !== 'no-data' && h.limitedBy !== 'engine-error' && typeof h.threePhaseA === 'number' && typeof h.phases?.l1?.currentA === 'number',
    `${h?.status} ${h?.limitedBy} ${h?.threePhaseA} A`,
  );

  const page = await get('/');
  check('page served gzipped from flash', page.status === 200 && page.headers.get('content-encoding') === 'gzip', `${page.body?.length} bytes after decoding`);
  check('unknown path 404', (await get('/no-such-page.html')).status === 404);

  // 4 idle connections fill the table; a newcomer evicts the oldest idle one and is served
  const held = [];
  for (let i = 0; i < 4; i++) held.push(connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % 2)}` }).on('error', () => undefined));
  await sleep(500);
  const served = await rawRequest('127.0.0.9');
  held.forEach((socket) => socket.destroy());
  check('full of idle connections: a 5th client is served (oldest idle evicted)', served.startsWith('HTTP/1.1 200'), served);
  await sleep(300);
  check('served again after the connections closed', (await get('/api/v1/status')).status === 200);

  await lanChecks(telegram);

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
