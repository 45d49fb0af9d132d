// The pure MQTT parts (firmware/app/outputs/mqtt-*.ts): bounded queue, reconnect back-off, which
// discovery configs a meter gets (and which are removed) on snapshots of real captures, the state
// JSON, and the output's session handling driven through its connector port with a scripted
// connection (the real broker is in hosttests/e2e/mqtt-broker.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../firmware/app/app';
import type { Snapshot } from '../../firmware/app/app';
import type { SettingsDocument } from '../../firmware/app/settings';
import { defaultSettings } from '../../firmware/app/settings';
import { parseHexText } from '../../decoders/util/hex';
import { OutgoingQueue } from '../../firmware/app/outputs/mqtt-queue';
import { ReconnectPolicy } from '../../firmware/app/outputs/mqtt-reconnect';
import { discoveryPlan, emptyPresence, learnPresence } from '../../firmware/app/outputs/mqtt-discovery';
import { mqttTopics } from '../../firmware/app/outputs/mqtt-topics';
import { mqttState } from '../../firmware/app/outputs/mqtt-state';
import { createMqttOutput } from '../../firmware/app/outputs/mqtt-output';
import type { MqttConnectOptions, MqttConnector, MqttSessionEvents } from '../../firmware/app/outputs/mqtt-client-port';

const VECTORS = join(__dirname, '..', 'vectors');
const AIDON = 'han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-';

function capture(path: string): Uint8Array {
  const data = readFileSync(join(VECTORS, path));
  return path.endsWith('.hex') ? parseHexText(data.toString('utf8')) : new Uint8Array(data);
}

/** Snapshots of the real app core after each capture, 2.5 s apart on a fake clock. */
function snapshotsOf(files: string[], settings?: (doc: SettingsDocument) => void): Snapshot[] {
  let nowMs = 1_790_000_000_000;
  let saved: string | undefined;
  if (settings) {
    const doc = defaultSettings();
    settings(doc);
    saved = JSON.stringify(doc);
  }
  const app = createApp({
    clock: { nowMs: () => nowMs },
    scheduler: { every: () => ({ cancel() {} }), after: () => ({ cancel() {} }) },
    settingsStore: {
      load: () => saved,
      save: (t) => {
        saved = t;
      },
    },
    publisher: { broadcast: () => undefined, clientCount: () => 0 },
    logger: { info: () => undefined, warn: () => undefined },
    randomBytes: (n) => new Uint8Array(n).fill(7),
    options: { passwordIterations: 10 },
  });
  return files.map((f) => {
    nowMs += 2500;
    app.onMeterBytes(capture(f), nowMs);
    return app.snapshot();
  });
}

const topics = mqttTopics({ discoveryPrefix: 'homeassistant' }, '02aabbccddee');
const device = { serial: '02aabbccddee', firmwareVersion: '0.1.0', name: 'meterbox' };
const objectOf = (topic: string) => topic.split('/')[3];

function planFor(snaps: Snapshot[]) {
  let presence = emptyPresence();
  for (const s of snaps) presence = learnPresence(presence, s);
  const plan = discoveryPlan(presence, topics, device);
  return { configs: Object.keys(plan.configs).map(objectOf).sort(), removals: plan.removals.map(objectOf).sort(), plan };
}

describe('outgoing queue', () => {
  test('a newer message for a topic replaces the queued one; full: the oldest state goes first', () => {
    const q = new OutgoingQueue(3);
    q.put({ topic: 'c1', payload: 'a', retain: true });
    q.put({ topic: 's', payload: 'old', retain: false });
    q.put({ topic: 's', payload: 'new', retain: false });
    expect(q.size()).toBe(2);
    q.put({ topic: 'c2', payload: 'b', retain: true });
    q.put({ topic: 'c3', payload: 'c', retain: true }); // 4 > 3: the state is dropped, configs kept
    expect(q.dropped()).toBe(1);
    const sent: string[] = [];
    q.flush((m) => {
      sent.push(m.topic);
      return true;
    });
    expect(sent).toEqual(['c1', 'c2', 'c3']);
  });
  test('flush stops where the connection refuses, the rest waits', () => {
    const q = new OutgoingQueue();
    for (const t of ['a', 'b', 'c']) q.put({ topic: t, payload: t, retain: false });
    let room = 1;
    expect(q.flush(() => room-- > 0)).toBe(1);
    expect(q.size()).toBe(2);
  });
  test('never grows past its bound however long the broker stalls', () => {
    const q = new OutgoingQueue();
    for (let i = 0; i < 10000; i++) q.put({ topic: 'cfg' + (i % 100), payload: String(i), retain: true });
    expect(q.size()).toBe(64);
  });
});

