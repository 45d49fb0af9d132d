// The three HomeWizard consumers' own parsing (transcribed in ./consumers/, sources cited there)
// run against the live app (startHost: the real Node server and app core) on real captures:
// a Norwegian Aidon 6525 on an IT grid (HAN, no L2 current) and an Iskra DSMR 5 telegram with one
// line exporting. Expected values come from the captures' sidecars (independent decoders) and from
// the engine's answer in the same app's /api/v1/status.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHost } from '../../firmware/host/start-host';
import type { RunningHost } from '../../firmware/host/start-host';
import { ReplaySource, readCapture } from '../../firmware/host/replay-source';
import { repoRoot, tempDir, waitFor } from '../e2e/helpers';
import { httpGetter } from './consumers/http';
import { smartEvse3Read, smartEvse35Read } from './consumers/smartevse';
import { evccHomeWizard } from './consumers/evcc';
import { UnsupportedError, hasV2Api, homeWizardEnergyV1, RequestError } from './consumers/home-assistant';

const AIDON = 'hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-';
const ISKRA = 'hosttests/vectors/p1/node-dsmr-parser/dsmr-5.0-isk-1.txt';

function sidecar(path: string): any {
  return JSON.parse(readFileSync(join(repoRoot, path.replace(/\.(hex|txt)$/, '.json')), 'utf8'));
}

/** What SmartEVSE stores for a current in A: (int16_t)(float * 10). */
function smartEvseDeciAmps(currentA: number): number {
  return Math.trunc(Math.fround(Math.fround(currentA) * 10));
}

async function replayHost(files: string[], settings?: object): Promise<RunningHost> {
  const dir = tempDir('meterbox-hw-');
  const settingsPath = join(dir, 'settings.json');
  if (settings) require('node:fs').writeFileSync(settingsPath, JSON.stringify(settings));
  const steps = files.map((f) => ({ name: f, bytes: readCapture(join(repoRoot, f)) }));
  const host = await startHost({
    port: 0,
    host: '127.0.0.1',
    settingsPath,
    quiet: true,
    passwordIterations: 100,
    source: new ReplaySource(steps, { intervalMs: 150, baud: 0, loopFrom: 0, loop: false, label: 'test replay' }),
  });
  await waitFor('every replayed frame decoded', () => host.app.framesDecoded() >= files.length, 15000);
  return host;
}

