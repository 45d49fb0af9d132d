#!/usr/bin/env node
/**
 * `npm run sim:memory`: how much XS memory the whole device app needs, measured in the Moddable
 * simulator with a fixed workload, headless, with nothing else on the machine touched (no
 * `pkill mcsim`, its own port and pseudo-terminal, its own build directory).
 *
 *  1. builds the instrumented simulator app (mcconfig -i -p lin, release) into build/sim-memory/
 *     with the lin budgets of manifests/manifest.json: the same slot count and chunk bytes as the
 *     ESP32 block, fixed (incremental 0), so a run that would not fit aborts here too. It builds a
 *     wrapper manifest (OUT/sim-memory-app/manifest.json) that includes manifests/manifest.json and
 *     gives the simulator a Preference folder of its own (OUT/prefs/, config.file.root): the lin
 *     default /tmp/ is shared by every lin build on the machine, and each run starts from an
 *     unclaimed box with no stored settings
 *  2. DSMR run: socat pseudo-terminal -> mcsim under xvfb-run; 300 DSMR 5 telegrams at 1/s, each
 *     with its clock advanced and a fresh CRC-16/ARC; 2 WebSocket clients on /ws throughout; the
 *     page (/) and /api/v1/status every 5 s
 *  3. HAN run (a new start: the stream locks onto the first format it sees, as a box on one meter
 *     does): the keys are set through the API, then 150 HDLC frames of an AES-128-GCM encrypted
 *     meter (aidon-example-2-with-aad, synthetic, published keys) at 1/s, each re-encrypted with a
 *     fresh invocation counter and its meter clock advanced, FCS recomputed; same clients and polls
 *  4. reads GET /api/v1/device/memory (firmware/moddable/platform/memory-monitor.ts: live figures
 *     after a forced garbage collection, sampled every second) every 5 s and prints, per run: peak
 *     live slots, peak chunk bytes, the ESP32 estimate (slots x 16 + chunk bytes), and the slot
 *     growth from the first minute to the last minute; as text and as JSON (--json FILE too).
 *
 * Exit 1 when the simulator stops answering (an abort: memory full), a run decodes nothing, the
 * ESP32 estimate passes --budget-kb (default 160) or live slots grow by more than --growth-slots
 * (default 100) from the first minute to the last.
 *
 * Needs: $MODDABLE (built tools), xvfb-run, socat; builds with this repository's tsc.
 * Usage: node firmware/moddable/sim/sim-memory.mjs [--skip-build] [--out DIR] [--telegrams 300]
 *          [--han-frames 150] [--interval-ms 1000] [--json FILE] [--budget-kb 160] [--growth-slots 100]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { crc16X25, findFile, freePort, hexFile, withDsmrCrc } from './sim-tools.mjs';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const MODDABLE = process.env.MODDABLE;
const outDir = option('--out', join(root, 'build', 'sim-memory'));
const telegrams = Number(option('--telegrams', '300'));
const hanFrames = Number(option('--han-frames', '150'));
const intervalMs = Number(option('--interval-ms', '1000'));
const budgetBytes = Number(option('--budget-kb', '160')) * 1024;
const growthLimit = Number(option('--growth-slots', '100'));
const jsonFile = option('--json', '');
const PASSWORD = 'meterbox-memory-run';

if (!MODDABLE) {
  console.error('sim-memory: MODDABLE is not set (docs/firmware.md)');
  process.exit(2);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const children = new Set();

function startGroup(command, commandArgs, options = {}) {
  const child = spawn(command, commandArgs, {
    detached: true,
    stdio: ['ignore', options.log ?? 'ignore', options.log ?? 'ignore'],
    cwd: options.cwd,
    env: options.env ?? process.env,
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Ends a process group this script started (never anything else). */
function stopGroup(child) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

