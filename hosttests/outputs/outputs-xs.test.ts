// The charger outputs (Modbus TCP SDM630 emulation, SmartEVSE / OpenEVSE / go-e pushes) with the app
// core, bundled into one script and run in the real XS engine (xsnap, as on the device) and in Node:
// the same scenario (real DSMR frames re-stamped a second apart, Modbus requests in odd TCP
// segments, charger answers, the feed stopping) must give byte-for-byte the same bytes, requests
// and status. Prints what the outputs cost per frame in XS computrons (not asserted).
import { runInNewContext } from 'node:vm';
import { bundleForXs } from '../../tools/xs/bundle';
import { XsWorker, xsnapAvailable } from '../../tools/xs/xsnap-driver';
import { DSMR_EXPORT, DSMR_V5, T0, restampDsmr } from './fixtures';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
// Modbus requests: a whole window, one split over two segments, energy, total energy, function 03,
// another unit, outside the map, and a protocol id that is not Modbus (closes).
const REQUESTS = [
  '000100000006010400000050',
  '0002000000060104',
  '0006000c',
  '000300000006010400480004',
  '000400000006010401560002',
  '000500000006010300000002',
  '000600000006020400000001',
  '000700000006010400500002',
  '000800010006010400000001',
];
const FRAMES = Array.from({ length: 12 }, (_, i) => hex(restampDsmr(i % 3 === 2 ? DSMR_EXPORT : DSMR_V5, T0 + i * 1000)));

// Plain ES2022 script: runs unchanged in XS and in a Node vm context.
const scenario = (withOutputs: boolean) => `
(function () {
  var X = globalThis.__xs;
  function bytes(h) { var b = new Uint8Array(h.length / 2); for (var i = 0; i < b.length; i++) b[i] = parseInt(h.substr(i * 2, 2), 16); return b; }
  function toHex(b) { var s = ''; for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16); return s; }
  var t = ${T0}, ticks = [], log = [];
  var handlerFactory;
  var server = { start: function (port, f, onState) { handlerFactory = f; onState(true); }, stop: function () {}, connectionCount: function () { return 1; } };
  var client = { send: function (req, done) {
    log.push(req.method + ' ' + req.url + (req.body ? ' ' + req.body : ''));
    if (req.url.indexOf('/currents?') > 0) { var q = req.url.split('?')[1].split('&').map(function (p) { return parseInt(p.split('=')[1], 10); }); done({ status: 200, body: JSON.stringify({ TOTAL: q[0] + q[1] + q[2] }) }); }
    else if (req.url.indexOf('/api/status') > 0) done({ status: 200, body: '{"amp":16,"ama":32,"frc":0,"car":2,"nrg":[230,231,229,0,3,3.1,3.2,0,0,0,0,0,0,0,0,0]}' });
    else if (req.url.indexOf('/api/set?') > 0) { var o = {}; req.url.split('?')[1].split('&').forEach(function (p) { o[p.split('=')[0]] = true; }); done({ status: 200, body: JSON.stringify(o) }); }
    else if (req.method === 'GET') done({ status: 200, body: '{"amp":3000,"voltage":231}' });
    else done({ status: 200, body: req.body });
  } };
  var outputs = ${withOutputs} ? [
    new X.modbus.ModbusTcpOutput(server, 5020),
    new X.chargers.ChargersOutput(client, function () { return t; }, [
      { type: 'smartevse', url: 'http://s', enabled: true },
      { type: 'openevse', url: 'http://o', enabled: true, phases: 3, mode: 'allowance', maxPowerW: 11000 },
      { type: 'goe', url: 'http://g', enabled: false, phases: 3 },
    ]),
  ] : [];
  var app = X.app.createApp({
    clock: { nowMs: function () { return t; } },
    scheduler: { every: function (ms, cb) { ticks.push(cb); return { cancel: function () {} }; }, after: function () { return { cancel: function () {} }; } },
    settingsStore: { load: function () { return undefined; }, save: function () {} },
    publisher: { broadcast: function () {}, clientCount: function () { return 0; } },
    logger: { info: function () {}, warn: function (m) { log.push('warn ' + m); } },
    randomBytes: function (n) { return new Uint8Array(n); },
    options: { passwordIterations: 10 },
    outputs: outputs,
  });
  app.start();
  var frames = ${JSON.stringify(FRAMES)};
  var out = { modbus: [], snapshots: [] };
  var conn = handlerFactory ? handlerFactory() : undefined;
  var requests = ${JSON.stringify(REQUESTS)};
  for (var i = 0; i < frames.length; i++) {
    app.onMeterBytes(bytes(frames[i]), t);
    if (conn) out.modbus.push(conn.push(bytes('00' + (i < 16 ? '0' : '') + i.toString(16) + '000000060104000000' + '18')).responses.map(toHex).join(','));
    t += 1000; ticks.forEach(function (cb) { cb(); });
  }
  if (conn) for (var k = 0; k < requests.length; k++) { var r = conn.push(bytes(requests[k])); out.modbus.push(r.responses.map(toHex).join(',') + (r.close ? ' close: ' + r.close : '')); }
  for (var s = 0; s < 70; s++) { t += 1000; ticks.forEach(function (cb) { cb(); }); if (s % 10 === 0) out.snapshots.push(app.snapshot().outputs); }
  out.log = log;
  out.status = app.snapshot();
  globalThis.__out = JSON.stringify(out);
})();
`;

