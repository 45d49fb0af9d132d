/**
 * SmartEVSE's HomeWizard P1 reader, transcribed from its C++ (the comments quote the lines):
 *
 *   SmartEVSE 3    SmartEVSE/SmartEVSE-3 @ 2bc4238314fb78f3d360f3f6715bb7161f5a32b7
 *                  SmartEVSE-3/src/network_common.cpp  discoverHomeWizardP1(), getMainsFromHomeWizardP1()
 *                  SmartEVSE-3/src/esp32.cpp           homewizard_loop() (polls every 1.95 s)
 *   SmartEVSE 3.5  dingo35/SmartEVSE-3.5 @ 2d95cf08bdf3604a4dd243dab414dd996388142a
 *                  SmartEVSE-3/src/network_common.cpp  getmDNSServiceType(), appendDiscoveredService(),
 *                                                      getDataFromHomeWizard()
 *                  SmartEVSE-3/src/esp32.cpp           homewizard_task() (MainsMeter.Irms[i] = ...)
 *                  SmartEVSE-3/src/meter.h             int16_t Irms[3]
 *
 * ArduinoJson as used there: deserializeJson with a Filter keeps only the listed keys;
 * containsKey(key) is true for a key that is present; as<float>() is a single-precision float,
 * 0 when the key is absent or not a number; as<int>() truncates toward zero; `float * 10` stored
 * in an int16_t truncates toward zero (float arithmetic, as on the ESP32).
 */
import type { HttpGet } from './http';

/** A _hwenergy._tcp answer as the ESP32 mDNS query returns it (MDNS.hostname(i), MDNS.port(i)). */
export interface MdnsAnswer {
  hostname: string;
  port: number;
}

/** SmartEVSE 3 discoverHomeWizardP1(): the first answer whose host name starts with "p1meter-". */
export function smartEvse3Discover(answers: MdnsAnswer[]): string {
  for (const a of answers) {
    // if (hostname.startsWith("p1meter-")) {
    if (a.hostname.startsWith('p1meter-')) {
      // homeWizardHost = hostname + ".local" + (port != 80 ? ":" + String(port) : "");
      return a.hostname + '.local' + (a.port !== 80 ? ':' + String(a.port) : '');
    }
  }
  return '';
}

export const EM_HOMEWIZARD = 13;

/** SmartEVSE 3.5 getmDNSServiceType(): p1meter-/kwhmeter- host names are HomeWizard meters, others 0. */
export function smartEvse35ServiceType(hostname: string): number {
  for (const prefix of ['p1meter-', 'kwhmeter-']) if (hostname.startsWith(prefix)) return EM_HOMEWIZARD;
  return 0;
}

type Doc = Record<string, unknown>;

/** deserializeJson(doc, stream, DeserializationOption::Filter(filter)). */
function filteredDoc(text: string, keys: string[]): Doc | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined; // "JSON deserialization failed"
  }
  const doc: Doc = {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return doc;
  for (const key of keys) if (key in (parsed as Doc)) doc[key] = (parsed as Doc)[key];
  return doc;
}

function asFloat(doc: Doc, key: string): number {
  const v = doc[key];
  return typeof v === 'number' ? Math.fround(v) : 0;
}

function asInt(doc: Doc, key: string): number {
  const v = doc[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) return 0;
  const t = Math.trunc(v);
  return t > 2147483647 || t < -2147483648 ? 0 : t;
}

/** int16_t rawCurrent = doc[key].as<float>() * 10; */
function rawDeciAmps(doc: Doc, key: string): number {
  const product = Math.fround(asFloat(doc, key) * 10);
  const t = Math.trunc(product);
  return ((t + 32768) & 0xffff) - 32768; // int16_t
}

const CURRENT_KEYS = ['active_current_l1_a', 'active_current_l2_a', 'active_current_l3_a'];
const POWER_KEYS = ['active_power_l1_w', 'active_power_l2_w', 'active_power_l3_w'];

export interface SmartEvse3Result {
  /** The returned flag: 0 on failure, else the number of active_current_lN_a keys found. */
  phases: number;
  /** MainsMeter.Irms after homewizard_loop(), deci-amps; entries it did not write stay undefined. */
  irmsDa: (number | undefined)[];
}

