/**
 * Storage faults that must not stop the box, with `npm start`'s real parts in-process (startHost,
 * FileSettingsStore, the simulated Wi-Fi and the file-backed OTA slots of ota-provisioning-wiring):
 * - a full disk while the setup page joins a Wi-Fi network: the write fails with the kernel's own
 *   ENOSPC (the store's temp file is a link to /dev/full), the join is reported as not saved, the
 *   settings file is unchanged, the app keeps answering;
 * - a damaged otadata.json: the app starts, boots ota_0 like the ESP-IDF bootloader, keeps the
 *   damaged file aside and serves GET /api/v1/firmware.
 */
import { existsSync, readFileSync, readdirSync, symlinkSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createOtaAndWifi } from '../../firmware/host/ota-provisioning-wiring';
import type { OtaWifi } from '../../firmware/host/ota-provisioning-wiring';
import { startHost } from '../../firmware/host/start-host';
import type { RunningHost } from '../../firmware/host/start-host';
import { nodeClock } from '../../firmware/host/node-platform';
import { getJson, tempDir, waitFor } from '../e2e/helpers';

async function boot(dir: string): Promise<{ host: RunningHost; otaWifi: OtaWifi; url: string; logs: string[] }> {
  const logs: string[] = [];
  const settingsPath = join(dir, 'settings.json');
  const otaWifi = createOtaAndWifi(
    { otaDir: join(dir, 'ota') },
    {
      settingsPath,
      firmwareVersion: '0.1.0',
      clock: nodeClock,
      log: (m) => logs.push(m),
      tickMs: 100,
      wifiSimConfig: { connectDelayMs: 50, scanDelayMs: 10, networks: [{ ssid: 'Home', rssi: -50, security: 'wpa2', password: 'correct horse battery' }] },
    },
  );
  const host = await startHost({
    port: 0,
    host: '127.0.0.1',
    settingsPath,
    quiet: true,
    passwordIterations: 1000,
    extraRoutes: otaWifi.routes,
    extraUploadRoutes: otaWifi.uploadRoutes,
  });
  otaWifi.start(host.app);
  return { host, otaWifi, url: `http://127.0.0.1:${host.port}`, logs };
}

test('a full disk during a Wi-Fi join: reported as not saved, nothing overwritten, the app keeps running', async () => {
  const dir = tempDir('settings-full-');
  const { host, otaWifi, url } = await boot(dir);
  try {
    const setup = await getJson(url + '/api/v1/auth/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'owner-password-1' }),
    });
    expect(setup.status).toBe(201);
    const auth = { 'content-type': 'application/json', authorization: 'Bearer ' + setup.body.token };
    const before = readFileSync(join(dir, 'settings.json'));
    // From here every settings write meets a full disk.
    const temp = join(dir, `.settings.json.${process.pid}.tmp`);
    symlinkSync('/dev/full', temp);

    const connect = await getJson(url + '/api/v1/wifi/connect', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ ssid: 'Home', password: 'correct horse battery' }),
    });
    expect(connect.status).toBe(202);
    const test = await waitFor('the join test to end', async () => {
      const s = await getJson(url + '/api/v1/wifi/status');
      return s.body.test && s.body.test.state !== 'testing' ? s.body.test : undefined;
    });
    expect(test.state).toBe('failed');
    expect(test.reason).toMatch(/could not save it .*(ENOSPC|no space left)/i);
    expect(readFileSync(join(dir, 'settings.json'))).toEqual(before);
    expect(existsSync(temp)).toBe(false);

    // The same fault on a settings change (the store removed the failed temp file: link it again):
    // a clear 500, the app answers on.
    symlinkSync('/dev/full', temp);
    const put = await getJson(url + '/api/v1/settings', { method: 'PUT', headers: auth, body: JSON.stringify({ headroom: { fuseA: 20 } }) });
    expect(put.status).toBe(500);
    expect(put.body.error).toMatch(/could not store settings: .*(ENOSPC|no space left)/i);
    expect(host.app.settings().headroom.fuseA).toBe(25);
    expect((await getJson(url + '/api/v1/status')).status).toBe(200);
    expect(readFileSync(join(dir, 'settings.json'))).toEqual(before);
  } finally {
    try {
      unlinkSync(join(dir, `.settings.json.${process.pid}.tmp`));
    } catch {
      /* removed by the store */
    }
    otaWifi.stop();
    await host.close();
  }
});

test.each([
  ['empty', ''],
  ['truncated', '{"running":1,"nextBo'],
  ['the wrong shape', '{"running":7,"nextBoot":0,"states":["valid"]}'],
])('a damaged otadata.json (%s): the app starts on ota_0 and keeps the damaged file aside', async (_name, text) => {
  const dir = tempDir('otadata-');
  mkdirSync(join(dir, 'ota'));
  writeFileSync(join(dir, 'ota', 'ota_0.bin'), 'meterbox factory image 0.1.0 (PC simulation placeholder)\n');
  writeFileSync(join(dir, 'ota', 'otadata.json'), text);
  const { host, otaWifi, url, logs } = await boot(dir);
  try {
    const fw = await getJson(url + '/api/v1/firmware');
    expect(fw.status).toBe(200);
    expect(fw.body).toMatchObject({ state: 'idle', runningSlot: 'ota_0', runningVersion: '0.1.0' });
    const kept = readdirSync(join(dir, 'ota')).filter((f) => f.startsWith('otadata.json.unreadable-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, 'ota', kept[0]), 'utf8')).toBe(text);
    expect(JSON.parse(readFileSync(join(dir, 'ota', 'otadata.json'), 'utf8'))).toMatchObject({ running: 0, nextBoot: 0 });
    expect(logs.join('\n')).toMatch(/otadata\.json is damaged/);
  } finally {
    otaWifi.stop();
    await host.close();
  }
});
