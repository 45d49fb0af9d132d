// The issue's command end to end: `npm start -- --modbus-tcp PORT --charger smartevse=URL
// --charger openevse=URL --charger goe=URL` on a DSMR feed (a real Iskra AM550 telegram, re-stamped
// each second, through a TCP serial bridge made by the test):
// - the SDM630 registers, read by a real third-party Modbus client (Debian python3-pymodbus) the way
//   evcc and SmartEVSE read an SDM630, match GET /api/v1/status (V +-1, A +-0.6, W +-50, kWh +-0.01);
// - local HTTP servers, each answering like its charger (hosttests/outputs/charger-models.ts),
//   record every push: values and pace;
// - the feed stops: the Modbus currents go to the fuse rating and the pushes stop / pause within the
//   ladder's times (short ladder from the settings file: stale 3 s, safe fallback 5 s, zero 8 s).
// Needs: python3-pymodbus (Debian package; .ci/run installs it).
import { spawnSync } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { Server as TcpServer, Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { getJson, repoRoot, spawnApp, tempDir, waitFor } from './helpers';
import type { SpawnedApp } from './helpers';
import { DSMR_V5, restampDsmr } from '../outputs/fixtures';
import { goeHandle, newGoe, newOpenevse, newSmartevse, openevseHandle, openevsePaused, queryOf, smartevseCurrents } from '../outputs/charger-models';

const PYTHON = '/usr/bin/python3';

function listen(server: HttpServer | TcpServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function chargerServer(handle: (req: IncomingMessage, body: string) => { status: number; body: string }): HttpServer {
  return createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const out = handle(req, body);
      res.writeHead(out.status, { 'content-type': 'application/json' });
      res.end(out.body);
    });
  });
}

function readModbus(port: number): any {
  const r = spawnSync(PYTHON, [join(repoRoot, 'hosttests/outputs/sdm630_read.py'), '127.0.0.1', String(port), '1'], { encoding: 'utf8', timeout: 20000 });
  if (r.status !== 0) throw new Error('pymodbus reader failed: ' + r.stderr + r.stdout);
  return JSON.parse(r.stdout);
}

