/**
 * evcc's `homewizard` meter (template homewizard, usage grid), transcribed from its Go source:
 *
 *   evcc-io/evcc @ b29b49e3056ead3c99ff1f4711b2bb17083114b0
 *     meter/homewizard/connection.go  NewConnection (GET <uri>/api, api_version must be "v1"),
 *                                     CurrentPower, TotalEnergy (sum of t1..t4 only), Currents,
 *                                     Powers, Voltages
 *     meter/homewizard/types.go       ApiResponse, DataResponse (float64 fields)
 *     util/request/helper.go          GetJSON: a StatusError on any status outside 2xx
 *     templates/definition/meter/homewizard-p1.yaml  (type: homewizard, uri: http://{{ .host }})
 *
 * Go's encoding/json into those structs: a number goes into its float64 field, a field that is
 * absent or null stays 0, a string or bool where a float64 is declared is an error, other keys are
 * ignored, and key matching is case-insensitive.
 */
import type { HttpGet } from './http';

const DATA_FIELDS: Record<string, string> = {
  ActivePowerW: 'active_power_w',
  ActivePowerL1W: 'active_power_l1_w',
  ActivePowerL2W: 'active_power_l2_w',
  ActivePowerL3W: 'active_power_l3_w',
  TotalPowerImportT1kWh: 'total_power_import_t1_kwh',
  TotalPowerImportT2kWh: 'total_power_import_t2_kwh',
  TotalPowerImportT3kWh: 'total_power_import_t3_kwh',
  TotalPowerImportT4kWh: 'total_power_import_t4_kwh',
  TotalPowerExportT1kWh: 'total_power_export_t1_kwh',
  TotalPowerExportT2kWh: 'total_power_export_t2_kwh',
  TotalPowerExportT3kWh: 'total_power_export_t3_kwh',
  TotalPowerExportT4kWh: 'total_power_export_t4_kwh',
  ActiveCurrentL1A: 'active_current_l1_a',
  ActiveCurrentL2A: 'active_current_l2_a',
  ActiveCurrentL3A: 'active_current_l3_a',
  ActiveVoltageL1V: 'active_voltage_l1_v',
  ActiveVoltageL2V: 'active_voltage_l2_v',
  ActiveVoltageL3V: 'active_voltage_l3_v',
};

export type DataResponse = Record<keyof typeof DATA_FIELDS, number>;

/** json.Unmarshal into a struct of float64 / string fields (see the header). */
function unmarshal(text: string, fields: Record<string, string>, kind: 'float64' | 'string'): Record<string, number | string> {
  const parsed = JSON.parse(text) as unknown; // a syntax error throws, as json.Unmarshal returns one
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('json: cannot unmarshal into Go value of type struct');
  const lowerKeys = new Map<string, unknown>();
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) lowerKeys.set(k.toLowerCase(), v);
  const out: Record<string, number | string> = {};
  for (const [goName, jsonName] of Object.entries(fields)) {
    const v = lowerKeys.get(jsonName.toLowerCase());
    if (v === undefined || v === null) out[goName] = kind === 'float64' ? 0 : '';
    else if (kind === 'float64' && typeof v === 'number') out[goName] = v;
    else if (kind === 'string' && typeof v === 'string') out[goName] = v;
    else throw new Error(`json: cannot unmarshal ${typeof v} into Go struct field .${jsonName} of type ${kind}`);
  }
  return out;
}

/** util/request GetJSON: a StatusError outside 2xx, else the decoded body. */
async function getJson(get: HttpGet, path: string, fields: Record<string, string>, kind: 'float64' | 'string'): Promise<Record<string, number | string>> {
  const res = await get(path);
  if (res.status < 200 || res.status >= 300) throw new Error(`unexpected status: ${res.status}`);
  return unmarshal(res.text, fields, kind);
}

export interface EvccHomeWizardMeter {
  productType: string;
  currentPower(): Promise<number>;
  totalEnergy(): Promise<number>;
  currents(): Promise<[number, number, number]>;
  powers(): Promise<[number, number, number]>;
  voltages(): Promise<[number, number, number]>;
}

/** NewConnection(uri, usage="grid", cache) and the meter methods on it (cache left out: each call reads). */
export async function evccHomeWizard(get: HttpGet): Promise<EvccHomeWizardMeter> {
  const api = await getJson(get, '/api', { ProductType: 'product_type', ApiVersion: 'api_version' }, 'string');
  // if res.ApiVersion != "v1" { return nil, errors.New("unsupported api version: " + res.ApiVersion) }
  if (api.ApiVersion !== 'v1') throw new Error('unsupported api version: ' + api.ApiVersion);
  const base = '/api/' + api.ApiVersion;
  const data = async () => (await getJson(get, base + '/data', DATA_FIELDS, 'float64')) as DataResponse;
  return {
    productType: String(api.ProductType),
    async currentPower() {
      return (await data()).ActivePowerW;
    },
    async totalEnergy() {
      const r = await data();
      // return res.TotalPowerImportT1kWh + res.TotalPowerImportT2kWh + res.TotalPowerImportT3kWh + res.TotalPowerImportT4kWh, err
      return r.TotalPowerImportT1kWh + r.TotalPowerImportT2kWh + r.TotalPowerImportT3kWh + r.TotalPowerImportT4kWh;
    },
    async currents() {
      const r = await data();
      return [r.ActiveCurrentL1A, r.ActiveCurrentL2A, r.ActiveCurrentL3A];
    },
    async powers() {
      const r = await data();
      return [r.ActivePowerL1W, r.ActivePowerL2W, r.ActivePowerL3W];
    },
    async voltages() {
      const r = await data();
      return [r.ActiveVoltageL1V, r.ActiveVoltageL2V, r.ActiveVoltageL3V];
    },
  };
}
