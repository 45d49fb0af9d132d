/**
 * The device's charger outputs in the Moddable simulator, headless: the same firmware/moddable code
 * as the ESP32 (the ECMA-419 Modbus listener, the SDK's http Request for the pushes) runs in mcsim
 * under xvfb-run, reads DSMR telegrams from a socat pseudo-terminal, and is checked over loopback:
 *   1. settings PUT switch on Modbus TCP (port 5020) and two pushes (SmartEVSE, go-e) to local
 *      HTTP servers that answer like those chargers (charger-models.ts)
 *   2. the SDM630 registers read by Debian's python3-pymodbus match GET /api/v1/status
 *   3. the SmartEVSE server receives the line currents, the go-e server amp/frc and status polls
 *   4. the feed stops: fuse rating on every Modbus line, SmartEVSE gets nothing, go-e paused
 * Not a jest test (it needs a simulator build, minutes to make); run it by hand:
 *   mcconfig -d -p lin -o OUT manifests/manifest.json && make -C OUT/tmp/lin/mc/debug/manifests -f makefile build
 *   npx tsx hosttests/outputs/sim-outputs.ts --so OUT/bin/lin/mc/debug/manifests/mc.so
 * or a release build (faster PBKDF2 for the login, no debugger): mcconfig -p lin ..., then --release.
 * The simulator keeps its Preference file in config.file.root (/tmp/ by default, shared by every lin
 * build on the machine): build through a wrapper manifest that sets another root, e.g.
 *   {"include": ["<repo>/manifests/manifest.json"], "config": {"file": {"root": "/tmp/my-sim/"}}}
 * Needs: $MODDABLE (tools built; `npm install` once in $MODDABLE/tools/xsbug-log, or a copy of that
 * folder named by XSBUG_LOG_DIR), xvfb-run, socat, python3-pymodbus. The simulator serves HTTP on 8080 and reads /tmp/meterbox-sim-pty (lin config);
 * a build whose wrapper manifest sets others is run with --port N --pty PATH.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, openSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DSMR_V5, restampDsmr } from './fixtures';
import { goeHandle, newGoe, newSmartevse, queryOf, smartevseCurrents } from './charger-models';

const root = join(__dirname, '..', '..');
const MODDABLE = process.env.MODDABLE;
const args = process.argv.slice(2);
const so = args[args.indexOf('--so') + 1];
const release = args.includes('--release');
const optionOf = (name: string, fallback: string) => (args.includes(name) && args[args.indexOf(name) + 1] ? args[args.indexOf(name) + 1]! : fallback);
const BASE = `http://127.0.0.1:${optionOf('--port', '8080')}`;
const MODBUS_PORT = 5020;
// Its own xsbug port, so a simulator of another build on this machine never connects to this console.
const XSBUG_PORT = process.env.XSBUG_PORT ?? '5093';
const simPty = optionOf('--pty', '/tmp/meterbox-sim-pty');
const meterIn = simPty === '/tmp/meterbox-sim-pty' ? '/tmp/meterbox-meter-in' : `${simPty}-in`;
const children: ChildProcess[] = [];
const results: boolean[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const check = (name: string, ok: boolean, detail = '') => {
  results.push(ok);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
};

/** One request per connection (the device closes each after answering), no keep-alive. */
function api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { connection: 'close' };
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (data) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(data.length);
    }
    if (token) headers.authorization = 'Bearer ' + token;
    const req = request(BASE + path, { method, headers, agent: false, timeout: 180000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    req.end(data);
  });
}

function readModbus(): any {
  const r = spawnSync('/usr/bin/python3', [join(root, 'hosttests/outputs/sdm630_read.py'), '127.0.0.1', String(MODBUS_PORT), '1'], {
    encoding: 'utf8',
    timeout: 30000,
  });
  return r.status === 0 ? JSON.parse(r.stdout) : { error: r.stderr + r.stdout };
}

