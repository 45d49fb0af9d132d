/**
 * Home Assistant's `homewizard` integration and the library it uses, transcribed from Python:
 *
 *   homewizard/python-homewizard-energy @ 60be21a42da6700f3939bdbf3ed4e3d87a0bc2d8
 *     homewizard_energy/__init__.py    has_v2_api (HTTPS GET /api; 401 means API v2, anything else v1)
 *     homewizard_energy/v1/__init__.py HomeWizardEnergyV1.device/measurement/system/telegram,
 *                                      _request (403 DisabledError, 404 NotFoundError, other non-200
 *                                      RequestError), optional_method (NotFoundError -> UnsupportedError)
 *     homewizard_energy/models.py      Device (required fields, get_verification_hostname),
 *                                      Measurement.__pre_deserialize__ (v1 names mapped only when
 *                                      "wifi_ssid" is in the body), to_datetime, hex_to_readable,
 *                                      array_to_external_device_list, __post_deserialize__ (tariff)
 *     homewizard_energy/utils.py       get_awesome_version ("v1" -> 1.0.0)
 *     homewizard_energy/const.py       MODEL_TO_ID, MODEL_TO_NAME
 *   home-assistant/core @ 02f2b1b4f2fb786e4c82bc2a313a61af7b652200
 *     homeassistant/components/homewizard/config_flow.py  async_step_zeroconf (TXT checks),
 *                                      _async_try_connect (device())
 *   home-assistant/core @ 06b6903c0243aea63c56ac454546a4f571b15faf
 *     homeassistant/components/homewizard/manifest.json    "zeroconf": ["_hwenergy._tcp.local."]
 *
 * mashumaro (the models' base) does not convert basic types: a number stays the number it was.
 */
import { request as httpsRequest } from 'node:https';
import type { HttpGet } from './http';

export class NotFoundError extends Error {}
export class DisabledError extends Error {}
export class RequestError extends Error {}
export class UnsupportedError extends Error {}
export class MissingField extends Error {}

/** HomeWizardEnergyV1._request: the body text, or the library's error for the status. */
async function request(get: HttpGet, path: string): Promise<string> {
  const res = await get('/' + path);
  if (res.status === 403) throw new DisabledError('API disabled. API must be enabled in HomeWizard Energy app');
  if (res.status === 404) throw new NotFoundError('Resource not found');
  if (res.status !== 200) throw new RequestError(`API request error (${res.status})`);
  return res.text;
}

const MODEL_TO_ID: Record<string, string> = {
  'HWE-P1': 'p1dongle',
  'HWE-SKT': 'energysocket',
  'HWE-WTR': 'watermeter',
  'HWE-DSP': 'display',
  'HWE-KWH1': 'energymeter',
  'HWE-KWH3': 'energymeter',
  'SDM230-wifi': 'energymeter',
  'SDM630-wifi': 'energymeter',
  'HWE-BAT': 'battery',
};
const MODEL_TO_NAME: Record<string, string> = {
  'HWE-P1': 'P1 Meter',
  'HWE-SKT': 'Energy Socket',
  'HWE-WTR': 'Watermeter',
  'HWE-DSP': 'Energy Display',
  'HWE-KWH1': 'kWh Meter 1-phase',
  'HWE-KWH3': 'kWh Meter 3-phase',
  'SDM230-wifi': 'kWh Meter 1-phase',
  'SDM630-wifi': 'kWh Meter 3-phase',
  'HWE-BAT': 'Plug-In Battery',
};

export interface Device {
  product_name: string;
  product_type: string;
  serial: string;
  api_version: string;
  firmware_version: string;
  model_name?: string;
  id: string;
}

/** get_awesome_version: "v1" is 1.0.0. */
function awesomeVersion(version: string): string {
  return version.toLowerCase() === 'v1' ? '1.0.0' : version;
}

