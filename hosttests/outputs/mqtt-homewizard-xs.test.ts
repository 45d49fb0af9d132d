// The MQTT output and the HomeWizard API in the real XS engine (xsnap, as on the device) and in
// Node, on the IT Aidon captures and a DSMR telegram: the app core with the MQTT output on a
// scripted connection must publish byte-for-byte the same messages, and answer /api/v1/data and
// /api/v1/telegram the same, in both engines. Prints what one MQTT update costs in XS computrons.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { bundleForXs } from '../../tools/xs/bundle';
import { XsWorker, xsnapAvailable } from '../../tools/xs/xsnap-driver';

const root = join(__dirname, '..', '..');
const hexOf = (p: string) => readFileSync(join(root, 'hosttests/vectors', p), 'utf8').replace(/[^0-9a-fA-F]/g, '');
const textHex = (p: string) => readFileSync(join(root, 'hosttests/vectors', p)).toString('hex');
const AIDON = ['L375-1', 'L267-1', 'L42-1', 'L42-2', 'L267-2'].map((n) => hexOf(`han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-${n}.hex`));
const DSMR = textHex('p1/node-dsmr-parser/dsmr-5.0-isk-1.txt');

function scenario(frames: string[]): string {
  return `
(function () {
  var A = globalThis.__xs.app, M = globalThis.__xs.mqtt;
  function bytes(hex) { var b = new Uint8Array(hex.length / 2); for (var i = 0; i < b.length; i++) b[i] = parseInt(hex.substr(i * 2, 2), 16); return b; }
  var t = 1790000000000, saved = JSON.stringify({ version: 1, mqtt: { url: 'mqtt://broker.lan', password: 'pw' } }), ticks = [];
  var sent = [], events;
  var connector = { supportsTls: false, connect: function (o, e) { events = e; sent.push(['connect', o.clientId, o.will.topic]);
    return { publish: function (topic, payload, retain) { sent.push([topic, payload, retain]); return true; }, close: function () { sent.push(['close']); } }; } };
  var mqtt = M.createMqttOutput({ connector: connector, serial: '02aabbccddee', firmwareVersion: '0.1.0' });
  var app = A.createApp({
    clock: { nowMs: function () { return t; } },
    scheduler: { every: function (ms, cb) { ticks.push(cb); return { cancel: function () {} }; }, after: function () { return { cancel: function () {} }; } },
    settingsStore: { load: function () { return saved; }, save: function (x) { saved = x; } },
    publisher: { broadcast: function () {}, clientCount: function () { return 0; } },
    logger: { info: function () {}, warn: function () {} },
    randomBytes: function (n) { return new Uint8Array(n); },
    device: { serial: '02aabbccddee' },
    outputs: [mqtt],
    options: { passwordIterations: 10 },
  });
  app.start();
  ticks.forEach(function (cb) { cb(); });
  events.connected();
  var frames = ${JSON.stringify(frames)};
  for (var i = 0; i < frames.length; i++) { app.onMeterBytes(bytes(frames[i]), t); t += 2500; ticks.forEach(function (cb) { cb(); }); }
  var out = { sent: sent, status: mqtt.status() };
  function get(path) { return app.handle({ method: 'GET', path: path, query: {}, headers: {} }); }
  globalThis.__done = get('/api/v1/data').then(function (r) { out.data = [r.status, r.body];
    return get('/api/v1/telegram'); }).then(function (r) { out.telegram = [r.status, typeof r.body === 'string' ? r.body : Array.prototype.join.call(r.body, ',')];
    globalThis.__out = JSON.stringify(out); }, function (e) { globalThis.__out = 'error: ' + e; });
})();
`;
}

