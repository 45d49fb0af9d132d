/**
 * HomeWizard P1 meter local API, v1 shape (GET /api, /api/v1/data, /api/v1/system,
 * /api/v1/telegram), so SmartEVSE, evcc and Home Assistant's HomeWizard integration use the box
 * unchanged. Field names and units are HomeWizard's (homewizard/api-documentation
 * docs/v1/measurement.mdx, including their "montly" spelling).
 *
 * Built from the snapshot (the merged, plausibility-checked reading and the headroom answer),
 * never from a raw frame. What each consumer does with the body decides the rules here (their
 * parsing is replayed in hosttests/homewizard/):
 * - Line currents come from the one rule in outputs/line-currents.ts: signed by the meter's
 *   per-phase direction, and on an IT grid L2 is the engine's safe value (homewizard.l2 "safe").
 *   SmartEVSE counts the active_current_lN_a keys and reads L1.. by index, and evcc reads a
 *   missing current as 0 A: so a supply line is never left out. When a line's current is not
 *   known (no data, past the fail-safe ladder, an IT L2 without L1 and L3) the whole answer is a
 *   503: every consumer treats that as a failed read, none as 0 A.
 * - Meters without tariff registers (HAN): total_power_import_t1_kwh = the total (export
 *   likewise), because evcc's energy is the sum of t1..t4 only.
 * - active_current_a only on a one-phase supply: SmartEVSE 3.5 counts it as a fourth current key
 *   and then writes past its three-entry current array (getDataFromHomeWizard / homewizard_task).
 * - wifi_ssid and wifi_strength always: python-homewizard-energy maps v1 names only when the body
 *   has wifi_ssid (models.py, Measurement.__pre_deserialize__).
 * docs/api.md lists which fields HAN and P1 meters fill.
 */
import type { MeterReading, PhaseReading } from '../../decoders/reading';
import type { Snapshot } from './snapshot';
import type { HomeWizardSettings } from './outputs/homewizard-settings';
import { outputLineCurrents } from './outputs/line-currents';
import { energyExportTotalWh, energyImportTotalWh } from './outputs/energy-totals';
import { HOMEWIZARD_PRODUCT_NAME, HOMEWIZARD_PRODUCT_TYPE } from './homewizard-identity';
import { bytesToHex, utf8Encode } from './util/bytes';
import { crc16Arc } from '../../decoders/util/crc16-arc';
import { declaresChecksum } from '../../decoders/dsmr/decode-telegram';

export interface HomeWizardContext {
  serial: string;
  firmwareVersion: string;
  /** The Wi-Fi network the box is on ('' when none or unknown). */
  wifiSsid: string;
  wifiStrengthPercent: number;
}

/** GET /api: the device identification HomeWizard clients probe first. */
export function homeWizardInfo(context: HomeWizardContext): Record<string, unknown> {
  return {
    product_type: HOMEWIZARD_PRODUCT_TYPE,
    product_name: HOMEWIZARD_PRODUCT_NAME,
    serial: context.serial,
    firmware_version: context.firmwareVersion,
    api_version: 'v1',
  };
}

/** GET /api/v1/system: the box never talks to HomeWizard's cloud. */
export function homeWizardSystem(): Record<string, unknown> {
  return { cloud_enabled: false };
}

/**
 * GET /api/v1/telegram: the last good telegram as the meter sent it ("/" .. "!" CRC CR LF). The
 * decoders keep "/" .. "!" (the CRC they checked is not part of the frame), so the four CRC digits
 * are put back for a DSMR 4+ telegram, which only decodes when its CRC was there and matched.
 */
export function homeWizardTelegram(frame: Uint8Array): Uint8Array {
  let text = '';
  for (let i = 0; i < frame.length; i++) text += String.fromCharCode(frame[i]);
  const crc = crc16Arc(frame);
  const tail = (declaresChecksum(text) ? bytesToHex(Uint8Array.of(crc >> 8, crc & 0xff)).toUpperCase() : '') + '\r\n';
  const out = new Uint8Array(frame.length + tail.length);
  out.set(frame, 0);
  for (let i = 0; i < tail.length; i++) out[frame.length + i] = tail.charCodeAt(i);
  return out;
}