describe('reconnect back-off', () => {
  test('1 s, doubling to 60 s; a connection that held 30 s starts over', () => {
    const p = new ReconnectPolicy();
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map(() => p.failed(0));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    expect(p.failed(100_000, 10_000)).toBe(1000); // was up 90 s
    expect(p.failed(200_000, 195_000)).toBe(2000); // dropped after 5 s: keeps backing off
    expect(p.mayTry(201_999)).toBe(false);
    expect(p.mayTry(202_000)).toBe(true);
    p.reset();
    expect(p.mayTry(0)).toBe(true);
  });
});

describe('discovery configs for real meters', () => {
  const always = ['allowance_one_phase', 'allowance_three_phase', 'power_export', 'power_import', 'reason', 'status'];
  test('Norwegian IT Aidon: L2 current labelled as the safe value, not measured; per-line power removed (the lists have none)', () => {
    const { configs, removals, plan } = planFor(snapshotsOf([AIDON + 'L375-1.hex', AIDON + 'L267-1.hex', AIDON + 'L42-1.hex']));
    expect(configs).toEqual(
      [
        ...always,
        'current_l1',
        'current_l2',
        'current_l3',
        'energy_export',
        'energy_import',
        'headroom_l1',
        'headroom_l2',
        'headroom_l3',
        'voltage_l1',
        'voltage_l2',
        'voltage_l3',
      ].sort(),
    );
    expect(removals).toEqual(['power_l1', 'power_l2', 'power_l3']);
    const l2 = JSON.parse(plan.configs['homeassistant/sensor/meterbox_02aabbccddee/current_l2/config']);
    expect(l2.name).toBe('Current L2 (safe value, not measured)');
  });
  test('only short frames so far (list 1: total power): nothing is removed yet', () => {
    const { removals } = planFor(snapshotsOf([AIDON + 'L42-1.hex', AIDON + 'L42-2.hex']));
    expect(removals).toEqual([]);
  });
  test('DSMR 5 with per-line power: voltage and power per line, energy, nothing removed', () => {
    const { configs, removals } = planFor(snapshotsOf(['p1/node-dsmr-parser/dsmr-5.0-isk-1.txt']));
    for (const line of ['l1', 'l2', 'l3'])
      expect(configs).toEqual(expect.arrayContaining([`current_${line}`, `voltage_${line}`, `power_${line}`, `headroom_${line}`]));
    expect(removals).toEqual([]);
    const l2 = JSON.parse(
      planFor(snapshotsOf(['p1/node-dsmr-parser/dsmr-5.0-isk-1.txt'])).plan.configs['homeassistant/sensor/meterbox_02aabbccddee/current_l2/config'],
    );
    expect(l2.name).toBe('Current L2');
  });
  test('one-phase supply (Slovenian Iskra AM550, phases 1): every L2/L3 sensor removed', () => {
    const { configs, removals } = planFor(
      snapshotsOf(['han/amsreader-firmware/iskra-am550-1phase-gh869-1.hex'], (d) => {
        d.headroom.phases = 1;
      }),
    );
    expect(removals).toEqual(
      expect.arrayContaining(['current_l2', 'current_l3', 'headroom_l2', 'headroom_l3', 'voltage_l2', 'voltage_l3', 'power_l2', 'power_l3']),
    );
    expect(configs).toEqual(expect.arrayContaining(['current_l1', 'headroom_l1', 'voltage_l1']));
    expect(configs).not.toContain('current_l2');
  });
  test('energy: kWh, device_class energy, total_increasing (the energy dashboard takes it as is)', () => {
    const { plan } = planFor(snapshotsOf([AIDON + 'L375-1.hex']));
    expect(JSON.parse(plan.configs['homeassistant/sensor/meterbox_02aabbccddee/energy_import/config'])).toMatchObject({
      unit_of_measurement: 'kWh',
      device_class: 'energy',
      state_class: 'total_increasing',
    });
  });
});

