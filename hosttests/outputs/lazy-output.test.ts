// lazyOutput (firmware/app/outputs/lazy-output.ts): an output that exists only while the settings
// switch it on, and the device's MQTT output built that way (lazy-mqtt-output.ts): off, it holds
// nothing and reports what the real MQTT output reports with no broker; set, it is the real output
// (connects, publishes); switched off again, the real output says goodbye before it is dropped.
import { defaultSettings } from '../../firmware/app/settings';
import type { SettingsDocument } from '../../firmware/app/settings';
import { createApp } from '../../firmware/app/app';
import type { Snapshot } from '../../firmware/app/snapshot';
import { lazyOutput } from '../../firmware/app/outputs/lazy-output';
import { lazyMqttOutput } from '../../firmware/app/outputs/lazy-mqtt-output';
import { createMqttOutput } from '../../firmware/app/outputs/mqtt-output';
import type { MqttConnector } from '../../firmware/app/outputs/mqtt-client-port';
import type { SnapshotOutput } from '../../firmware/app/outputs/output-port';

function docWith(url: string): SettingsDocument {
  const d = defaultSettings();
  d.mqtt = { ...d.mqtt, url };
  return d;
}

/** A broker connection that records what it is asked to publish. */
function recordingConnector() {
  const published: Array<[string, string, boolean]> = [];
  const sessions: { connected(): void }[] = [];
  const connector: MqttConnector = {
    supportsTls: false,
    connect(_options, events) {
      sessions.push(events);
      return {
        publish: (t, p, r) => {
          published.push([t, p, r]);
          return true;
        },
        close: () => undefined,
      };
    },
  };
  return { connector, published, sessions };
}

/** A snapshot of the real app core (no meter yet), at `timeMs`. */
function snapshot(timeMs: number): Snapshot {
  const app = createApp({
    clock: { nowMs: () => timeMs },
    scheduler: { every: () => ({ cancel() {} }), after: () => ({ cancel() {} }) },
    settingsStore: { load: () => undefined, save: () => undefined },
    publisher: { broadcast: () => undefined, clientCount: () => 0 },
    logger: { info: () => undefined, warn: () => undefined },
    randomBytes: (n) => new Uint8Array(n).fill(7),
  });
  return app.snapshot();
}

describe('lazyOutput', () => {
  test('nothing is built while the settings leave it off; built on, dropped off after its own goodbye', () => {
    const calls: string[] = [];
    let created = 0;
    const out = lazyOutput({
      name: 'demo',
      wanted: (d) => d.mqtt.url !== '',
      create: () => {
        created++;
        const real: SnapshotOutput = {
          name: 'demo',
          configure: (d) => calls.push('configure ' + d.mqtt.url),
          update: (_s, now) => calls.push('update ' + now),
          status: () => ({ enabled: true }),
          stop: () => calls.push('stop'),
          chargerCurrentA: () => [6, 6, 6],
        };
        return real;
      },
      offStatus: () => ({ enabled: false }),
    });
    out.configure(docWith(''));
    out.update(snapshot(1), 1);
    expect(created).toBe(0);
    expect(out.built()).toBe(false);
    expect(out.status()).toEqual({ enabled: false });
    expect(out.chargerCurrentA?.(1)).toBeUndefined();

    out.configure(docWith('mqtt://a'));
    out.update(snapshot(2), 2);
    out.configure(docWith('mqtt://b'));
    expect(created).toBe(1);
    expect(out.status()).toEqual({ enabled: true });
    expect(out.chargerCurrentA?.(2)).toEqual([6, 6, 6]);

    out.configure(docWith(''));
    expect(out.built()).toBe(false);
    expect(calls).toEqual(['configure mqtt://a', 'update 2', 'configure mqtt://b', 'configure ', 'stop']);
    expect(out.status()).toEqual({ enabled: false });
  });
});

describe('the device MQTT output (lazyMqttOutput)', () => {
  test("off: not built, and its status is the real output's status with no broker set", () => {
    const { connector } = recordingConnector();
    const lazy = lazyMqttOutput({ connector, serial: '02aabbccddee', firmwareVersion: '0.1.0' });
    const real = createMqttOutput({ connector, serial: '02aabbccddee', firmwareVersion: '0.1.0' });
    lazy.configure(defaultSettings());
    real.configure(defaultSettings());
    lazy.update(snapshot(1000), 1000);
    real.update(snapshot(1000), 1000);
    expect(lazy.built()).toBe(false);
    expect(lazy.status()).toEqual(real.status());
  });

  test('set: the real output connects and publishes; switched off: offline before it is dropped', () => {
    const { connector, published, sessions } = recordingConnector();
    const lazy = lazyMqttOutput({ connector, serial: '02aabbccddee', firmwareVersion: '0.1.0' });
    lazy.configure(docWith('mqtt://broker:1883'));
    lazy.update(snapshot(1000), 1000);
    expect(sessions).toHaveLength(1);
    sessions[0].connected();
    expect(published[0]).toEqual(['meterbox/02aabbccddee/availability', 'online', true]);
    expect(lazy.status()).toMatchObject({ enabled: true, connected: true, broker: 'mqtt://broker:1883' });
    lazy.configure(docWith(''));
    expect(published[published.length - 1]).toEqual(['meterbox/02aabbccddee/availability', 'offline', true]);
    expect(lazy.built()).toBe(false);
    expect(lazy.status()).toMatchObject({ enabled: false, connected: false });
  });

  test('a malformed URL builds the output, so it reports the error', () => {
    const { connector } = recordingConnector();
    const lazy = lazyMqttOutput({ connector, serial: 'x', firmwareVersion: '0' });
    lazy.configure(docWith('http://not-mqtt'));
    expect(lazy.built()).toBe(true);
    expect(lazy.status()).toMatchObject({ enabled: false });
    expect(String(lazy.status().lastError)).toMatch(/mqtt/);
  });
});