process.on('exit', () => {
  for (const child of children) stopGroup(child);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

// ---- build ---------------------------------------------------------------------------------

function run(command, commandArgs, env) {
  const r = spawnSync(command, commandArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write((r.stdout ?? '').slice(-4000) + (r.stderr ?? '').slice(-4000));
    throw new Error(`${command} ${commandArgs.join(' ')} failed (${r.status})`);
  }
  return r.stdout;
}

const APP = 'sim-memory-app'; // the wrapper manifest's folder: mcconfig names the build after it
const prefsDir = join(outDir, 'prefs');

/** The build of this script's wrapper manifest (not another manifest built into the same folder). */
const builtFile = (tree, name) => findFile(join(outDir, tree, 'lin', 'mc', 'instrument', APP), name);

function build(port, ptyPath) {
  const env = { ...process.env, PATH: [join(MODDABLE, 'build/bin/lin/release'), join(root, 'node_modules/.bin'), process.env.PATH].join(delimiter) };
  run(process.execPath, [join(root, 'firmware/moddable/assets/pack-web.mjs')], env);
  run(process.execPath, [join(root, 'manifests/generate-modules.mjs')], env);
  mkdirSync(join(outDir, APP), { recursive: true });
  mkdirSync(prefsDir, { recursive: true });
  const wrapper = { include: [join(root, 'manifests/manifest.json')], platforms: { lin: { config: { file: { root: prefsDir + '/' } } } } };
  writeFileSync(join(outDir, APP, 'manifest.json'), JSON.stringify(wrapper, null, '\t') + '\n');
  // httpPort/meterPath: top-level config strings main.ts reads, so this run has its own port and pty
  run('mcconfig', ['-i', '-p', 'lin', '-o', outDir, join(outDir, APP, 'manifest.json'), `httpPort=${port}`, `meterPath=${ptyPath}`], env);
  const makefile = builtFile('tmp', 'makefile');
  if (!makefile) throw new Error('mcconfig wrote no makefile');
  const started = Date.now();
  run('make', ['-C', join(makefile, '..'), '-f', 'makefile', 'build'], env);
  const check = spawnSync(process.execPath, [join(root, 'manifests/check-preloads.mjs'), makefile], { encoding: 'utf8' });
  return { makefile, buildSeconds: Math.round((Date.now() - started) / 1000), preloads: check.stdout.trim().split('\n').pop() };
}

// ---- meter data ----------------------------------------------------------------------------

const two = (n) => String(n).padStart(2, '0');

/** telegram_v5.txt with its clock at `date` (DSMR YYMMDDhhmmssX, winter time) and a fresh CRC. */
function dsmrTelegram(template, date) {
  const stamp = `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}W`;
  return withDsmrCrc(template.replace(/(0-0:1\.0\.0\()\d{12}[SW]/, `$1${stamp}`));
}

/**
 * A general-glo-ciphering HDLC frame (DLMS Green Book 9.2.7.2.4.6: tag 0xDB, system title,
 * length, security control 0x30 = authenticated + encrypted, invocation counter, ciphertext,
 * 12-byte tag; IV = system title || counter, AAD = SC || AK) re-encrypted with a new invocation
 * counter and the data-notification's date-time set to `date`; HDLC FCS (CRC-16/X.25) anew.
 */
function hanFrameFactory(frame, ek, ak) {
  const db = frame.indexOf(0xdb);
  const titleLength = frame[db + 1];
  const title = frame.subarray(db + 2, db + 2 + titleLength);
  let at = db + 2 + titleLength;
  let length = frame[at];
  at += 1;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | frame[at + i];
    at += count;
  }
  const sc = frame[at];
  if (sc !== 0x30) throw new Error(`expected security control 0x30, found ${sc.toString(16)}`);
  const icAt = at + 1;
  const counter0 = frame.readUInt32BE(icAt);
  const cipherAt = icAt + 4;
  const cipherEnd = at + length - 12;
  const aad = Buffer.concat([Buffer.from([sc]), ak]);
  const iv = (counter) => {
    const b = Buffer.alloc(12);
    title.copy(b, 0);
    b.writeUInt32BE(counter, 8);
    return b;
  };
  const decipher = createDecipheriv('aes-128-gcm', ek, iv(counter0), { authTagLength: 12 });
  decipher.setAAD(aad);
  decipher.setAuthTag(frame.subarray(cipherEnd, cipherEnd + 12));
  const plain = Buffer.concat([decipher.update(frame.subarray(cipherAt, cipherEnd)), decipher.final()]);
  // COSEM date-times to advance (Blue Book 4.1.6.1: year(2) month day weekday hour minute second
  // hundredths deviation(2) status): the data-notification's (0x0F, invoke-id (4), 0x0C + 12
  // bytes) and every octet-string of 12 bytes in the list that holds one (0x09 0x0C, the meter
  // clock 0.0.1.0.0.255), so the headroom engine sees a meter clock that moves on.
  const clocks = [];
  if (plain[0] === 0x0f && plain[5] === 0x0c) clocks.push(6);
  for (let i = 0; i + 14 <= plain.length; i++) {
    const year = plain.readUInt16BE(i + 2);
    if (plain[i] === 0x09 && plain[i + 1] === 0x0c && year >= 2000 && year < 2100 && plain[i + 4] >= 1 && plain[i + 4] <= 12) clocks.push(i + 2);
  }
  return (index, date) => {
    const counter = (counter0 + 1 + index) >>> 0;
    const p = Buffer.from(plain);
    for (const at of clocks) {
      p.writeUInt16BE(date.getUTCFullYear(), at);
      p[at + 2] = date.getUTCMonth() + 1;
      p[at + 3] = date.getUTCDate();
      p[at + 4] = ((date.getUTCDay() + 6) % 7) + 1;
      p[at + 5] = date.getUTCHours();
      p[at + 6] = date.getUTCMinutes();
      p[at + 7] = date.getUTCSeconds();
      p[at + 8] = 0;
    }
    const cipher = createCipheriv('aes-128-gcm', ek, iv(counter), { authTagLength: 12 });
    cipher.setAAD(aad);
    const encrypted = Buffer.concat([cipher.update(p), cipher.final()]);
    const out = Buffer.from(frame);
    out.writeUInt32BE(counter, icAt);
    encrypted.copy(out, cipherAt);
    cipher.getAuthTag().copy(out, cipherEnd);
    const fcs = crc16X25(out.subarray(1, out.length - 3));
    out[out.length - 3] = fcs & 0xff;
    out[out.length - 2] = fcs >> 8;
    return out;
  };
}

// ---- the simulator and its clients -----------------------------------------------------------

async function request(port, path, init = {}) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { ...init, signal: AbortSignal.timeout(10000) });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, body };
  } catch (e) {
    return { status: 0, error: String(e) };
  }
}