describe('IT grid, HAN: Aidon 6525 (no L2 current), lists 3 and 2', () => {
  const list3 = AIDON + 'L375-1.hex';
  const list2 = AIDON + 'L267-1.hex';
  const meter3 = sidecar(list3).expected_source.data;
  const meter2 = sidecar(list2).expected_source.data;
  let host: RunningHost;
  let url: string;
  beforeAll(async () => {
    host = await replayHost([list3, list2]);
    url = host.url.replace('localhost', '127.0.0.1');
  });
  afterAll(async () => {
    await host.close();
  });

  /**
   * The engine's L2: not the meter's (a 3-wire Aidon does not measure it) but the bound or the
   * estimate under it (decoders/headroom/it-line2.ts), above 0 A, never above L1 + L3.
   */
  const engineL2 = () => {
    const l2 = host.app.snapshot().headroom.phases.l2;
    expect(['bound', 'estimated']).toContain(l2.currentSource);
    expect(l2.currentA).toBeGreaterThan(0);
    expect(l2.currentA).toBeLessThanOrEqual(meter2.phase_current_l1.value + meter2.phase_current_l3.value + 0.05);
    return l2.currentA as number;
  };

  test("SmartEVSE 3 reads three currents, L2 the engine's safe value (not 0 A)", async () => {
    const l2 = engineL2();
    const r = await smartEvse3Read(httpGetter(url));
    expect(r.phases).toBe(3);
    expect(r.irmsDa).toEqual([smartEvseDeciAmps(meter2.phase_current_l1.value), smartEvseDeciAmps(l2), smartEvseDeciAmps(meter2.phase_current_l3.value)]);
    expect(r.irmsDa[1]).toBeGreaterThan(0);
  });

  test("SmartEVSE 3.5 reads three currents (no fourth key to overrun Irms[3]) and the meter's energy", async () => {
    const r = await smartEvse35Read(httpGetter(url));
    expect(r.phases).toBe(3);
    expect(r.irmsDa).toEqual([
      smartEvseDeciAmps(meter2.phase_current_l1.value),
      smartEvseDeciAmps(engineL2()),
      smartEvseDeciAmps(meter2.phase_current_l3.value),
    ]);
    // float32 * 1000 as SmartEVSE computes it: within a float's resolution of the meter's Wh.
    expect(Math.abs((r.importWh as number) - meter3.energy_active_cum_import.value)).toBeLessThanOrEqual(2);
    expect(r.exportWh).toBe(0);
    expect(r.powerW).toBe(meter2.power_active_import.value);
  });

  test("evcc: energy = the meter total (t1 carries it), currents L1/L2/L3 with L2 the engine's safe value", async () => {
    const meter = await evccHomeWizard(httpGetter(url));
    expect(meter.productType).toBe('HWE-P1');
    expect(await meter.totalEnergy()).toBeCloseTo(meter3.energy_active_cum_import.value / 1000, 6);
    const [i1, i2, i3] = await meter.currents();
    expect(i1).toBe(meter2.phase_current_l1.value);
    expect(i2).toBeCloseTo(engineL2(), 3);
    expect(i3).toBe(meter2.phase_current_l3.value);
    expect(await meter.currentPower()).toBe(meter2.power_active_import.value);
    expect(await meter.voltages()).toEqual([meter2.phase_voltage_l1.value, meter2.phase_voltage_l2.value, meter2.phase_voltage_l3.value]);
    // The meter sends no per-phase power: none is invented (evcc reads 0 for the absent fields).
    expect(await meter.powers()).toEqual([0, 0, 0]);
  });

  test('Home Assistant (python-homewizard-energy v1): device, mapped measurement, system; telegram unsupported on HAN', async () => {
    const api = homeWizardEnergyV1(httpGetter(url));
    expect(await hasV2Api('127.0.0.1', host.port)).toBe(false); // so HA stays on v1
    const device = await api.device();
    expect(device).toMatchObject({ product_type: 'HWE-P1', model_name: 'P1 Meter', api_version: '1.0.0', id: `appliance/p1dongle/${device.serial}` });
    const m = await api.measurement();
    expect(m.wifi_ssid).toBe('');
    expect(m.wifi_strength).toBe(100);
    expect(m.energy_import_kwh).toBeCloseTo(meter3.energy_active_cum_import.value / 1000, 6);
    expect(m.energy_import_t1_kwh).toBe(m.energy_import_kwh);
    expect(m.energy_export_kwh).toBe(0);
    expect(m.power_w).toBe(meter2.power_active_import.value);
    expect(m.current_l1_a).toBe(meter2.phase_current_l1.value);
    expect(m.current_l2_a).toBeCloseTo(engineL2(), 3);
    expect(m.current_l3_a).toBe(meter2.phase_current_l3.value);
    expect(m.voltage_l2_v).toBe(meter2.phase_voltage_l2.value);
    expect(m.power_l1_w).toBeNull();
    expect(m.unique_id).toBe(meter2.meter_id.value); // hex of the ASCII id, read back
    expect(m.meter_model).toBe(meter2.meter_type.value);
    expect(await api.system()).toEqual({ cloud_enabled: false });
    await expect(api.telegram()).rejects.toBeInstanceOf(UnsupportedError);
  });

  test('homewizard.l2 "omit" leaves the unmeasured L2 out (and SmartEVSE 3 then counts two lines: why "safe" is the default)', async () => {
    expect(
      host.app.updateSettings((doc) => {
        doc.homewizard.l2 = 'omit';
        return doc;
      }),
    ).toEqual({ ok: true });
    try {
      const body = await (await fetch(url + '/api/v1/data')).json();
      expect(body).not.toHaveProperty('active_current_l2_a');
      expect(body.active_current_l1_a).toBe(meter2.phase_current_l1.value);
      expect((await smartEvse3Read(httpGetter(url))).phases).toBe(2);
    } finally {
      expect(
        host.app.updateSettings((doc) => {
          doc.homewizard.l2 = 'safe';
          return doc;
        }),
      ).toEqual({ ok: true });
    }
  });
});

