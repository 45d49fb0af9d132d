/**
 * The simulated Wi-Fi (firmware/host/wifi-sim.ts) driving the real machine through the host wiring,
 * with real timers and shortened timing: config checks, scan, a wrong password, and a dropped link
 * that backs off and brings the setup AP back after the (shortened) long failure.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOtaAndWifi, takeOtaWifiArgs } from '../../firmware/host/ota-provisioning-wiring';
import { checkWifiSimConfig, loadWifiSimConfig } from '../../firmware/host/wifi-sim';
import { waitFor } from '../e2e/helpers';

function fakeApp() {
  let doc: any = { version: 1, wifi: {} };
  return {
    settings: () => JSON.parse(JSON.stringify(doc)),
    updateSettings: (change: (d: any) => any) => {
      doc = change(JSON.parse(JSON.stringify(doc)));
      return { ok: true as const };
    },
    snapshot: () => ({ frames: { frames: 0 } }),
    get doc() {
      return doc;
    },
  };
}

describe('wifi sim config', () => {
  test('bad configs are refused with the problem', () => {
    expect(() => checkWifiSimConfig({})).toThrow(/networks/);
    expect(() => checkWifiSimConfig({ networks: [{ ssid: 'X', rssi: -50, security: 'wpa2' }] })).toThrow(/needs a password/);
    expect(() => checkWifiSimConfig({ networks: [{ ssid: 'X', rssi: -50, security: 'wpa9', password: 'x' }] })).toThrow(/security/);
    expect(() => checkWifiSimConfig({ networks: [], deviceSecretHex: 'abcd' })).toThrow(/16 or more bytes/);
  });
  test('loads from a file; CLI flags are taken out of argv', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wifisim-'));
    writeFileSync(join(dir, 'w.json'), JSON.stringify({ networks: [{ ssid: 'Cafe', rssi: -60, security: 'open' }] }));
    expect(loadWifiSimConfig(join(dir, 'w.json')).networks[0].ssid).toBe('Cafe');
    expect(takeOtaWifiArgs(['--port', '0', '--wifi-sim', 'w.json', '--ota-health-deadline-ms', '5000', '--quiet'])).toEqual({
      rest: ['--port', '0', '--quiet'],
      args: { wifiSim: 'w.json', otaHealthDeadlineMs: 5000 },
    });
    expect(() => takeOtaWifiArgs(['--ota-health-deadline-ms', '-1'])).toThrow();
  });
});

describe('simulated radio + machine, real timers', () => {
  test('wrong password, right password, dropped link -> back-off -> AP after the long failure -> reconnect', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wifisim-'));
    const log: string[] = [];
    const app = fakeApp();
    const w = createOtaAndWifi(
      { otaDir: join(dir, 'ota') },
      {
        settingsPath: join(dir, 's.json'),
        firmwareVersion: '0.1.0',
        clock: { nowMs: () => Date.now() },
        log: (m) => log.push(m),
        wifiSimConfig: { connectDelayMs: 50, scanDelayMs: 10, networks: [{ ssid: 'Home', rssi: -50, security: 'wpa2', password: 'right-pass' }] },
        provisioningTiming: { backoffFirstMs: 100, backoffCapMs: 400, longFailureMs: 1500, apGraceMs: 300 },
        tickMs: 20,
        serial: '02aabbccddee',
      },
    );
    try {
      w.start(app);
      expect(w.wifi.accessPoint()).toEqual(w.provisioning.accessPointCredentials());
      // No MAC in the simulation: the box's serial is its MAC, for the AP and the mDNS name alike.
      expect(w.serial).toBe('02aabbccddee');
      expect(w.provisioning.accessPointCredentials().ssid).toBe('meterbox-CCDDEE');
      expect(w.dns.answering).toBe('192.168.4.1');
      expect((await w.provisioning.scan(Date.now())).map((n) => n.ssid)).toEqual(['Home']);

      w.provisioning.testAndSave({ ssid: 'Home', password: 'wrong-pass' }, Date.now());
      await waitFor('the wrong password verdict', () => w.provisioning.status(Date.now()).test?.state === 'failed');
      expect(w.provisioning.status(Date.now()).test?.reason).toBe('wrong password');
      expect(w.wifi.mode()).toBe('ap');

      w.provisioning.testAndSave({ ssid: 'Home', password: 'right-pass' }, Date.now());
      await waitFor('connected', () => w.provisioning.status(Date.now()).station.state === 'connected');
      expect(app.doc.wifi).toEqual({ ssid: 'Home', password: 'right-pass' });
      expect(w.mdns.hostName).toBe('p1meter-CCDDEE');
      expect(w.provisioning.status(Date.now()).mdnsName).toBe('p1meter-CCDDEE.local');
      await waitFor('the AP to go off after the grace period', () => w.wifi.mode() === 'sta');
      expect(w.dns.answering).toBeUndefined();

      // The router disappears.
      w.wifi.setAvailable('Home', false);
      const droppedAt = Date.now();
      w.wifi.dropLink();
      expect(w.provisioning.status(Date.now()).station).toMatchObject({ state: 'backoff', lastError: 'connection dropped' });
      await waitFor('the AP to come back after the long failure', () => w.wifi.accessPoint() !== undefined, 5000);
      expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(1500);
      const connects = w.wifi.log.filter((l) => l === 'connect Home').length;
      expect(connects).toBeGreaterThanOrEqual(4); // 100, 200, 400, 400 ms ... then the long failure
      expect(w.provisioning.status(Date.now())).toMatchObject({ accessPoint: { reason: 'long-failure' }, station: { lastError: 'network not found' } });

      // The router comes back: the retries (still going, AP+STA) find it; the AP goes away again.
      w.wifi.setAvailable('Home', true);
      await waitFor('reconnect', () => w.provisioning.status(Date.now()).station.state === 'connected', 5000);
      await waitFor('AP off again', () => w.wifi.mode() === 'sta', 5000);
    } finally {
      w.stop();
    }
  }, 20000);
});