async function json(port, path, init) {
  const r = await request(port, path, init);
  if (r.status !== 200) return undefined;
  try {
    return JSON.parse(r.body.toString());
  } catch {
    return undefined;
  }
}

function startSim(so, logPath) {
  const log = openSync(logPath, 'a');
  // stdbuf: line-buffered, so an abort's "# Slot allocation: failed in fixed size heap" reaches the log
  return startGroup('xvfb-run', ['-a', 'stdbuf', '-oL', '-eL', join(MODDABLE, 'build/bin/lin/release/mcsim'), join(MODDABLE, 'build/simulators'), so], { log });
}

async function waitForSim(port) {
  for (let i = 0; i < 120; i++) {
    const s = await json(port, '/api/v1/status');
    if (s) return s;
    await sleep(500);
  }
  return undefined;
}

function webSocketClient(port) {
  const client = { messages: 0, closed: false, socket: new WebSocket(`ws://127.0.0.1:${port}/ws`) };
  client.socket.on('message', () => client.messages++);
  client.socket.on('close', () => (client.closed = true));
  client.socket.on('error', () => (client.closed = true));
  return client;
}

async function openMeterPty(simPty, meterIn) {
  const socat = startGroup('socat', [`pty,raw,echo=0,link=${simPty}`, `pty,raw,echo=0,link=${meterIn}`]);
  for (let i = 0; i < 50 && !(existsSync(simPty) && existsSync(meterIn)); i++) await sleep(100);
  if (!existsSync(meterIn)) throw new Error('socat made no pseudo-terminal');
  return { socat, fd: openSync(meterIn, 'w') };
}