/** SmartEVSE 3 getMainsFromHomeWizardP1() + homewizard_loop() (SMARTEVSE_VERSION < 40). */
export async function smartEvse3Read(get: HttpGet): Promise<SmartEvse3Result> {
  const irmsDa: (number | undefined)[] = [undefined, undefined, undefined];
  const res = await get('/api/v1/data');
  // if (httpCode != HTTP_CODE_OK) { ... return {false, {0, 0, 0}}; }
  if (res.status !== 200) return { phases: 0, irmsDa };
  const doc = filteredDoc(res.text, [...CURRENT_KEYS, ...POWER_KEYS]);
  if (!doc) return { phases: 0, irmsDa };
  let phases = 0;
  // for (const auto* key : currentKeys) { if (doc.containsKey(key)) phases++; }
  for (const key of CURRENT_KEYS) if (key in doc) phases++;
  if (!phases) return { phases, irmsDa };
  // auto getCorrection = [&doc](const char* powerKey) { return doc[powerKey].as<int>() < 0 ? -1 : 1; };
  const correction = (powerKey: string) => (asInt(doc, powerKey) < 0 ? -1 : 1);
  const currents: number[] = [];
  for (let i = 0; i < phases; ++i) {
    const rawCurrent = rawDeciAmps(doc, CURRENT_KEYS[i]);
    currents[i] = Math.abs(rawCurrent) * correction(POWER_KEYS[i]);
  }
  // homewizard_loop(): for (int i = 0; i < currents.first; i++) MainsMeter.Irms[i] = currents.second[i];
  for (let i = 0; i < phases; i++) irmsDa[i] = currents[i];
  return { phases, irmsDa };
}

export interface SmartEvse35Result {
  /** evdata.first: the number of the four current keys found (0 on failure). */
  phases: number;
  /** evdata.second: L1..L3 deci-amps, import Wh, export Wh, power W. */
  evdata: number[];
  /** MainsMeter.Irms after homewizard_task(). */
  irmsDa: number[];
  /** MainsMeter.Import_active_energy / Export_active_energy (Wh) and PowerMeasured (W). */
  importWh?: number;
  exportWh?: number;
  powerW?: number;
}

/** SmartEVSE 3.5 getDataFromHomeWizard() + the MainsMeter part of homewizard_task(). */
export async function smartEvse35Read(get: HttpGet, previousIrmsDa: number[] = [0, 0, 0]): Promise<SmartEvse35Result> {
  const irmsDa = previousIrmsDa.slice(0, 3);
  const fail = { phases: 0, evdata: [0, 0, 0, 0, 0, 0], irmsDa };
  const res = await get('/api/v1/data');
  if (res.status !== 200) return fail;
  const currentKeys = [...CURRENT_KEYS, 'active_current_a'];
  const powerKeys = [...POWER_KEYS, 'active_power_w'];
  const totalsKeys = ['total_power_import_kwh', 'total_power_export_kwh'];
  const doc = filteredDoc(res.text, [...currentKeys, ...powerKeys, ...totalsKeys]);
  if (!doc) return fail;
  let phases = 0;
  for (const key of currentKeys) if (key in doc) phases++;
  if (!phases) return { ...fail, phases };
  const evdata = [0, 0, 0, 0, 0, 0];
  const correction = (powerKey: string) => (asInt(doc, powerKey) < 0 ? -1 : 1);
  if (phases === 1) {
    // Single phase case: use 'active_current_a' and 'active_power_w' for correction
    evdata[0] = Math.abs(rawDeciAmps(doc, currentKeys[3])) * correction(powerKeys[3]);
  } else {
    for (let i = 0; i < 3; ++i) evdata[i] = Math.abs(rawDeciAmps(doc, currentKeys[i])) * correction(powerKeys[i]);
  }
  // evdata[3] = doc[totalsKeys[0]].as<float>() * 1000; (int32_t)
  evdata[3] = Math.trunc(Math.fround(asFloat(doc, totalsKeys[0]) * 1000));
  evdata[4] = Math.trunc(Math.fround(asFloat(doc, totalsKeys[1]) * 1000));
  evdata[5] = Math.trunc(asFloat(doc, powerKeys[3]) * 1);
  // homewizard_task(): for (int i = 0; i < evdata.first; i++) MainsMeter.Irms[i] = evdata.second[i];
  // Irms is int16_t[3] (meter.h): a fourth key would write past it.
  for (let i = 0; i < phases; i++) {
    if (i >= 3) throw new Error(`SmartEVSE 3.5 would write MainsMeter.Irms[${i}] past its 3 entries (${phases} current keys)`);
    irmsDa[i] = evdata[i];
  }
  return { phases, evdata, irmsDa, importWh: evdata[3], exportWh: evdata[4], powerW: evdata[5] };
}