describe('state JSON', () => {
  test('live: signed currents by the one rule (DSMR L1 exporting), per-line power net, energy in kWh', () => {
    const [s] = snapshotsOf(['p1/node-dsmr-parser/dsmr-5.0-isk-1.txt']);
    const state = mqttState(s, s.timeMs);
    // The meter's whole 2 A made finer by L1's own power (676 W exported at 236 V), signed by it.
    expect(state.currentL1A).toBeCloseTo(-676 / 236, 1);
    expect(state.powerL1W).toBe(-676);
    expect(state.energyImportKwh).toBe(6757.178);
    expect(state.status).toBe(s.headroom.status);
  });
  test('no data: no measured value at all (unknown in Home Assistant), the fail-safe allowance still there', () => {
    const [s] = snapshotsOf(['p1/node-dsmr-parser/dsmr-5.0-isk-1.txt']);
    const stale = { ...s, headroom: { ...s.headroom, status: 'no-data' as const, threePhaseA: 0, onePhaseA: 0 } };
    const state = mqttState(stale, s.timeMs);
    for (const key of ['powerImportW', 'energyImportKwh', 'currentL1A', 'voltageL1V', 'powerL1W']) expect(state).not.toHaveProperty(key);
    expect(state).toMatchObject({ status: 'no-data', allowanceThreePhaseA: 0, allowanceOnePhaseA: 0 });
  });
});

/** A connection scripted by the test: records what the output asks for. */
function scripted() {
  const calls: { options: MqttConnectOptions; events: MqttSessionEvents; published: Array<[string, string, boolean]>; closed: boolean; room: number }[] = [];
  const connector: MqttConnector = {
    supportsTls: false,
    connect(options, events) {
      const call = { options, events, published: [] as Array<[string, string, boolean]>, closed: false, room: Infinity };
      calls.push(call);
      return {
        publish: (t, p, r) => {
          if (call.room <= 0) return false;
          call.room--;
          call.published.push([t, p, r]);
          return true;
        },
        close: () => {
          call.closed = true;
        },
      };
    },
  };
  return { connector, calls };
}

function docWith(mqtt: Partial<SettingsDocument['mqtt']>): SettingsDocument {
  const d = defaultSettings();
  d.mqtt = { ...d.mqtt, ...mqtt };
  return d;
}

