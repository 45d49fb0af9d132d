#!/usr/bin/env node
/**
 * The device build's MQTT client, HomeWizard identity and API in the Moddable simulator, headless,
 * against a real broker: starts mosquitto on a free loopback port, a socat pseudo-terminal pair
 * for the meter, and an already built mc.so in mcsim under xvfb-run (no debugger: XSBUG_PORT points
 * where nothing listens, so no other simulator's console is touched), then checks:
 *   1. GET /api: HWE-P1 with a 12-hex-digit serial (the simulator's stored MAC)
 *   2. MQTT set through the settings API (first password, then PUT {"mqtt":{"url":...}}):
 *      outputs.mqtt connected, retained availability "online", discovery configs on
 *      homeassistant/sensor/meterbox_<serial>/.../config
 *   3. DSMR telegrams written into the pty: states on meterbox/<serial>/state with the signed
 *      L1 current; /api/v1/data and /api/v1/telegram answer
 *   4. the simulator killed: the broker publishes the Last Will "offline"
 * It does not build anything: build first with
 *   mcconfig -d -p lin -o OUT firmware/moddable/sim/manifest_sim_mqtt.json
 *   make -C OUT/tmp/lin/mc/debug/sim -f makefile build
 * Needs: $MODDABLE (tools built), xvfb-run, socat, mosquitto.
 *
 * Usage: node firmware/moddable/sim/sim-mqtt.mjs --so OUT/bin/lin/mc/debug/sim/mc.so
 * Port, pty and Preference folder come from manifest_sim_mqtt.json (18093, /tmp/meterbox-mqtt-sim-pty,
 * /tmp/meterbox-mqtt-sim/); another build of the app names its own with [--port N] [--pty PATH]
 * [--prefs DIR] (its config.http.port, config.meter.path and config.file.root).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { freePort } from './sim-tools.mjs';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const soAt = process.argv.indexOf('--so');
const so = soAt > 0 ? (process.argv[soAt + 1] ?? '') : '';
const MODDABLE = process.env.MODDABLE;
if (!MODDABLE || !so || !existsSync(so)) {
  console.error('MODDABLE must be set and --so PATH must name a simulator build (see the header)');
  process.exit(2);
}
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
};
const port = Number(option('--port', '18093'));
const simPty = option('--pty', '/tmp/meterbox-mqtt-sim-pty');
const meterIn = simPty === '/tmp/meterbox-mqtt-sim-pty' ? '/tmp/meterbox-mqtt-meter-in' : `${simPty}-in`;
const prefDir = option('--prefs', '/tmp/meterbox-mqtt-sim/');

const children = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const results = [];
const check = (name, ok, detail = '') => {
  results.push(ok);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
};
function start(command, commandArgs, options = {}) {
  const child = spawn(command, commandArgs, { detached: true, stdio: ['ignore', options.log ?? 'ignore', options.log ?? 'ignore'], ...options.spawn });
  children.push(child);
  return child;
}
function kill(child, signal = 'SIGTERM') {
  try {
    process.kill(-child.pid, signal); // the process group this script created
  } catch {
    /* already gone */
  }
}
async function waitFor(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      /* not yet */
    }
    await sleep(250);
  }
  return undefined;
}
async function http(method, path, body, token) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = 'Bearer ' + token;
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, type: res.headers.get('content-type') ?? '' };
}
async function main() {
  rmSync(prefDir, { recursive: true, force: true });
  mkdirSync(prefDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'meterbox-sim-mosquitto-'));
  const brokerPort = await freePort();
  writeFileSync(join(dir, 'm.conf'), `listener ${brokerPort} 127.0.0.1\npersistence false\nallow_anonymous true\n`);
  const mosquitto = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p)) ?? 'mosquitto';
  start(mosquitto, ['-c', join(dir, 'm.conf')]);
  start('socat', [`pty,raw,echo=0,link=${simPty}`, `pty,raw,echo=0,link=${meterIn}`]);
  await waitFor('the pty', () => existsSync(simPty) && existsSync(meterIn), 5000);
  const recorder = mqtt.connect(`mqtt://127.0.0.1:${brokerPort}`, { reconnectPeriod: 500 });
  const seen = [];
  recorder.on('connect', () => recorder.subscribe('#'));
  recorder.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  await waitFor('the recorder', () => recorder.connected, 10000);

  const log = openSync(join(dir, 'mcsim.log'), 'a');
  const sim = start('xvfb-run', ['-a', join(MODDABLE, 'build/bin/lin/release/mcsim'), join(MODDABLE, 'build/simulators'), so], {
    log,
    spawn: { env: { ...process.env, XSBUG_PORT: '5993', XSBUG_HOST: 'localhost' } },
  });
  const api = await waitFor('the simulator', async () => (await http('GET', '/api')).json, 40000);
  const serial = api?.serial ?? '';
  check('GET /api: HomeWizard identity', api?.product_type === 'HWE-P1' && /^[0-9a-f]{12}$/.test(serial), JSON.stringify(api));

  const setup = await http('POST', '/api/v1/auth/setup', { password: 'sim password 1' });
  const saved = await http('PUT', '/api/v1/settings', { mqtt: { url: `mqtt://127.0.0.1:${brokerPort}` } }, setup.json?.token);
  check('MQTT set through the settings API', saved.status === 200, `${setup.status} / ${saved.status}`);
  const base = `meterbox/${serial}`;
  const connected = await waitFor('connected', async () => (await http('GET', '/api/v1/status')).json?.outputs?.mqtt?.connected === true, 30000);
  check('outputs.mqtt connected', Boolean(connected), JSON.stringify((await http('GET', '/api/v1/status')).json?.outputs?.mqtt));
  const online = await waitFor('online', () => seen.some((m) => m.topic === base + '/availability' && m.payload === 'online'), 10000);
  check('availability online', Boolean(online));

  const telegram = readFileSync(join(root, 'hosttests/vectors/p1/node-dsmr-parser/dsmr-5.0-isk-1.txt'));
  for (let s = 0; s < 4; s++) {
    writeFileSync(meterIn, telegram); // the capture as it is: one telegram a second
    await sleep(1200);
  }
  const state = await waitFor(
    'a state',
    () =>
      seen
        .filter((m) => m.topic === base + '/state')
        .map((m) => JSON.parse(m.payload))
        .find((s) => s.currentL1A !== undefined),
    15000,
  );
  // L1 as the app serves it: the meter's whole 2 A made finer by L1's own power (676 W exported at
  // 236 V: decoders/plausibility), signed by that power, to 0.1 A.
  const L1_A = -676 / 236;
  check('state with the signed L1 current', Math.abs(state?.currentL1A - L1_A) < 0.05 && state?.powerL1W === -676, JSON.stringify(state)?.slice(0, 200));
  const configs = seen.filter((m) => m.topic.startsWith(`homeassistant/sensor/meterbox_${serial}/`) && m.payload !== '');
  check('discovery configs', configs.length >= 15 && configs.some((m) => m.topic.endsWith('/energy_import/config')), `${configs.length} configs`);
  const data = await http('GET', '/api/v1/data');
  check(
    '/api/v1/data',
    data.status === 200 &&
      Math.abs(data.json?.active_current_l1_a - L1_A) < 0.05 &&
      data.json?.total_power_import_t1_kwh === 3808.351 &&
      data.json?.wifi_ssid !== undefined,
    data.text.slice(0, 160),
  );
  const tg = await http('GET', '/api/v1/telegram');
  check(
    '/api/v1/telegram',
    tg.status === 200 && tg.type.startsWith('text/plain') && tg.text.startsWith('/ISK5') && /![0-9A-F]{4}\r\n$/.test(tg.text),
    tg.text.slice(-12).replace(/\r\n/g, '\\r\\n'),
  );

  kill(sim, 'SIGKILL');
  const will = await waitFor('the Last Will', () => seen.some((m) => m.topic === base + '/availability' && m.payload === 'offline'), 90000);
  check('Last Will "offline" after the simulator was killed', Boolean(will));
  recorder.end(true);
}

try {
  await main();
} catch (e) {
  check('run', false, String(e?.stack ?? e));
} finally {
  for (const child of children) kill(child);
  spawnSync('sleep', ['0.5']);
}
const failed = results.filter((ok) => !ok).length;
console.log(`sim-mqtt: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