/** Device.from_json + __post_deserialize__. */
export function deviceFromJson(text: string): Device {
  const d = JSON.parse(text) as Record<string, unknown>;
  for (const field of ['product_name', 'product_type', 'serial', 'api_version', 'firmware_version']) {
    if (!(field in d)) throw new MissingField(`Field "${field}" of type str is missing in Device instance`);
  }
  const productType = String(d.product_type);
  // get_verification_hostname: raise ValueError(f"Unsupported model: {model}")
  if (!(productType in MODEL_TO_ID)) throw new Error(`ValueError: Unsupported model: ${productType}`);
  return {
    product_name: String(d.product_name),
    product_type: productType,
    serial: String(d.serial),
    api_version: awesomeVersion(String(d.api_version)),
    firmware_version: String(d.firmware_version),
    model_name: MODEL_TO_NAME[productType],
    id: `appliance/${MODEL_TO_ID[productType]}/${String(d.serial)}`,
  };
}

/** Measurement.__pre_deserialize__: v1 name -> model field (only when "wifi_ssid" is present). */
const V1_MAPPING: Array<[string, string]> = [
  ['protocol_version', 'smr_version'],
  ['tariff', 'active_tariff'],
  ['energy_import_t1_kwh', 'total_power_import_t1_kwh'],
  ['energy_import_t2_kwh', 'total_power_import_t2_kwh'],
  ['energy_import_t3_kwh', 'total_power_import_t3_kwh'],
  ['energy_import_t4_kwh', 'total_power_import_t4_kwh'],
  ['energy_export_t1_kwh', 'total_power_export_t1_kwh'],
  ['energy_export_t2_kwh', 'total_power_export_t2_kwh'],
  ['energy_export_t3_kwh', 'total_power_export_t3_kwh'],
  ['energy_export_t4_kwh', 'total_power_export_t4_kwh'],
  ['power_w', 'active_power_w'],
  ['power_l1_w', 'active_power_l1_w'],
  ['power_l2_w', 'active_power_l2_w'],
  ['power_l3_w', 'active_power_l3_w'],
  ['voltage_v', 'active_voltage_v'],
  ['voltage_l1_v', 'active_voltage_l1_v'],
  ['voltage_l2_v', 'active_voltage_l2_v'],
  ['voltage_l3_v', 'active_voltage_l3_v'],
  ['current_a', 'active_current_a'],
  ['current_l1_a', 'active_current_l1_a'],
  ['current_l2_a', 'active_current_l2_a'],
  ['current_l3_a', 'active_current_l3_a'],
  ['frequency_hz', 'active_frequency_hz'],
  ['average_power_15m_w', 'active_power_average_w'],
  ['monthly_power_peak_w', 'montly_power_peak_w'],
  ['monthly_power_peak_timestamp', 'montly_power_peak_timestamp'],
];

/** Measurement fields the box can fill (the model has more; they stay None). */
const MEASUREMENT_FIELDS = [
  'wifi_ssid',
  'wifi_strength',
  'energy_import_kwh',
  'energy_export_kwh',
  'timestamp',
  'meter_model',
  'unique_id',
  'voltage_sag_l1_count',
  'voltage_sag_l2_count',
  'voltage_sag_l3_count',
  'voltage_swell_l1_count',
  'voltage_swell_l2_count',
  'voltage_swell_l3_count',
  'any_power_fail_count',
  'long_power_fail_count',
  ...V1_MAPPING.map(([field]) => field),
];

export type Measurement = Record<string, unknown> & { external_devices?: Record<string, Record<string, unknown>> | null };

/** Measurement.to_datetime for the v1 integer form: strptime(str(ts), "%y%m%d%H%M%S"). */
function toDatetime(value: unknown): string {
  if (typeof value === 'number') {
    const s = String(value);
    if (s.length !== 12 || !/^\d{12}$/.test(s)) throw new Error(`ValueError: time data '${s}' does not match format '%y%m%d%H%M%S'`);
    return `20${s.slice(0, 2)}-${s.slice(2, 4)}-${s.slice(4, 6)}T${s.slice(6, 8)}:${s.slice(8, 10)}:${s.slice(10, 12)}`;
  }
  return String(value);
}

/** Measurement.hex_to_readable: bytes.fromhex(value).decode("utf-8"), or the value unchanged. */
function hexToReadable(value: unknown): unknown {
  if (typeof value !== 'string' || value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) return value;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'hex'));
  } catch {
    return value;
  }
}