const available = xsnapAvailable();
(available ? describe : describe.skip)('MQTT output and HomeWizard API under XS', () => {
  let bundle: string;
  beforeAll(async () => {
    const b = await bundleForXs({ app: 'firmware/app/app', mqtt: 'firmware/app/outputs/mqtt-output' });
    expect(b.missing).toEqual({});
    bundle = b.code;
  });

  async function both(script: string): Promise<{ xs: string; node: string }> {
    const xs = new XsWorker();
    let xsOut: string;
    try {
      await xs.evaluate(bundle);
      await xs.evaluate(script);
      xsOut = (await xs.evaluateJson<string>('globalThis.__out')).value;
    } finally {
      xs.close();
    }
    const context: Record<string, unknown> = {};
    context.globalThis = context;
    runInNewContext(bundle, context);
    runInNewContext(script, context);
    await (context.__done as Promise<unknown>);
    return { xs: xsOut, node: context.__out as string };
  }

  test('IT Aidon: the same MQTT messages and HomeWizard data in XS and in Node', async () => {
    const { xs, node } = await both(scenario(AIDON));
    expect(xs.startsWith('error')).toBe(false);
    expect(xs).toBe(node);
    const out = JSON.parse(xs);
    const topics = out.sent.map((m: unknown[]) => m[0]);
    expect(topics[0]).toBe('connect');
    expect(topics).toContain('homeassistant/sensor/meterbox_02aabbccddee/current_l2/config');
    expect(out.sent.filter((m: unknown[]) => String(m[0]).endsWith('/power_l1/config') && m[1] === '')).toHaveLength(1);
    const data = JSON.parse(out.data[1]);
    // L2 (not measured by this 3-wire meter): the engine's safe value, its bound or the estimate under it.
    expect(data.active_current_l2_a).toBeGreaterThan(0);
    expect(data.active_current_l2_a).toBeLessThanOrEqual(data.active_current_l1_a + data.active_current_l3_a + 0.05);
    expect(data.total_power_import_t1_kwh).toBe(21882.34);
    expect(out.telegram[0]).toBe(404);
    expect(out.status).toMatchObject({ connected: true, lastError: null });
  });

  test('DSMR: the telegram with its CRC, signed L1, in both engines', async () => {
    const { xs, node } = await both(scenario([DSMR]));
    expect(xs).toBe(node);
    const out = JSON.parse(xs);
    expect(out.telegram[0]).toBe(200);
    const text = String.fromCharCode(...out.telegram[1].split(',').map(Number));
    expect(text.endsWith('!1F28\r\n')).toBe(true);
    // The meter's whole 2 A made finer by L1's own power (676 W exported at 236 V), signed by it.
    expect(JSON.parse(out.data[1]).active_current_l1_a).toBeCloseTo(-676 / 236, 1);
  });

  test('what an MQTT update costs in XS (printed, not asserted)', async () => {
    const frame = AIDON[1];
    {
      // Same full list through an app without and with the MQTT output (connected, state due).
      const cost = async (withMqtt: boolean) => {
        const x = new XsWorker();
        try {
          await x.evaluate(bundle);
          await x.evaluate(`(function(){ var A = globalThis.__xs.app, M = globalThis.__xs.mqtt; var t = 1790000000000, ev;
            function bytes(hex) { var b = new Uint8Array(hex.length / 2); for (var i = 0; i < b.length; i++) b[i] = parseInt(hex.substr(i * 2, 2), 16); return b; }
            var c = { supportsTls: false, connect: function (o, e) { ev = e; return { publish: function () { return true; }, close: function () {} }; } };
            var outs = ${withMqtt} ? [M.createMqttOutput({ connector: c, serial: '02aabbccddee', firmwareVersion: '0' })] : [];
            var saved = JSON.stringify({ version: 1, mqtt: { url: 'mqtt://b' } });
            globalThis.__app = A.createApp({ clock: { nowMs: function () { return t; } }, scheduler: { every: function () { return { cancel: function () {} }; }, after: function () { return { cancel: function () {} }; } },
              settingsStore: { load: function () { return saved; }, save: function () {} }, publisher: { broadcast: function () {}, clientCount: function () { return 0; } },
              logger: { info: function () {}, warn: function () {} }, randomBytes: function (n) { return new Uint8Array(n); }, outputs: outs });
            globalThis.__f = bytes(${JSON.stringify(frame)});
            globalThis.__t = function () { t += 2500; return t; };
            __app.onMeterBytes(__f, __t()); if (ev) ev.connected(); __app.onMeterBytes(__f, __t()); })()`);
          const m = await x.evaluate('__app.onMeterBytes(__f, __t())');
          return m.meter.compute;
        } finally {
          x.close();
        }
      };
      const without = await cost(false);
      const withOutput = await cost(true);
      console.log(
        `XS computrons for one Aidon full list (267 bytes) through the app: ${without} without MQTT, ${withOutput} with the MQTT output publishing its state (+${withOutput - without})`,
      );
    }
  });
});