const available = xsnapAvailable();
(available ? describe : describe.skip)('charger outputs under XS', () => {
  let bundle: string;
  beforeAll(async () => {
    const b = await bundleForXs({
      app: 'firmware/app/app',
      modbus: 'firmware/app/outputs/modbus-tcp-output',
      chargers: 'firmware/app/outputs/chargers-output',
    });
    expect(b.missing).toEqual({});
    bundle = b.code;
  });

  test('the same scenario gives byte-for-byte the same Modbus answers, pushes and status in XS and in Node', async () => {
    const xs = new XsWorker();
    let xsOut: string;
    let withCost = 0;
    let withoutCost = 0;
    try {
      await xs.evaluate(bundle);
      withCost = (await xs.evaluate(scenario(true))).meter.compute;
      xsOut = (await xs.evaluateJson<string>('globalThis.__out')).value;
      withoutCost = (await xs.evaluate(scenario(false))).meter.compute;
    } finally {
      xs.close();
    }
    const context: Record<string, unknown> = {};
    context.globalThis = context;
    runInNewContext(bundle, context);
    runInNewContext(scenario(true), context);
    const nodeOut = context.__out as string;
    expect(xsOut).toBe(nodeOut);

    const out = JSON.parse(xsOut);
    expect(out.log.filter((l: string) => l.startsWith('warn'))).toEqual([]);
    expect(out.modbus).toHaveLength(12 + 9);
    // 24 registers (12 floats of the first window) after every frame: 51 bytes after the MBAP length
    expect(out.modbus[0]).toMatch(/^000000000033010430/);
    const tail = out.modbus.slice(12);
    expect(tail[0]).toMatch(/^0001000000a30104a0/); // 80 registers
    expect(tail[1]).toBe(''); // half a request: nothing yet
    expect(tail[2]).toMatch(/^00020000001b010418/); // 12 registers
    expect(tail.slice(5, 8)).toEqual(['000500000003018301', '00060000000302840b', '000700000003018402']);
    expect(tail[8]).toBe(' close: not Modbus TCP (protocol id 1)');
    expect(out.log.filter((l: string) => l.indexOf('/currents?') > 0).length).toBeGreaterThanOrEqual(12);
    expect(out.log.some((l: string) => l.indexOf('POST http://o/status {"shaper_live_pwr":') === 0)).toBe(true);
    expect(out.status.outputs.modbusTcp.live).toBe(false); // 70 s without frames
    expect(out.status.outputs.modbusTcp.servedCurrentA).toEqual([25, 25, 25]);
    console.log(
      `charger outputs under XS: ${FRAMES.length} frames + 70 ticks cost ${withCost - withoutCost} computrons more than the app alone (${withoutCost}); ${Math.round((withCost - withoutCost) / (FRAMES.length + 70))} per update`,
    );
  }, 60000);

  test('what the parts cost in XS computrons, 100 calls each on a DSMR 5 snapshot (printed, not asserted)', async () => {
    const parts = await bundleForXs({ img: 'firmware/app/outputs/sdm630-registers', lc: 'firmware/app/outputs/line-currents' });
    const xs = new XsWorker();
    try {
      await xs.evaluate(bundle);
      await xs.evaluate(parts.code);
      await xs.evaluate(`(function () { var X = globalThis.__xs; var t = ${T0};
        globalThis.app = X.app.createApp({ clock: { nowMs: function () { return t; } }, scheduler: { every: function () { return { cancel: function () {} }; }, after: function () { return { cancel: function () {} }; } },
          settingsStore: { load: function () {}, save: function () {} }, publisher: { broadcast: function () {}, clientCount: function () { return 0; } }, logger: { info: function () {}, warn: function () {} },
          randomBytes: function (n) { return new Uint8Array(n); }, options: { passwordIterations: 10 } });
        var h = ${JSON.stringify(FRAMES[0])}; var u = new Uint8Array(h.length / 2); for (var i = 0; i < u.length; i++) u[i] = parseInt(h.substr(i * 2, 2), 16);
        app.onMeterBytes(u, t); globalThis.snap = app.snapshot(); })()`);
      const run = async (code: string) => (await xs.evaluate(`(function () { for (var i = 0; i < 100; i++) { ${code} } })()`)).meter.compute / 100;
      const loop = await run('');
      const figures = {
        snapshot: (await run('globalThis.app.snapshot();')) - loop,
        buildSdm630Image: (await run('globalThis.__xs.img.buildSdm630Image(globalThis.snap, 230);')) - loop,
        outputLineCurrents: (await run('globalThis.__xs.lc.outputLineCurrents(globalThis.snap.headroom, globalThis.snap.reading);')) - loop,
        appTick: (await run('globalThis.app.tick();')) - loop,
      };
      console.log('charger output parts under XS (computrons a call): ' + JSON.stringify(figures));
    } finally {
      xs.close();
    }
  }, 60000);
});