describe('MQTT output session handling', () => {
  const snaps = snapshotsOf([AIDON + 'L375-1.hex', AIDON + 'L267-1.hex']);
  const at = (i: number) => ({ ...snaps[snaps.length - 1], timeMs: i });

  test('connects on the next update; on CONNACK: online, configs, removals, state; Last Will offline', () => {
    const { connector, calls } = scripted();
    const out = createMqttOutput({ connector, serial: '02aabbccddee', firmwareVersion: '0.1.0' });
    out.configure(docWith({ url: 'mqtt://broker:1884', username: 'u', password: 'pw' }));
    expect(calls).toHaveLength(0);
    for (const s of snaps) out.update(s, 1000);
    expect(calls).toHaveLength(1);
    expect(calls[0].options).toMatchObject({
      address: { host: 'broker', port: 1884, secure: false },
      username: 'u',
      password: 'pw',
      clientId: 'meterbox-02aabbccddee',
      will: { topic: 'meterbox/02aabbccddee/availability', payload: 'offline', retain: true },
    });
    calls[0].events.connected();
    const published = calls[0].published;
    expect(published[0]).toEqual(['meterbox/02aabbccddee/availability', 'online', true]);
    expect(published.filter(([t, p]) => t.endsWith('/power_l1/config') && p === '')).toHaveLength(1);
    expect(published.filter(([t]) => t === 'meterbox/02aabbccddee/state')).toHaveLength(1);
    expect(out.status()).toMatchObject({ enabled: true, connected: true, lastError: null, broker: 'mqtt://broker:1884', baseTopic: 'meterbox/02aabbccddee' });
    // Nothing changed: no config again; a state at most once a second.
    out.update(at(1500), 1500);
    out.update(at(1900), 1900);
    expect(calls[0].published.filter(([t]) => t.endsWith('/config'))).toHaveLength(published.filter(([t]) => t.endsWith('/config')).length);
  });

  test('the password never appears in lastError, whatever the client reports', () => {
    const { connector, calls } = scripted();
    const out = createMqttOutput({ connector, serial: 'x', firmwareVersion: '0' });
    out.configure(docWith({ url: 'mqtt://b', password: 'Hunter2-secret' }));
    out.update(snaps[0], 0);
    calls[0].events.closed('auth failed for password Hunter2-secret');
    expect(JSON.stringify(out.status())).not.toContain('Hunter2-secret');
    expect(out.status().lastError).toMatch(/password \*\*\*/);
  });

  test('no CONNACK within 15 s: given up, retried after 1 s, then 2 s', () => {
    const { connector, calls } = scripted();
    const out = createMqttOutput({ connector, serial: 'x', firmwareVersion: '0' });
    out.configure(docWith({ url: 'mqtt://b' }));
    out.update(snaps[0], 0);
    out.update(snaps[0], 15000);
    expect(calls[0].closed).toBe(true);
    expect(out.status()).toMatchObject({
      connected: false,
      lastError: expect.stringMatching(/no answer from the broker within 15 s.*again in 1 s/),
      retryInS: 1,
    });
    out.update(snaps[0], 15500);
    expect(calls).toHaveLength(1);
    out.update(snaps[0], 16000);
    expect(calls).toHaveLength(2);
    calls[1].events.closed('connection refused');
    out.update(snaps[0], 17000);
    expect(calls).toHaveLength(2);
    out.update(snaps[0], 18000);
    expect(calls).toHaveLength(3);
  });

  test('mqtts:// where the platform has no TLS: said plainly, no attempt', () => {
    const { connector, calls } = scripted();
    const out = createMqttOutput({ connector, serial: 'x', firmwareVersion: '0' });
    out.configure(docWith({ url: 'mqtts://b' }));
    out.update(snaps[0], 0);
    expect(calls).toHaveLength(0);
    expect(out.status().lastError).toMatch(/TLS\) is not available in this build/);
  });

  test('moving the base topic clears the old configs and marks the old availability offline before reconnecting', () => {
    const { connector, calls } = scripted();
    const out = createMqttOutput({ connector, serial: '02aabbccddee', firmwareVersion: '0' });
    out.configure(docWith({ url: 'mqtt://b' }));
    for (const s of snaps) out.update(s, 0);
    calls[0].events.connected();
    const configTopics = calls[0].published.filter(([t, p]) => t.endsWith('/config') && p !== '').map(([t]) => t);
    const before = calls[0].published.length;
    out.configure(docWith({ url: 'mqtt://b', baseTopic: 'house/meter' }));
    const farewell = calls[0].published.slice(before);
    expect(
      farewell
        .filter(([, p]) => p === '')
        .map(([t]) => t)
        .sort(),
    ).toEqual([...configTopics].sort());
    expect(farewell[farewell.length - 1]).toEqual(['meterbox/02aabbccddee/availability', 'offline', true]);
    expect(calls[0].closed).toBe(true);
    out.update(snaps[1], 1000);
    expect(calls[1].options.will.topic).toBe('house/meter/availability');
  });

  test('a stalled connection: the queue stays bounded, old states dropped, meter updates never wait', () => {
    const { connector, calls } = scripted();
    const out = createMqttOutput({ connector, serial: 'x', firmwareVersion: '0' });
    out.configure(docWith({ url: 'mqtt://b' }));
    out.update(snaps[0], 0);
    calls[0].room = 0;
    calls[0].events.connected();
    for (let t = 1000; t < 200_000; t += 1000) out.update(at(t), t);
    const s = out.status();
    expect(s.queued as number).toBeLessThanOrEqual(64);
    calls[0].room = Infinity;
    out.update(at(300_000), 300_000);
    expect(out.status().queued).toBe(0);
    const states = calls[0].published.filter(([t]) => t === 'meterbox/x/state');
    expect(states).toHaveLength(1); // the old ones were replaced by the newest
  });

  test('stop: availability offline, then a polite disconnect (so the Last Will is not needed)', () => {
    const { connector, calls } = scripted();
    const out = createMqttOutput({ connector, serial: 'x', firmwareVersion: '0' });
    out.configure(docWith({ url: 'mqtt://b' }));
    out.update(snaps[0], 0);
    calls[0].events.connected();
    out.stop();
    expect(calls[0].published[calls[0].published.length - 1]).toEqual(['meterbox/x/availability', 'offline', true]);
    expect(calls[0].closed).toBe(true);
    expect(out.status().connected).toBe(false);
  });

  test('MQTT turned off: no connection, status says so', () => {
    const { connector, calls } = scripted();
    const out = createMqttOutput({ connector, serial: 'x', firmwareVersion: '0' });
    out.configure(defaultSettings());
    out.update(snaps[0], 0);
    expect(calls).toHaveLength(0);
    expect(out.status()).toMatchObject({ enabled: false, connected: false, lastError: null });
  });
});