/** One run: start the simulator, optional setup, then frames at intervalMs with clients and polls. */
async function measure(name, { so, port, simPty, meterIn, count, frameAt, setup }) {
  const logPath = join(outDir, `${name}.log`);
  writeFileSync(logPath, '');
  rmSync(join(prefsDir, 'modpreferences.json'), { force: true }); // an unclaimed box, no stored settings
  rmSync(simPty, { force: true });
  rmSync(meterIn, { force: true });
  const meter = await openMeterPty(simPty, meterIn);
  const sim = startSim(so, logPath);
  const result = { run: name, frames: count, ok: false };
  try {
    const first = await waitForSim(port);
    if (!first) throw new Error(`the simulator did not answer on port ${port} (log: ${logPath})`);
    if (setup) await setup(port);
    const clients = [webSocketClient(port), webSocketClient(port)];
    const series = [];
    const startedMs = Date.now();
    let lastPoll = 0;
    let failures = 0;
    for (let i = 0; i < count; i++) {
      writeFileSync(meter.fd, frameAt(i));
      const now = Date.now();
      if (now - lastPoll >= 5000 || i === count - 1) {
        lastPoll = now;
        const [page, status, memory] = await Promise.all([request(port, '/'), json(port, '/api/v1/status'), json(port, '/api/v1/device/memory')]);
        if (page.status !== 200 || !status || !memory) failures++;
        if (memory?.last)
          series.push({
            t: Math.round((now - startedMs) / 1000),
            slots: memory.last.slots,
            chunkBytes: memory.last.chunkBytes,
            esp32: memory.last.esp32EstimateBytes,
            frames: status?.frames?.frames,
          });
        if (failures >= 3) {
          const abort = readFileSync(logPath, 'latin1')
            .split('\n')
            .filter((l) => /^# |XS abort|failed in fixed/.test(l))
            .slice(-3)
            .join('; ');
          throw new Error(`the simulator stopped answering after ${i} frames${abort ? ': ' + abort : ''} (log: ${logPath})`);
        }
      }
      const next = startedMs + (i + 1) * intervalMs;
      await sleep(Math.max(0, next - Date.now()));
    }
    await sleep(1500);
    const memory = await json(port, '/api/v1/device/memory');
    const status = await json(port, '/api/v1/status');
    if (!memory?.instrumented) throw new Error('GET /api/v1/device/memory: not an instrumented build');
    const minute = (from, to) => Math.max(0, ...series.filter((s) => s.t >= from && s.t < to).map((s) => s.slots));
    const endT = series.length ? series[series.length - 1].t : 0;
    const firstMinute = minute(0, 60);
    const lastMinute = minute(endT - 60, endT + 1);
    Object.assign(result, {
      ok: true,
      decodedFrames: status?.frames?.frames ?? 0,
      protocol: status?.meter?.protocol,
      headroom: status?.headroom?.status,
      webSocketMessages: clients.map((c) => c.messages),
      peakSlots: memory.peak.slots,
      peakSlotBytesEsp32: memory.peak.slots * 16,
      peakChunkBytes: memory.peak.chunkBytes,
      esp32EstimateBytes: memory.peak.esp32EstimateBytes,
      firstMinutePeakSlots: firstMinute,
      lastMinutePeakSlots: lastMinute,
      slotGrowth: lastMinute - firstMinute,
      keysUsed: memory.keysUsed,
      stackPeakBytes: memory.stackPeakBytes,
      garbageCollections: memory.garbageCollections,
      samples: memory.samples,
      series,
    });
    for (const c of clients) c.socket.close();
  } catch (e) {
    result.error = String(e?.message ?? e);
  } finally {
    stopGroup(sim);
    stopGroup(meter.socat);
    for (let i = 0; i < 40 && (await request(port, '/api/v1/status')).status; i++) await sleep(250);
  }
  return result;
}

async function setHanKeys(port, ek, ak) {
  let login = await json(port, '/api/v1/auth/setup', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: PASSWORD }),
  });
  if (!login)
    login = await json(port, '/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD }),
    });
  if (!login?.token) throw new Error(`cannot log in to set the meter keys (Preference folder ${prefsDir})`);
  const put = await request(port, '/api/v1/settings', {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
    body: JSON.stringify({ meter: { encryptionKey: ek.toString('hex'), authenticationKey: ak.toString('hex') } }),
  });
  if (put.status !== 200) throw new Error(`PUT /api/v1/settings with the meter keys: ${put.status} ${put.body?.toString()}`);
}

