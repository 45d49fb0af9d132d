// The app core (firmware/app, with the decoders and headroom it uses) bundled into one script and
// run in the real XS engine (xsnap, as on the device) and in Node: the same scenario (frames, first
// password, settings change, status, HomeWizard data, diagnostics) must give byte-for-byte the
// same answers. Also prints what a login costs in XS computrons at several PBKDF2 iteration counts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { bundleForXs } from '../../tools/xs/bundle';
import { XsWorker, xsnapAvailable } from '../../tools/xs/xsnap-driver';

const root = join(__dirname, '..', '..');
const hexOf = (p: string) => readFileSync(join(root, 'hosttests/vectors', p), 'utf8').replace(/[^0-9a-fA-F]/g, '');
const textHex = (p: string) => readFileSync(join(root, 'hosttests/vectors', p)).toString('hex');

const FRAMES = [
  hexOf('han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L375-1.hex'),
  hexOf('han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1.hex'),
  hexOf('han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-1.hex'),
  'deadbeef7e7e00ff',
  hexOf('han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-2.hex'),
];
const DSMR = textHex('p1/ndokter-dsmr_parser/telegram_v5.txt');

// Plain ES2022 script: runs unchanged in XS and in a Node vm context.
const scenario = `
(function () {
  var A = globalThis.__xs.app;
  function bytes(hex) { var b = new Uint8Array(hex.length / 2); for (var i = 0; i < b.length; i++) b[i] = parseInt(hex.substr(i * 2, 2), 16); return b; }
  var t = 1790000000000, saved, pushed = 0, ticks = [];
  var app = A.createApp({
    clock: { nowMs: function () { return t; } },
    scheduler: { every: function (ms, cb) { ticks.push(cb); return { cancel: function () {} }; }, after: function () { return { cancel: function () {} }; } },
    settingsStore: { load: function () { return saved; }, save: function (x) { saved = x; } },
    publisher: { broadcast: function () { pushed++; }, clientCount: function () { return 1; } },
    logger: { info: function () {}, warn: function () {} },
    randomBytes: function (n) { var b = new Uint8Array(n); for (var i = 0; i < n; i++) b[i] = (i * 31 + 7) & 255; return b; },
    options: { passwordIterations: 50 },
  });
  app.start();
  var frames = ${JSON.stringify(FRAMES)};
  for (var i = 0; i < frames.length; i++) {
    var f = bytes(frames[i]);
    app.onMeterBytes(f.subarray(0, 10), t); app.onMeterBytes(f.subarray(10), t);
    t += 2500; ticks.forEach(function (cb) { cb(); });
  }
  var out = { snapshot: app.snapshot() };
  function req(method, path, body, token) {
    var headers = token ? { authorization: 'Bearer ' + token } : {};
    return app.handle({ method: method, path: path, query: {}, headers: headers, body: body, remote: '10.0.0.9' });
  }
  var token;
  globalThis.__done = req('PUT', '/api/v1/settings', '{"headroom":{"fuseA":32}}').then(function (r) {
    out.unauthorized = r;
    return req('POST', '/api/v1/auth/setup', JSON.stringify({ password: 'xs test password' }));
  }).then(function (r) {
    out.setup = r.status; token = JSON.parse(r.body).token;
    return req('PUT', '/api/v1/settings', '{"headroom":{"fuseA":0}}', token);
  }).then(function (r) {
    out.refused = r;
    return req('PUT', '/api/v1/settings', '{"headroom":{"fuseA":32,"gridType":"IT"},"meter":{"encryptionKey":"000102030405060708090a0b0c0d0e0f"}}', token);
  }).then(function (r) {
    out.changed = r;
    var d = bytes(${JSON.stringify(DSMR)});
    app.onMeterBytes(d, t);
    return req('GET', '/api/v1/status');
  }).then(function (r) {
    out.status = r.body;
    return req('GET', '/api/v1/data');
  }).then(function (r) {
    out.data = r.body;
    return req('GET', '/api/v1/diagnostics');
  }).then(function (r) {
    out.diagnostics = r.body;
    return req('POST', '/api/v1/auth/login', JSON.stringify({ password: 'xs test password' }));
  }).then(function (r) {
    out.login = r.status; out.pushed = pushed; out.saved = saved;
    globalThis.__out = JSON.stringify(out);
  }, function (e) { globalThis.__out = 'error: ' + e; });
})();
`;

const available = xsnapAvailable();
(available ? describe : describe.skip)('app core under XS', () => {
  let bundle: string;
  beforeAll(async () => {
    const b = await bundleForXs({ app: 'firmware/app/app' });
    expect(b.missing).toEqual({});
    bundle = b.code;
  });

  test('the same scenario gives byte-for-byte the same answers in XS and in Node', async () => {
    const xs = new XsWorker();
    let xsOut: string;
    try {
      await xs.evaluate(bundle);
      await xs.evaluate(scenario);
      xsOut = (await xs.evaluateJson<string>('globalThis.__out')).value;
    } finally {
      xs.close();
    }
    const context: Record<string, unknown> = {};
    context.globalThis = context;
    runInNewContext(bundle, context);
    runInNewContext(scenario, context);
    await (context.__done as Promise<unknown>);
    const nodeOut = context.__out as string;
    expect(xsOut.startsWith('error')).toBe(false);
    expect(xsOut).toBe(nodeOut);

    const out = JSON.parse(xsOut);
    expect(out.snapshot.reading.meterId).toBe('7359992899161110');
    expect(out.snapshot.frames.frames).toBe(4);
    expect(out.snapshot.frames.garbageBytes).toBeGreaterThan(0);
    expect(out.unauthorized.status).toBe(401);
    expect(out.setup).toBe(201);
    expect(out.refused.status).toBe(400);
    expect(out.changed.status).toBe(200);
    expect(out.changed.body).not.toContain('0001020304');
    expect(JSON.parse(out.saved).headroom.fuseA).toBe(32);
    expect(JSON.parse(out.status).headroom.phases.l1.limitA).toBe(32);
    expect(JSON.parse(out.data).active_power_w).toBe(244);
    expect(out.login).toBe(200);
    expect(out.pushed).toBeGreaterThanOrEqual(5);
  });

  test('login cost in XS computrons (printed, not asserted)', async () => {
    const xs = new XsWorker();
    try {
      await xs.evaluate(bundle);
      const figures: string[] = [];
      for (const iterations of [100, 1000, 4000]) {
        await xs.evaluate(`globalThis.__pw = globalThis.__xs.app; globalThis.__s = new Uint8Array(16);`);
        // hashPassword is not exported through app.ts: time a whole setup (one PBKDF2) instead.
        const r = await xs.evaluate(`(function(){ var A = globalThis.__xs.app; var saved;
          var app = A.createApp({ clock: { nowMs: function () { return 0; } }, scheduler: { every: function () { return { cancel: function () {} }; }, after: function () { return { cancel: function () {} }; } },
            settingsStore: { load: function () { return saved; }, save: function (x) { saved = x; } }, publisher: { broadcast: function () {}, clientCount: function () { return 0; } },
            logger: { info: function () {}, warn: function () {} }, randomBytes: function (n) { return new Uint8Array(n); }, options: { passwordIterations: ${iterations} } });
          app.handle({ method: 'POST', path: '/api/v1/auth/setup', query: {}, headers: {}, body: '{"password":"a password here"}' }); })()`);
        figures.push(`${iterations} iterations: ${r.meter.compute} computrons`);
      }
      console.log('PBKDF2 password hash under XS: ' + figures.join('; '));
    } finally {
      xs.close();
    }
  });
});
