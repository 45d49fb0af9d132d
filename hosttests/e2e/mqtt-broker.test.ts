// MQTT with Home Assistant discovery against a real broker: `npm start -- --mqtt URL` (the real
// app in its own process, replaying the Norwegian IT Aidon captures) publishing to Debian's
// mosquitto started on a free loopback port. Topics, retained discovery configs and their fields,
// removal of sensors the meter lacks, state at most once a second, status under outputs.mqtt,
// reconnect after the broker restarts (retained configs republished), Last Will on a killed
// process, and the broker password never shown.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, spawnApp, tempDir, waitFor } from './helpers';
import type { SpawnedApp } from './helpers';
import { record, startBroker } from './mosquitto';
import type { Broker, Recorder } from './mosquitto';

jest.setTimeout(90000);

const status = async (app: SpawnedApp) => (await getJson(app.url + '/api/v1/status')).body.outputs.mqtt;

describe('npm start -- --mqtt: an IT-grid Aidon into mosquitto', () => {
  let broker: Broker;
  let rec: Recorder;
  let app: SpawnedApp;
  let base: string;
  let node: string;
  const config = (object: string) => `homeassistant/sensor/${node}/${object}/config`;

  beforeAll(async () => {
    broker = await startBroker();
    rec = await record(broker.url); // subscribed before the app connects: sees every message, removals too
    app = await spawnApp(
      ['--mqtt', broker.url, '--settings', join(tempDir('meterbox-mqtt-'), 's.json'), '--interval-ms', '600', '--replay-baud', '0'],
      20000,
      true,
    );
    const serial = (await getJson(app.url + '/api')).body.serial;
    expect(serial).toMatch(/^[0-9a-f]{12}$/);
    base = 'meterbox/' + serial;
    node = 'meterbox_' + serial;
  });
  afterAll(async () => {
    await app?.stop();
    await rec?.close();
    await broker?.stop();
  });

  test('availability online, discovery configs with unique_id/device/availability/expire_after, energy ready for the energy dashboard', async () => {
    await waitFor('availability online', () => rec.last(base + '/availability')?.payload === 'online', 20000);
    await waitFor('the energy sensor (list 3 replayed first)', () => rec.last(config('energy_import')), 20000);
    const parse = (object: string) => JSON.parse(rec.last(config(object))!.payload);
    for (const object of [
      'power_import',
      'power_export',
      'energy_import',
      'energy_export',
      'current_l1',
      'current_l2',
      'current_l3',
      'voltage_l1',
      'voltage_l2',
      'voltage_l3',
      'headroom_l1',
      'headroom_l2',
      'headroom_l3',
      'allowance_three_phase',
      'allowance_one_phase',
      'status',
      'reason',
    ]) {
      await waitFor(`config ${object}`, () => rec.last(config(object)), 10000);
      const c = parse(object);
      expect(c.unique_id).toBe(`${node}_${object}`);
      expect(c.state_topic).toBe(base + '/state');
      expect(c.availability_topic).toBe(base + '/availability');
      expect(c.expire_after).toBeGreaterThan(10);
      expect(c.device.identifiers).toEqual([node]);
      expect(c.value_template).toMatch(/^\{\{ value_json\.\w+ \| default\('None'\) \}\}$/);
    }
    expect(parse('energy_import')).toMatchObject({ unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' });
    expect(parse('energy_export')).toMatchObject({ unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' });
    expect(parse('power_import')).toMatchObject({ unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement' });
    expect(parse('current_l2').name).toMatch(/L2 \(safe value, not measured\)/);
    expect(parse('current_l1').name).toBe('Current L1');
  });

  test('sensors this meter does not have are removed: per-line power (an Aidon list has none) gets an empty retained config', async () => {
    for (const line of ['l1', 'l2', 'l3']) {
      await waitFor(`power_${line} removed`, () => rec.on(config('power_' + line)).some((m) => m.payload === ''), 15000);
      expect(rec.on(config('power_' + line)).every((m) => m.payload === '')).toBe(true);
    }
  });

  test("state: one JSON per frame at most once a second, L2 the engine's safe value (bound or estimate, <= L1 + L3), energy in kWh", async () => {
    await waitFor('six states', () => rec.on(base + '/state').length >= 6, 20000);
    const states = rec.on(base + '/state').map((m) => JSON.parse(m.payload));
    const times = states.map((s) => Date.parse(s.time));
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1000);
    const full = states.filter((s) => s.currentL1Source === 'measured').pop();
    expect(['bound', 'estimated']).toContain(full.currentL2Source);
    expect(full.currentL2A).toBeGreaterThan(0);
    expect(full.currentL2A).toBeLessThanOrEqual(full.currentL1A + full.currentL3A + 0.05);
    const withEnergy = states.filter((s) => s.energyImportKwh !== undefined).pop();
    expect(withEnergy.energyImportKwh).toBe(21882.34);
    expect(full).not.toHaveProperty('powerL1W'); // never sent by this meter: absent, not 0
    expect(typeof full.allowanceThreePhaseA).toBe('number');
  });

  test('status under outputs.mqtt; retained messages are there for a client that subscribes later', async () => {
    expect(await status(app)).toMatchObject({ enabled: true, connected: true, lastError: null, broker: broker.url, source: 'command line', baseTopic: base });
    const later = await record(broker.url);
    try {
      await waitFor('retained availability', () => later.last(base + '/availability'), 5000);
      expect(later.last(base + '/availability')).toMatchObject({ payload: 'online', retain: true });
      await waitFor('retained configs', () => later.last(config('current_l2')), 5000);
      expect(later.last(config('current_l2'))!.retain).toBe(true);
      expect(later.last(config('power_l1'))).toBeUndefined(); // removed
    } finally {
      await later.close();
    }
  });

  test('the broker restarts (retained messages lost): the app reconnects with back-off and publishes everything again', async () => {
    await broker.stop();
    const down = await waitFor(
      'the app to notice',
      async () => {
        const s = await status(app);
        return s.connected === false ? s : undefined;
      },
      15000,
    );
    expect(down.lastError).toEqual(expect.any(String));
    await broker.start();
    await waitFor('reconnected', async () => (await status(app)).connected === true, 30000);
    const fresh = await record(broker.url);
    try {
      await waitFor('availability again', () => fresh.last(base + '/availability')?.payload === 'online', 10000);
      await waitFor('configs again', () => fresh.last(config('energy_import')) && fresh.last(config('current_l2')), 10000);
      await waitFor('states again', () => fresh.on(base + '/state').length >= 1, 10000);
    } finally {
      await fresh.close();
    }
  });

  test('Last Will: the killed process is marked offline by the broker', async () => {
    const watcher = await record(broker.url, base + '/availability');
    try {
      await waitFor('online first', () => watcher.last(base + '/availability')?.payload === 'online', 5000);
      app.proc.kill('SIGKILL');
      await waitFor('offline from the Last Will', () => watcher.last(base + '/availability')?.payload === 'offline', 15000);
    } finally {
      await watcher.close();
    }
  });
});

test('broker with a password: a wrong one is reported (never shown), the right one set on the settings API connects', async () => {
  const brokerPassword = 'Br0ker-Pass-7x';
  const wrongPassword = 'wr0ng-Pass-9q';
  const broker = await startBroker({ meterbox: brokerPassword });
  const dir = tempDir('meterbox-mqtt-auth-');
  const settingsPath = join(dir, 's.json');
  writeFileSync(settingsPath, JSON.stringify({ version: 1, mqtt: { url: broker.url, username: 'meterbox', password: wrongPassword } }));
  const app = await spawnApp(['--settings', settingsPath, '--interval-ms', '600', '--replay-baud', '0']);
  try {
    const refused = await waitFor(
      'the broker to refuse',
      async () => {
        const s = await status(app);
        return s.lastError ? s : undefined;
      },
      20000,
    );
    expect(refused.connected).toBe(false);
    expect(refused.lastError).toMatch(/not authori[sz]ed/i);
    for (const path of ['/api/v1/settings', '/api/v1/status', '/api/v1/diagnostics']) {
      const text = await (await fetch(app.url + path)).text();
      expect(text).not.toContain(wrongPassword);
    }
    expect((await getJson(app.url + '/api/v1/settings')).body.mqtt).toMatchObject({ url: broker.url, username: 'meterbox', password: { set: true } });

    const setup = await getJson(app.url + '/api/v1/auth/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'page-password-1' }),
    });
    const saved = await getJson(app.url + '/api/v1/settings', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + setup.body.token },
      body: JSON.stringify({ mqtt: { password: brokerPassword } }),
    });
    expect(saved.status).toBe(200);
    expect(JSON.stringify(saved.body)).not.toContain(brokerPassword);
    await waitFor('connected with the right password', async () => (await status(app)).connected === true, 20000);
    const serial = (await getJson(app.url + '/api')).body.serial;
    const rec = await record(broker.url, `meterbox/${serial}/availability`, { username: 'meterbox', password: brokerPassword });
    try {
      await waitFor('its retained availability', () => rec.last(`meterbox/${serial}/availability`)?.payload === 'online', 5000);
    } finally {
      await rec.close();
    }
    for (const path of ['/api/v1/settings', '/api/v1/status', '/api/v1/diagnostics']) {
      const text = await (await fetch(app.url + path)).text();
      expect(text).not.toContain(brokerPassword);
    }
    expect(app.output()).not.toContain(brokerPassword);
    expect(app.output()).not.toContain(wrongPassword);
  } finally {
    await app.stop();
    await broker.stop();
  }
});