function report(results, buildInfo) {
  const kb = (n) => (n / 1024).toFixed(1);
  const lines = ['', `sim:memory (Moddable simulator, instrumented release build; ESP32 estimate = live slots x 16 B + chunk bytes)`];
  if (buildInfo) lines.push(`build: ${buildInfo.buildSeconds} s; ${buildInfo.preloads}`);
  for (const r of results) {
    if (!r.ok) {
      lines.push(`${r.run}: FAILED: ${r.error}`);
      continue;
    }
    lines.push(
      `${r.run}: ${r.frames} frames sent, ${r.decodedFrames} decoded (${r.protocol}, headroom ${r.headroom}); WebSocket messages ${r.webSocketMessages.join('/')}`,
      `  peak live slots ${r.peakSlots} (${kb(r.peakSlotBytesEsp32)} KB at 16 B), peak chunks ${kb(r.peakChunkBytes)} KB, ESP32 estimate ${kb(r.esp32EstimateBytes)} KB (budget ${kb(budgetBytes)} KB)`,
      `  live slots first minute ${r.firstMinutePeakSlots}, last minute ${r.lastMinutePeakSlots}: growth ${r.slotGrowth} (limit ${growthLimit}); keys ${r.keysUsed}, stack peak ${r.stackPeakBytes} B, ${r.garbageCollections} collections`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const port = await freePort();
  const tag = `${process.pid}`;
  const simPty = `/tmp/meterbox-memory-${tag}-pty`;
  const meterIn = `/tmp/meterbox-memory-${tag}-in`;
  let buildInfo;
  let so;
  if (args.includes('--skip-build')) {
    so = builtFile('bin', 'mc.so');
    if (!so) throw new Error(`no mc.so under ${outDir}: build first (without --skip-build)`);
    console.log(`using ${so} (built for the port and pty of its build: --skip-build reuses them)`);
    const config = readFileSync(builtFile('tmp', 'mc.config.js'), 'utf8');
    const p = /"httpPort":\s*"(\d+)"/.exec(config);
    const m = /"meterPath":\s*"([^"]+)"/.exec(config);
    if (!p || !m) throw new Error('the existing build has no httpPort/meterPath: build again');
    return measureAll(so, Number(p[1]), m[1], m[1].replace(/-pty$/, '-in'));
  }
  console.log(`building the instrumented simulator app into ${outDir} (port ${port}, pty ${simPty}) ...`);
  buildInfo = build(port, simPty);
  so = builtFile('bin', 'mc.so');
  return measureAll(so, port, simPty, meterIn, buildInfo);
}

async function measureAll(so, port, simPty, meterIn, buildInfo) {
  const results = [];
  const template = readFileSync(join(root, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt'), 'latin1').replace(/\r?\n/g, '\r\n');
  const base = Date.UTC(2026, 0, 15, 12, 0, 0);
  console.log(`DSMR run: ${telegrams} telegrams, 1 per ${intervalMs} ms ...`);
  results.push(await measure('dsmr', { so, port, simPty, meterIn, count: telegrams, frameAt: (i) => dsmrTelegram(template, new Date(base + i * 1000)) }));

  const vector = 'han/node-dsmr-parser/encrypted/aidon-example-2-with-aad';
  const sidecar = JSON.parse(readFileSync(join(root, 'hosttests/vectors', vector + '.json'), 'utf8'));
  const ek = Buffer.from(sidecar.encryption.ek, 'hex');
  const ak = Buffer.from(sidecar.encryption.ak, 'hex');
  const hanFrame = hanFrameFactory(hexFile(join(root, 'hosttests/vectors', vector + '.hex')), ek, ak);
  console.log(`HAN run: ${hanFrames} encrypted HDLC frames (${vector}), 1 per ${intervalMs} ms ...`);
  results.push(
    await measure('han-encrypted', {
      so,
      port,
      simPty,
      meterIn,
      count: hanFrames,
      frameAt: (i) => hanFrame(i, new Date(base + i * 1000)),
      setup: (p) => setHanKeys(p, ek, ak),
    }),
  );

  const text = report(results, buildInfo);
  const summary = { budgetBytes, growthLimitSlots: growthLimit, build: buildInfo, results };
  console.log(text);
  console.log(JSON.stringify({ ...summary, results: results.map(({ series, ...rest }) => rest) }));
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(summary, null, 2) + '\n');
  const failed = results.filter((r) => !r.ok || r.decodedFrames < 1 || r.esp32EstimateBytes > budgetBytes || r.slotGrowth > growthLimit);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`sim-memory: ${e?.message ?? e}`);
    process.exit(1);
  },
);
