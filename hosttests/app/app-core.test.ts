// The platform-neutral core with fake ports (no Node adapters): link diagnosis and its hints,
// pushes on frames and on headroom changes, garbage never stopping the app, settings load/save.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../firmware/app/app';
import type { AppDeps } from '../../firmware/app/app';
import { HINT_NO_DATA } from '../../firmware/app/meter-link';
import { parseHexText } from '../../decoders/util/hex';

const root = join(__dirname, '..', '..');
const vector = (p: string) => {
  const text = readFileSync(join(root, 'hosttests/vectors', p));
  return p.endsWith('.hex') ? parseHexText(text.toString('utf8')) : new Uint8Array(text);
};
const AIDON_FULL = vector('han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1.hex');
const AIDON_SHORT = vector('han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-1.hex');
const DSMR = vector('p1/ndokter-dsmr_parser/telegram_v5.txt');
const ENCRYPTED = vector('han/node-dsmr-parser/encrypted/aidon-example-2-with-aad.hex');

function harness(stored?: string) {
  let nowMs = 1_790_000_000_000;
  const ticks: Array<() => void> = [];
  const pushed: any[] = [];
  let saved: string | undefined = stored;
  const warnings: string[] = [];
  let clients = 1;
  const deps: AppDeps = {
    clock: { nowMs: () => nowMs },
    scheduler: {
      every: (_ms, cb) => {
        ticks.push(cb);
        return { cancel() {} };
      },
      after: () => ({ cancel() {} }),
    },
    settingsStore: {
      load: () => saved,
      save: (t) => {
        saved = t;
      },
    },
    publisher: { broadcast: (m) => pushed.push(JSON.parse(m)), clientCount: () => clients },
    logger: { info: () => undefined, warn: (m) => warnings.push(m) },
    randomBytes: (n) => new Uint8Array(n).fill(9),
    options: { passwordIterations: 10 },
  };
  const app = createApp(deps);
  app.start();
  return {
    app,
    pushed,
    warnings,
    saved: () => saved,
    setClients: (n: number) => {
      clients = n;
    },
    /** Advance the fake clock in 1 s ticks, as the scheduler would. */
    advance(ms: number) {
      for (let t = 0; t < ms; t += 1000) {
        nowMs += 1000;
        for (const cb of ticks) cb();
      }
    },
    feed(bytes: Uint8Array) {
      app.onMeterBytes(bytes, nowMs);
    },
  };
}

describe('link diagnosis', () => {
  test('no byte at all: "starting", then after 15 s the port-opened hint', () => {
    const h = harness();
    expect(h.app.snapshot().link.state).toBe('starting');
    h.advance(14000);
    expect(h.app.snapshot().link.hint).toBeUndefined();
    h.advance(1000);
    const s = h.app.snapshot();
    expect(s.link.state).toBe('no-data');
    expect(s.link.hint).toBe(HINT_NO_DATA);
    expect(s.link.hint).toContain("ask your grid company to open the meter's HAN/P1 port");
    // The change was pushed without anyone asking.
    expect(h.pushed[h.pushed.length - 1].snapshot.link.state).toBe('no-data');
  });

  test('bytes but no frame: a different hint about line settings', () => {
    const h = harness();
    for (let i = 0; i < 40; i++) {
      h.feed(new Uint8Array(64).map((_, j) => ((j * 29 + i * 7) & 0x7f) | 0x80));
      h.advance(1000);
    }
    const s = h.app.snapshot();
    expect(s.link.state).toBe('no-frames');
    expect(s.link.hint).not.toBe(HINT_NO_DATA);
    expect(s.link.hint).toMatch(/line settings/);
    expect(s.frames.bytes).toBe(40 * 64);
  });

  test('encrypted frames without a key: the hint asks for the key', () => {
    const h = harness();
    for (let i = 0; i < 35; i++) {
      h.feed(ENCRYPTED);
      h.advance(1000);
    }
    const s = h.app.snapshot();
    expect(s.frames.errorsByKind['encrypted-no-key']).toBeGreaterThan(0);
    expect(s.link.hint).toMatch(/encryption key/);
  });

  test('the meter stopping after frames: stale, then "stopped sending"', () => {
    const h = harness();
    h.feed(DSMR);
    expect(h.app.snapshot().link.state).toBe('ok');
    h.advance(16000);
    const s = h.app.snapshot();
    expect(s.link.state).toBe('no-data');
    expect(s.link.hint).toMatch(/stopped sending/);
  });
});

describe('pushes', () => {
  test('every decoded frame is pushed; ticks push only when headroom or link changed', () => {
    const h = harness();
    h.feed(AIDON_FULL);
    expect(h.pushed.length).toBe(1);
    expect(h.pushed[0].type).toBe('snapshot');
    expect(h.pushed[0].snapshot.reading.l1.currentA).toBeGreaterThan(0);
    h.feed(AIDON_SHORT);
    expect(h.pushed.length).toBe(2);
    const afterFrames = h.pushed.length;
    // Headroom ramps and ages: some ticks push, but not one per second forever once it is settled.
    h.advance(5000);
    const pushesInFirstSeconds = h.pushed.length - afterFrames;
    expect(pushesInFirstSeconds).toBeLessThanOrEqual(5);
    // Data goes stale at 15 s: that change is pushed.
    h.advance(12000);
    expect(h.pushed[h.pushed.length - 1].snapshot.headroom.status).not.toBe('ok');
  });

  test('short frames are merged with the last full list: per-phase values stay, power is the newest', () => {
    const h = harness();
    h.feed(AIDON_FULL);
    const full = h.app.snapshot().reading!;
    h.advance(2000);
    h.feed(AIDON_SHORT);
    const merged = h.app.snapshot();
    expect(merged.lastFrameKind).toBe('short');
    expect(merged.reading!.l1!.currentA).toBe(full.l1!.currentA);
    expect(merged.reading!.meterId).toBe(full.meterId);
    expect(merged.reading!.powerImportW).not.toBe(full.powerImportW);
    // A full list older than 30 s no longer tops up currents.
    h.advance(31000);
    h.feed(AIDON_SHORT);
    expect(h.app.snapshot().reading!.l1).toBeUndefined();
    expect(h.app.snapshot().reading!.meterId).toBe(full.meterId);
  });
});