function kWh(wh: number | undefined): number | undefined {
  return wh === undefined ? undefined : Math.round(wh) / 1000;
}

function round3(value: number): number {
  const r = Math.round(value * 1000) / 1000;
  return r === 0 ? 0 : r; // no "-0"
}

function net(importW: number | undefined, exportW: number | undefined): number | undefined {
  if (importW === undefined && exportW === undefined) return undefined;
  return (importW ?? 0) - (exportW ?? 0);
}

/**
 * "2024-03-26T19:30:00+01:00" -> 240326193000, HomeWizard's yyMMddHHmmss number in the meter's
 * local time (as the meter states it). Undefined for anything else.
 */
export function homeWizardTimestamp(iso: string | undefined): number | undefined {
  if (!iso || iso.length < 19 || iso[4] !== '-' || iso[7] !== '-' || iso[10] !== 'T') return undefined;
  const digits = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(digits);
}

function isDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return text.length > 0;
}

/** HomeWizard's unique_id is the equipment identifier as hex of its ASCII text. */
function uniqueId(meterId: string | undefined): string | undefined {
  return meterId === undefined ? undefined : bytesToHex(utf8Encode(meterId)).toUpperCase();
}

export type HomeWizardData = { ok: true; body: Record<string, unknown> } | { ok: false; error: string };

const LINE_NAMES = ['l1', 'l2', 'l3'];

/**
 * GET /api/v1/data from the snapshot. `ok: false` (the route answers 503) when a line current of
 * the supply is not known: see the header for why nothing is served then.
 */
export function homeWizardData(snapshot: Pick<Snapshot, 'reading' | 'headroom'>, context: HomeWizardContext, settings: HomeWizardSettings): HomeWizardData {
  const reading = snapshot.reading ?? undefined;
  const currents = outputLineCurrents(snapshot.headroom, reading);
  if (!currents.live || !reading) {
    return {
      ok: false,
      error: 'no live meter data (' + snapshot.headroom.reason + '): nothing is served, since HomeWizard clients read a missing current as 0 A',
    };
  }
  const out: Record<string, unknown> = {};
  const put = (name: string, value: unknown): void => {
    if (value !== undefined && value !== null && !(typeof value === 'number' && !Number.isFinite(value))) out[name] = value;
  };
  put('wifi_ssid', context.wifiSsid);
  put('wifi_strength', context.wifiStrengthPercent);
  putMeterFields(reading, put);

  put('active_power_w', net(reading.powerImportW, reading.powerExportW));
  const phases: Array<PhaseReading | undefined> = [reading.l1, reading.l2, reading.l3];
  for (let i = 0; i < 3; i++) {
    const phase = phases[i];
    put(`active_power_${LINE_NAMES[i]}_w`, phase ? net(phase.powerImportW, phase.powerExportW) : undefined);
  }
  for (let i = 0; i < 3; i++) put(`active_voltage_${LINE_NAMES[i]}_v`, phases[i]?.voltageV);
  for (let i = 0; i < currents.lines.length; i++) {
    const line = currents.lines[i];
    const omitL2 = i === 1 && settings.l2 === 'omit';
    if (omitL2 && (!line || line.source !== 'measured')) continue;
    if (!line)
      return {
        ok: false,
        error: `L${i + 1} current unknown (${snapshot.headroom.reason}): nothing is served, since HomeWizard clients read a missing current as 0 A`,
      };
    put(`active_current_${LINE_NAMES[i]}_a`, round3(line.currentA));
  }
  const l1 = currents.lines[0];
  if (currents.lines.length === 1 && l1) put('active_current_a', round3(Math.abs(l1.currentA)));
  putCounters(reading, put);
  return { ok: true, body: out };
}