/** Measurement.from_json (pre- and post-deserialize hooks included). */
export function measurementFromJson(text: string): Measurement {
  const d = JSON.parse(text) as Record<string, unknown>;
  if ('wifi_ssid' in d) {
    for (const [field, v1] of V1_MAPPING) d[field] = d[v1] ?? null;
    d.energy_import_kwh = d.total_power_import_kwh ?? d.total_power_import_t1_kwh ?? null;
    d.energy_export_kwh = d.total_power_export_kwh ?? d.total_power_export_t1_kwh ?? null;
  }
  const m: Measurement = {};
  for (const field of MEASUREMENT_FIELDS) m[field] = d[field] ?? null;
  if (m.timestamp !== null) m.timestamp = toDatetime(m.timestamp);
  if (m.monthly_power_peak_timestamp !== null) m.monthly_power_peak_timestamp = toDatetime(m.monthly_power_peak_timestamp);
  if (m.unique_id !== null) m.unique_id = hexToReadable(m.unique_id);
  // external_devices: alias "external", array_to_external_device_list (MissingField -> logged, skipped)
  const external = d.external;
  if (Array.isArray(external)) {
    const devices: Record<string, Record<string, unknown>> = {};
    for (const item of external as Array<Record<string, unknown>>) {
      if (['unique_id', 'value', 'unit', 'timestamp'].some((k) => !(k in item))) continue;
      const type = typeof item.type === 'string' ? item.type : null;
      devices[`${type}_${hexToReadable(item.unique_id)}`] = { ...item, unique_id: hexToReadable(item.unique_id), timestamp: toDatetime(item.timestamp) };
    }
    m.external_devices = devices;
  } else m.external_devices = null;
  // __post_deserialize__: "Some smart meters report a tariff other than 1, 2, 3 or 4, which is invalid"
  if (![1, 2, 3, 4].includes(m.tariff as number)) m.tariff = null;
  return m;
}

/** The HomeWizardEnergyV1 calls Home Assistant's coordinator makes (combined(): device, measurement, system). */
export function homeWizardEnergyV1(get: HttpGet) {
  let cached: Device | undefined;
  const optional = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (e) {
      if (e instanceof NotFoundError) throw new UnsupportedError('not supported');
      throw e;
    }
  };
  return {
    async device(): Promise<Device> {
      cached = deviceFromJson(await request(get, 'api'));
      return cached;
    },
    async measurement(): Promise<Measurement> {
      return measurementFromJson(await request(get, 'api/v1/data'));
    },
    system: () => optional(async () => JSON.parse(await request(get, 'api/v1/system')) as Record<string, unknown>),
    telegram: () =>
      optional(async () => {
        // Device.supports_telegram: product_type == HWE-P1
        if (cached && cached.product_type !== 'HWE-P1') throw new UnsupportedError('Telegram is not supported');
        return request(get, 'api/v1/telegram');
      }),
  };
}

/**
 * has_v2_api(host): GET https://<host>/api without a key; only a 401 means API v2 (which HA then
 * insists on). Any exception (no TLS there, refused) means v1.
 */
export function hasV2Api(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsRequest({ host, port, path: '/api', method: 'GET', rejectUnauthorized: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 401);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

export type ZeroconfOutcome = { flow: 'abort'; reason: string } | { flow: 'discovery_confirm'; uniqueId: string; title: string; ip: string };

/** config_flow.py async_step_zeroconf up to the confirm form (unique id, title placeholders). */
export function zeroconfStep(discovery: { host: string; properties: Record<string, string> }): ZeroconfOutcome {
  const p = discovery.properties;
  if (!('api_enabled' in p) || !('path' in p) || !('product_name' in p) || !('product_type' in p) || !('serial' in p)) {
    return { flow: 'abort', reason: 'invalid_discovery_parameters' };
  }
  if (p.path !== '/api/v1') return { flow: 'abort', reason: 'unsupported_api_version' };
  let name = p.product_name;
  if (!['HWE-P1', 'HWE-WTR'].includes(p.product_type)) name = `${name} (${p.serial})`;
  return { flow: 'discovery_confirm', uniqueId: `${p.product_type}_${p.serial}`, title: name, ip: discovery.host };
}