describe('robustness', () => {
  test('garbage of every kind never stops the app; a real frame after it still decodes', () => {
    const h = harness();
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 300; i++) {
      const chunk = new Uint8Array(rand() % 700).map(() => rand() & 0xff);
      // Sprinkle frame starts so the splitters get exercised, not just skip.
      if (chunk.length > 10) {
        chunk[rand() % chunk.length] = 0x7e;
        chunk[rand() % chunk.length] = 0x2f;
        chunk[rand() % chunk.length] = 0x68;
      }
      h.feed(chunk);
    }
    h.feed(AIDON_FULL.slice(0, 50)); // a cut frame, then whole ones
    h.feed(AIDON_FULL);
    h.feed(AIDON_FULL);
    const s = h.app.snapshot();
    expect(s.reading?.l1?.currentA).toBeGreaterThan(0);
    expect(s.frames.errors).toBeGreaterThan(0);
  });
});

describe('meter keys', () => {
  test('encrypted HAN frames decode once the keys are stored through PUT /api/v1/settings', async () => {
    const sidecar = JSON.parse(readFileSync(join(root, 'hosttests/vectors/han/node-dsmr-parser/encrypted/aidon-example-2-with-aad.json'), 'utf8'));
    const h = harness();
    h.feed(ENCRYPTED);
    expect(h.app.snapshot().reading).toBeNull();
    expect(h.app.snapshot().frames.errorsByKind['encrypted-no-key']).toBe(1);
    const setup = await h.app.handle({ method: 'POST', path: '/api/v1/auth/setup', query: {}, headers: {}, body: '{"password":"key test password"}' });
    const token = JSON.parse(String(setup.body)).token;
    const put = await h.app.handle({
      method: 'PUT',
      path: '/api/v1/settings',
      query: {},
      headers: { authorization: 'Bearer ' + token },
      body: JSON.stringify({ meter: { encryptionKey: sidecar.encryption.ek, authenticationKey: sidecar.encryption.ak } }),
    });
    expect(put.status).toBe(200);
    h.feed(ENCRYPTED);
    const s = h.app.snapshot();
    expect(s.reading).not.toBeNull();
    expect(s.reading!.encrypted).toBe(true);
    // A wrong key is reported as such, and the box keeps running.
    await h.app.handle({
      method: 'PUT',
      path: '/api/v1/settings',
      query: {},
      headers: { authorization: 'Bearer ' + token },
      body: JSON.stringify({ meter: { encryptionKey: '00'.repeat(16) } }),
    });
    h.feed(ENCRYPTED);
    expect(h.app.snapshot().frames.errorsByKind['decrypt-failed']).toBe(1);
  });
});

describe('settings document', () => {
  test('a damaged stored document falls back to defaults with a warning; the meter is still read', () => {
    const h = harness('{"version":1,"headroom":');
    expect(h.warnings.join(' ')).toMatch(/not valid JSON/);
    expect(h.app.settings().headroom.fuseA).toBe(25);
    h.feed(DSMR);
    expect(h.app.snapshot().reading).not.toBeNull();
  });

  test('an out-of-range stored headroom section is refused and defaults used for it only', () => {
    const h = harness(JSON.stringify({ version: 1, headroom: { fuseA: 0 }, access: { readOpen: false }, wifi: { ssid: 'home' } }));
    expect(h.warnings.join(' ')).toMatch(/fuseA/);
    const doc = h.app.settings();
    expect(doc.headroom.fuseA).toBe(25);
    expect(doc.access.readOpen).toBe(false);
    expect(doc.wifi).toEqual({ ssid: 'home' });
  });

  test('updateSettings (used by provisioning) saves the whole document; a refusal saves nothing', () => {
    const h = harness();
    expect(h.app.updateSettings((doc) => ({ ...doc, wifi: { ssid: 'net', password: 'secret-psk' } }))).toEqual({ ok: true });
    expect(JSON.parse(h.saved()!).wifi.ssid).toBe('net');
    const before = h.saved();
    expect(h.app.updateSettings(() => 'no')).toEqual({ ok: false, error: 'no' });
    expect(h.saved()).toBe(before);
    const invalid = h.app.updateSettings((doc) => ({ ...doc, headroom: { ...doc.headroom, phases: 4 as 3 } }));
    expect(invalid.ok).toBe(false);
    expect(h.saved()).toBe(before);
  });

  test('GET /api/v1/settings never shows the Wi-Fi password or meter keys', async () => {
    const h = harness();
    h.app.updateSettings((doc) => ({ ...doc, wifi: { ssid: 'net', password: 'secret-psk' }, meter: { encryptionKey: 'ab'.repeat(16) } }));
    const r = await h.app.handle({ method: 'GET', path: '/api/v1/settings', query: {}, headers: {} });
    const text = String(r.body);
    expect(text).not.toContain('secret-psk');
    expect(text).not.toContain('abab');
    expect(JSON.parse(text).wifi).toEqual({ ssid: 'net', password: { set: true } });
  });
});