/** Identification, tariff and energy registers. */
function putMeterFields(reading: MeterReading, put: (name: string, value: unknown) => void): void {
  if (reading.protocol === 'dsmr' && reading.dsmrVersion !== undefined) {
    // "50" -> 50, "42" -> 42; Belgian e-MUCS "50217" -> 50 (what HomeWizard shows for Fluvius
    // meters). Inferred "2.2"/"3" are not digits only and are left out.
    if (isDigits(reading.dsmrVersion)) put('smr_version', Number(reading.dsmrVersion.slice(0, 2)));
  }
  put('meter_model', reading.meterModel ?? reading.listId);
  put('unique_id', uniqueId(reading.meterId));
  put('active_tariff', reading.tariff);
  putEnergy('import', energyImportTotalWh(reading), reading.energyImportTariffWh, put);
  putEnergy('export', energyExportTotalWh(reading), reading.energyExportTariffWh, put);
}

/**
 * total_power_<dir>_kwh (outputs/energy-totals.ts) and _t1.._t4. Without tariff registers t1 is the
 * total (evcc sums t1..t4).
 */
function putEnergy(
  direction: 'import' | 'export',
  total: number | undefined,
  tariffsWh: number[] | undefined,
  put: (name: string, value: unknown) => void,
): void {
  const tariffs = tariffsWh ?? [];
  put(`total_power_${direction}_kwh`, kWh(total));
  if (tariffs.length === 0) put(`total_power_${direction}_t1_kwh`, kWh(total));
  for (let i = 0; i < tariffs.length && i < 4; i++) put(`total_power_${direction}_t${i + 1}_kwh`, kWh(tariffs[i]));
}

/** Quality counters, Belgian demand, gas and other sub-meters. */
function putCounters(reading: MeterReading, put: (name: string, value: unknown) => void): void {
  if (reading.voltageSags) {
    put('voltage_sag_l1_count', reading.voltageSags.l1);
    put('voltage_sag_l2_count', reading.voltageSags.l2);
    put('voltage_sag_l3_count', reading.voltageSags.l3);
  }
  if (reading.voltageSwells) {
    put('voltage_swell_l1_count', reading.voltageSwells.l1);
    put('voltage_swell_l2_count', reading.voltageSwells.l2);
    put('voltage_swell_l3_count', reading.voltageSwells.l3);
  }
  put('any_power_fail_count', reading.powerFailures);
  put('long_power_fail_count', reading.longPowerFailures);
  put('active_power_average_w', reading.averageDemandW);
  put('montly_power_peak_w', reading.monthPeakW);
  put('montly_power_peak_timestamp', homeWizardTimestamp(reading.monthPeakTime));

  const gas = (reading.subMeters ?? []).find((m) => m.type === 'gas');
  if (gas) {
    put('total_gas_m3', gas.value);
    put('gas_timestamp', homeWizardTimestamp(gas.time));
    put('gas_unique_id', uniqueId(gas.id));
  }
  const external: Array<Record<string, unknown>> = [];
  for (const m of reading.subMeters ?? []) {
    const type = externalType(m.type);
    if (!type || m.value === undefined) continue;
    const entry: Record<string, unknown> = { type };
    if (m.id !== undefined) entry.unique_id = uniqueId(m.id);
    const ts = homeWizardTimestamp(m.time);
    if (ts !== undefined) entry.timestamp = ts;
    entry.value = m.value;
    if (m.unit !== undefined) entry.unit = m.unit;
    external.push(entry);
  }
  if (external.length) put('external', external);
}

/** HomeWizard's external device types; sub-meters they have no name for are left out. */
function externalType(type: string): string | undefined {
  switch (type) {
    case 'gas':
      return 'gas_meter';
    case 'water':
      return 'water_meter';
    case 'heat':
      return 'heat_meter';
    default:
      return undefined;
  }
}