describe('npm start with --modbus-tcp and three --charger pushes on a DSMR feed', () => {
  const dir = tempDir('meterbox-chargers-');
  const smartevse = newSmartevse();
  const openevse = newOpenevse({ maxPowerW: 11000 });
  const goe = newGoe();
  const servers: HttpServer[] = [];
  let feed: TcpServer;
  const feedSockets: Socket[] = [];
  let feedTimer: NodeJS.Timeout | undefined;
  let lastFeedMs = 0;
  let app: SpawnedApp;

  beforeAll(async () => {
    const s = chargerServer((req, _body) => ({ status: 200, body: smartevseCurrents(smartevse, queryOf(req.url!), Date.now()) }));
    const o = chargerServer((req, body) => openevseHandle(openevse, req.method!, body, Date.now()));
    const g = chargerServer((req) => goeHandle(goe, req.url!.split('?')[0]!, queryOf(req.url!), Date.now()));
    servers.push(s, o, g);
    const [sp, op, gp] = [await listen(s), await listen(o), await listen(g)];
    feed = createTcpServer((socket) => {
      feedSockets.push(socket);
      socket.on('error', () => undefined);
    });
    const feedPort = await listen(feed);
    feedTimer = setInterval(() => {
      const telegram = restampDsmr(DSMR_V5, Date.now());
      for (const socket of feedSockets) if (!socket.destroyed) socket.write(telegram);
      if (feedSockets.length) lastFeedMs = Date.now();
    }, 1000);
    const settings = join(dir, 'settings.json');
    writeFileSync(settings, JSON.stringify({ version: 1, headroom: { staleAfterS: 3, safeFallbackAfterS: 5, zeroAfterS: 8 } }));
    app = await spawnApp([
      '--tcp',
      `127.0.0.1:${feedPort}`,
      '--settings',
      settings,
      '--quiet',
      '--modbus-tcp',
      '0',
      '--charger',
      `smartevse=http://127.0.0.1:${sp}`,
      '--charger',
      `openevse=http://127.0.0.1:${op}/`,
      '--charger',
      `goe=http://127.0.0.1:${gp}`,
    ]);
  }, 40000);

  afterAll(async () => {
    if (feedTimer) clearInterval(feedTimer);
    await app?.stop();
    for (const s of feedSockets) s.destroy();
    feed?.close();
    for (const s of servers) s.close();
  });

  test('registers read by pymodbus (evcc and SmartEVSE reads) match /api/v1/status; exceptions 02, 01, 0B', async () => {
    const status = await waitFor(
      'a decoded frame and the Modbus listener',
      async () => {
        const r = (await getJson(app.url + '/api/v1/status')).body;
        return r.reading && r.outputs?.modbusTcp?.listening && r.outputs.modbusTcp.live ? r : undefined;
      },
      20000,
    );
    const port = status.outputs.modbusTcp.port;
    expect(port).toBeGreaterThan(0);
    const m = readModbus(port);
    const after = (await getJson(app.url + '/api/v1/status')).body;
    const r = after.reading;
    const near = (got: number, want: number, tol: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(tol);
    for (const [i, l] of ['l1', 'l2', 'l3'].entries()) {
      near(m.evcc[`VoltageL${i + 1}`], r[l].voltageV, 1);
      near(m.evcc[`CurrentL${i + 1}`], r[l].currentA, 0.6);
      near(m.evcc[`CurrentL${i + 1}`], after.headroom.phases[l].currentA, 0.0001);
      near(m.evcc[`PowerL${i + 1}`], r[l].powerImportW - r[l].powerExportW, 50);
      near(m.smartevse.currentsA[i], r[l].currentA, 0.6);
      expect(m.smartevse.powersW[i]).toBeGreaterThanOrEqual(0); // importing: SmartEVSE keeps the current positive
    }
    near(m.evcc.Power, r.powerImportW - r.powerExportW, 50);
    near(m.smartevse.powerW, r.powerImportW - r.powerExportW, 50);
    const kwh = (tariffs: number[]) => tariffs.reduce((a, b) => a + b, 0) / 1000;
    near(m.evcc.Import, kwh(r.energyImportTariffWh), 0.01);
    near(m.evcc.Export, kwh(r.energyExportTariffWh), 0.01);
    near(m.smartevse.importKwh, kwh(r.energyImportTariffWh), 0.01);
    near(m.evcc.Sum, kwh(r.energyImportTariffWh) + kwh(r.energyExportTariffWh), 0.01);
    expect(m.evcc.Frequency).toBeNull(); // NaN: not sent by the meter
    expect(m.errors).toEqual({ outsideMap: 2, function03: 1, otherUnit: 11 });
    expect(after.outputs.modbusTcp.requests).toBeGreaterThanOrEqual(23); // 15 + 5 reads and 3 refused
  }, 40000);

  test('pushes: SmartEVSE on every frame, OpenEVSE on every frame, go-e only on change; values as in the status', async () => {
    await waitFor('ten seconds of pushes', () => smartevse.posts.length >= 10 && openevse.posts.length >= 10, 20000);
    const status = (await getJson(app.url + '/api/v1/status')).body;
    const h = status.headroom;
    expect(smartevse.irmsDa).toEqual([Math.round(h.phases.l1.currentA * 10), Math.round(h.phases.l2.currentA * 10), Math.round(h.phases.l3.currentA * 10)]);
    const frames = status.frames.frames;
    // every frame (one a second) and nothing more: within one of the frame count over the same span
    const span = (smartevse.posts[smartevse.posts.length - 1]!.atMs - smartevse.posts[0]!.atMs) / 1000;
    expect(smartevse.posts.length).toBeGreaterThanOrEqual(Math.floor(span));
    expect(smartevse.posts.length).toBeLessThanOrEqual(frames + 1);
    expect(openevse.livePowerW).toBe(status.reading.powerImportW - status.reading.powerExportW);
    const pushes = status.outputs.chargers.pushes;
    expect(pushes.map((p: any) => p.type)).toEqual(['smartevse', 'openevse', 'goe']);
    for (const p of pushes) {
      expect(p.lastSuccessMs).toBeGreaterThan(0);
      expect(p.consecutiveFailures).toBe(0);
    }
    expect(pushes[0].lastValue).toEqual({ L1: smartevse.irmsDa![0], L2: smartevse.irmsDa![1], L3: smartevse.irmsDa![2], unit: 'dA' });
    expect(pushes[1].lastValue.shaper_live_pwr).toBe(openevse.livePowerW);
    // go-e: amp follows the allowance (whole amps), sets at least 5 s apart, polls every 5 s
    await waitFor(
      'the go-e to have the allowance',
      async () => {
        const s2 = (await getJson(app.url + '/api/v1/status')).body;
        return goe.frc === 0 && goe.amp === Math.floor(s2.headroom.threePhaseA) ? true : undefined;
      },
      60000,
      500,
    );
    for (let i = 1; i < goe.sets.length; i++) expect(goe.sets[i]!.atMs - goe.sets[i - 1]!.atMs).toBeGreaterThanOrEqual(4900);
    expect(goe.polls).toBeGreaterThanOrEqual(2);
  }, 90000);

  test('the feed stops: Modbus currents go to the fuse rating, SmartEVSE gets nothing, OpenEVSE and go-e pause, within the ladder', async () => {
    if (feedTimer) clearInterval(feedTimer);
    feedTimer = undefined;
    const stoppedMs = lastFeedMs;
    const smartevseBefore = smartevse.posts.length;
    const fused = await waitFor(
      'the fuse rating on every line',
      async () => {
        const s = (await getJson(app.url + '/api/v1/status')).body;
        return s.outputs.modbusTcp.live === false ? s : undefined;
      },
      15000,
      100,
    );
    const fuseAtMs = Date.now();
    expect(fused.headroom.status).toBe('safe-fallback');
    // safe fallback after 5 s without data (and the 1 s tick): within 7 s of the last frame
    expect(fuseAtMs - stoppedMs).toBeLessThan(7500);
    const m = readModbus(fused.outputs.modbusTcp.port);
    expect(m.evcc.CurrentL1).toBe(25);
    expect(m.evcc.CurrentL2).toBe(25);
    expect(m.evcc.CurrentL3).toBe(25);
    expect(m.smartevse.powersW.every((w: number) => w > 0)).toBe(true);
    // OpenEVSE (import mode) got the pause value at the same step
    expect(openevsePaused(openevse, Date.now())).toBe(true);
    // SmartEVSE: nothing since the answer left the live states (at most the frames of the last seconds)
    const smartevseAtFuse = smartevse.posts.length;
    expect(smartevseAtFuse - smartevseBefore).toBeLessThanOrEqual(2);
    // go-e: paused once the ladder reaches 0 A (8 s)
    await waitFor('the go-e paused', () => goe.frc === 1, 15000, 100);
    expect(Date.now() - stoppedMs).toBeLessThan(8000 + 6000); // zero step + one 5 s set interval at most
    expect(smartevse.posts.length).toBe(smartevseAtFuse);
    const s = (await getJson(app.url + '/api/v1/status')).body;
    expect(s.outputs.chargers.pushes[0].state).toBe('paused');
    expect(s.outputs.chargers.pushes[2].state).toBe('paused');
  }, 40000);
});