async function main(): Promise<void> {
  if (!MODDABLE || !so || !existsSync(so)) throw new Error('set MODDABLE and give --so PATH/mc.so');
  const smartevse = newSmartevse();
  const goe = newGoe();
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.end(smartevseCurrents(smartevse, queryOf(req.url!), Date.now()));
    });
  });
  const g = createServer((req, res) => {
    const out = goeHandle(goe, req.url!.split('?')[0]!, queryOf(req.url!), Date.now());
    res.writeHead(out.status);
    res.end(out.body);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => g.listen(0, '127.0.0.1', () => r()));

  children.push(spawn('socat', [`pty,raw,echo=0,link=${simPty}`, `pty,raw,echo=0,link=${meterIn}`], { detached: true, stdio: 'ignore' }));
  for (let i = 0; i < 50 && !(existsSync(simPty) && existsSync(meterIn)); i++) await sleep(100);
  const log = openSync('/tmp/meterbox-sim-outputs.log', 'w');
  const mcsim = [join(MODDABLE, 'build/bin/lin/release/mcsim'), join(MODDABLE, 'build/simulators'), so];
  // A release build has no debugger connection; a debug build logs through xsbug-log.
  children.push(
    release
      ? spawn('xvfb-run', ['-a', ...mcsim], { detached: true, stdio: ['ignore', log, log] })
      : spawn('xvfb-run', ['-a', 'node', 'xsbug-log', ...mcsim], {
          detached: true,
          stdio: ['pipe', log, log],
          cwd: process.env.XSBUG_LOG_DIR ?? join(MODDABLE, 'tools/xsbug-log'),
          env: { ...process.env, XSBUG_PORT: XSBUG_PORT, XSBUG_LOG_PORT: XSBUG_PORT, XSBUG_HOST: 'localhost' },
        }),
  );
  let up = false;
  for (let i = 0; i < 120 && !up; i++) {
    await sleep(500);
    up = (await api('GET', '/api/v1/status')).status === 200;
  }
  check('simulator answers', up);
  if (!up) return;

  // The simulator keeps its Preference store between runs: log in when an earlier run set the password.
  let auth = await api('POST', '/api/v1/auth/setup', { password: 'simulator outputs check' });
  if (auth.status === 409) auth = await api('POST', '/api/v1/auth/login', { password: 'simulator outputs check' });
  const token = auth.body?.token;
  check('logged in (PBKDF2 in the simulator)', !!token, String(auth.status) + ' ' + JSON.stringify(auth.body).slice(0, 200));
  const put = await api(
    'PUT',
    '/api/v1/settings',
    {
      headroom: { staleAfterS: 3, safeFallbackAfterS: 5, zeroAfterS: 8 },
      outputs: {
        modbusTcp: { enabled: true, port: MODBUS_PORT, unitId: 1 },
        chargers: [
          { type: 'smartevse', url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` },
          { type: 'goe', url: `http://127.0.0.1:${(g.address() as AddressInfo).port}` },
        ],
      },
    },
    token,
  );
  check('outputs switched on through PUT /api/v1/settings', put.status === 200, JSON.stringify(put.body?.outputs?.modbusTcp ?? put.body));

  let lastFeed = 0;
  for (let i = 0; i < 15; i++) {
    writeFileSync(meterIn, restampDsmr(DSMR_V5, Date.now()));
    lastFeed = Date.now();
    await sleep(1000);
  }
  const st = (await api('GET', '/api/v1/status')).body;
  check('telegrams decoded', st?.frames?.frames >= 10, JSON.stringify(st?.frames));
  const mb = st?.outputs?.modbusTcp;
  check('Modbus listening on the ECMA-419 listener', mb?.listening === true && mb?.port === MODBUS_PORT, JSON.stringify(mb));
  const m = readModbus();
  const r = st?.reading;
  const near = (a: number, b: number, tol: number) => typeof a === 'number' && Math.abs(a - b) <= tol;
  const lines = ['l1', 'l2', 'l3'];
  check('pymodbus: voltages +-1 V', !m.error && lines.every((l, i) => near(m.evcc[`VoltageL${i + 1}`], r[l].voltageV, 1)), JSON.stringify(m.evcc ?? m.error));
  check('pymodbus: currents +-0.6 A', !m.error && lines.every((l, i) => near(m.evcc[`CurrentL${i + 1}`], r[l].currentA, 0.6)));
  check(
    'pymodbus: powers +-50 W',
    !m.error &&
      near(m.evcc.Power, r.powerImportW - r.powerExportW, 50) &&
      lines.every((l, i) => near(m.evcc[`PowerL${i + 1}`], r[l].powerImportW - r[l].powerExportW, 50)),
  );
  const kwh = (t: number[]) => t.reduce((a, b) => a + b, 0) / 1000;
  check(
    'pymodbus: energy +-0.01 kWh',
    !m.error && near(m.evcc.Import, kwh(r.energyImportTariffWh), 0.01) && near(m.evcc.Export, kwh(r.energyExportTariffWh), 0.01),
  );
  check(
    'pymodbus: exceptions 02, 01, 0B',
    JSON.stringify(m.errors) === JSON.stringify({ outsideMap: 2, function03: 1, otherUnit: 11 }),
    JSON.stringify(m.errors),
  );
  const h = st.headroom;
  check(
    'SmartEVSE got the line currents over the SDK http client',
    smartevse.posts.length >= 8 && JSON.stringify(smartevse.irmsDa) === JSON.stringify(lines.map((l) => Math.round(h.phases[l].currentA * 10))),
    `${smartevse.posts.length} posts, last ${JSON.stringify(smartevse.irmsDa)}`,
  );
  check(
    'go-e got amp/frc and was polled',
    goe.sets.length >= 1 && goe.polls >= 2,
    `${goe.sets.length} sets (${goe.sets.map((x) => JSON.stringify(x.query)).join(' ')}), ${goe.polls} polls, amp ${goe.amp} frc ${goe.frc}`,
  );
  const pushes = st.outputs?.chargers?.pushes ?? [];
  check(
    'push states in the status',
    pushes.length === 2 && pushes.every((p: any) => p.lastSuccessMs > 0 && p.consecutiveFailures === 0),
    JSON.stringify(pushes.map((p: any) => [p.type, p.state, p.lastError])),
  );

  // the feed stops
  const postsAtStop = smartevse.posts.length;
  let fused: any;
  for (let i = 0; i < 40 && !fused; i++) {
    await sleep(250);
    const x = (await api('GET', '/api/v1/status')).body;
    if (x?.outputs?.modbusTcp?.live === false) fused = x;
  }
  check('feed stopped: Modbus not live within 7 s', !!fused && Date.now() - lastFeed < 7500, `${Date.now() - lastFeed} ms`);
  const mf = readModbus();
  check(
    'feed stopped: fuse rating on every Modbus line',
    !mf.error && mf.evcc.CurrentL1 === 25 && mf.evcc.CurrentL2 === 25 && mf.evcc.CurrentL3 === 25,
    JSON.stringify(mf.evcc ?? mf.error),
  );
  for (let i = 0; i < 60 && goe.frc !== 1; i++) await sleep(250);
  check('feed stopped: go-e paused (frc=1)', goe.frc === 1, `${Date.now() - lastFeed} ms after the last telegram`);
  check(
    'feed stopped: SmartEVSE got nothing more past the ladder',
    smartevse.posts.length - postsAtStop <= 2,
    `${smartevse.posts.length - postsAtStop} after the stop`,
  );
  s.close();
  g.close();
}

main()
  .catch((e) => check('run', false, String(e)))
  .finally(async () => {
    // The process groups this script started (socat; xvfb-run with mcsim): TERM, then KILL what is left.
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      for (const c of children) {
        try {
          process.kill(-(c.pid as number), signal);
        } catch {
          /* gone */
        }
      }
      await sleep(1000);
    }
    const failed = results.filter((ok) => !ok).length;
    console.log(`${results.length - failed}/${results.length} checks passed (simulator log: /tmp/meterbox-sim-outputs.log)`);
    process.exit(failed ? 1 : 0);
  });