describe('DSMR 5 (Iskra AM550, L1 exporting)', () => {
  const telegram = readFileSync(join(repoRoot, ISKRA));
  const expected = sidecar(ISKRA).expected_source;
  const value = (obis: string): number => {
    const line = expected.cosem.knownObjects.find((o: string) => o.startsWith(obis + '('));
    return Number(/\(([-\d.]+)/.exec(line)![1]);
  };
  let host: RunningHost;
  let url: string;
  beforeAll(async () => {
    host = await replayHost([ISKRA]);
    url = host.url.replace('localhost', '127.0.0.1');
  });
  afterAll(async () => {
    await host.close();
  });
  /**
   * The engine's L1 (magnitude): the meter's whole amperes made finer by the line's own power
   * (decoders/plausibility), never less than the meter's current. Outputs sign it by the power.
   */
  const engineL1 = (): number => {
    const a = host.app.snapshot().headroom.phases.l1.currentA as number;
    expect(a).toBeGreaterThanOrEqual(value('1-0:31.7.0'));
    expect(a).toBeCloseTo((value('1-0:22.7.0') * 1000) / value('1-0:32.7.0'), 1);
    return a;
  };

  test('SmartEVSE 3 and 3.5: L1 negative (exporting, by its power), all three lines, energies', async () => {
    const engine = host.app.snapshot().headroom.phases;
    const r3 = await smartEvse3Read(httpGetter(url));
    expect(r3.phases).toBe(3);
    expect(r3.irmsDa).toEqual([
      -smartEvseDeciAmps(engineL1()),
      smartEvseDeciAmps(engine.l2.currentA as number),
      smartEvseDeciAmps(engine.l3.currentA as number),
    ]);
    expect(r3.irmsDa[0]).toBeLessThan(0);
    const r35 = await smartEvse35Read(httpGetter(url));
    expect(r35.phases).toBe(3);
    expect(r35.irmsDa).toEqual(r3.irmsDa);
    const importWh = (value('1-0:1.8.1') + value('1-0:1.8.2')) * 1000;
    expect(Math.abs((r35.importWh as number) - importWh)).toBeLessThanOrEqual(1);
  });

  test('evcc: energy = t1 + t2 = the meter total; signed currents and per-phase powers', async () => {
    const meter = await evccHomeWizard(httpGetter(url));
    expect(await meter.totalEnergy()).toBeCloseTo(value('1-0:1.8.1') + value('1-0:1.8.2'), 6);
    const [i1] = await meter.currents();
    expect(i1).toBe(-engineL1());
    expect(await meter.powers()).toEqual([
      Math.round((value('1-0:21.7.0') - value('1-0:22.7.0')) * 1000),
      Math.round((value('1-0:41.7.0') - value('1-0:42.7.0')) * 1000),
      Math.round((value('1-0:61.7.0') - value('1-0:62.7.0')) * 1000),
    ]);
    expect(await meter.currentPower()).toBe(Math.round((value('1-0:1.7.0') - value('1-0:2.7.0')) * 1000));
  });

  test('Home Assistant: v1 names mapped, tariff, ids readable, telegram = the received bytes', async () => {
    const api = homeWizardEnergyV1(httpGetter(url));
    await api.device();
    const m = await api.measurement();
    expect(m.protocol_version).toBe(50);
    expect(m.tariff).toBe(2);
    expect(m.energy_import_kwh).toBeCloseTo(value('1-0:1.8.1') + value('1-0:1.8.2'), 6);
    expect(m.energy_import_t2_kwh).toBe(value('1-0:1.8.2'));
    expect(m.energy_export_t1_kwh).toBe(value('1-0:2.8.1'));
    expect(m.current_l1_a).toBe(-engineL1());
    expect(m.voltage_sag_l1_count).toBe(3);
    expect(m.unique_id).toBe('E0034006810516416');
    expect(Object.keys(m.external_devices ?? {})).toEqual(['gas_meter_G0039001700460117']);
    // As the meter sent it: '/' .. '!', the CRC the box checked, CR LF (the capture file stops at the CRC).
    expect(await api.telegram()).toBe(telegram.toString('latin1').replace(/\r?\n?$/, '') + '\r\n');
    const res = await fetch(url + '/api/v1/telegram');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  });
});

test('no meter data yet: /api/v1/data is a 503, so each consumer fails its read instead of taking 0 A', async () => {
  const dir = tempDir('meterbox-hw-nodata-');
  const host = await startHost({ port: 0, host: '127.0.0.1', settingsPath: join(dir, 's.json'), quiet: true, passwordIterations: 100 });
  try {
    const get = httpGetter(host.url.replace('localhost', '127.0.0.1'));
    const res = await get('/api/v1/data');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text).error).toMatch(/no live meter data/);
    expect((await smartEvse3Read(get)).phases).toBe(0); // getMainsFromHomeWizardP1: {false, ...} -> MainsMeter not refreshed
    expect((await smartEvse35Read(get)).phases).toBe(0);
    const meter = await evccHomeWizard(get); // /api answers: the meter is created
    await expect(meter.currents()).rejects.toThrow(/unexpected status: 503/);
    await expect(homeWizardEnergyV1(get).measurement()).rejects.toBeInstanceOf(RequestError);
    expect(await homeWizardEnergyV1(get).device()).toMatchObject({ product_type: 'HWE-P1' });
  } finally {
    await host.close();
  }
});
