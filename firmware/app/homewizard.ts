/**
 * HomeWizard P1 meter local API, v1 shape (GET /api and GET /api/v1/data), so SmartEVSE, evcc and
 * Home Assistant's HomeWizard integration can use the box unchanged.
 *
 * Field names and units are HomeWizard's (including their "montly" spelling). A field appears
 * only when the meter gave us the value: absent, never 0, for what we do not know.
 * docs/api.md lists which fields HAN and P1 meters fill.
 */
import type { MeterReading, PhaseReading } from '../../decoders/reading';
import { bytesToHex, utf8Encode } from './util/bytes';

export interface HomeWizardContext {
  serial: string;
  firmwareVersion: string;
  wifiSsid?: string;
  wifiStrengthPercent?: number;
}

/** GET /api: the device identification HomeWizard clients probe first. */
export function homeWizardInfo(context: HomeWizardContext): Record<string, unknown> {
  return {
    product_type: 'HWE-P1',
    product_name: 'P1 meter',
    serial: context.serial,
    firmware_version: context.firmwareVersion,
    api_version: 'v1',
  };
}

function kWh(wh: number | undefined): number | undefined {
  return wh === undefined ? undefined : Math.round(wh) / 1000;
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

/** GET /api/v1/data from the merged reading. */
export function homeWizardData(reading: MeterReading | undefined, context: HomeWizardContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (name: string, value: unknown): void => {
    if (value !== undefined && value !== null && !(typeof value === 'number' && !Number.isFinite(value))) out[name] = value;
  };
  put('wifi_ssid', context.wifiSsid);
  put('wifi_strength', context.wifiStrengthPercent);
  if (!reading) return out;

  if (reading.protocol === 'dsmr' && reading.dsmrVersion !== undefined) {
    // "50" -> 50, "42" -> 42; Belgian e-MUCS "50217" -> 50 (what HomeWizard shows for Fluvius
    // meters). Inferred "2.2"/"3" are not digits only and are left out.
    if (isDigits(reading.dsmrVersion)) put('smr_version', Number(reading.dsmrVersion.slice(0, 2)));
  }
  put('meter_model', reading.meterModel ?? reading.listId);
  put('unique_id', uniqueId(reading.meterId));
  put('active_tariff', reading.tariff);

  put('total_power_import_kwh', kWh(reading.energyImportWh));
  const importTariffs = reading.energyImportTariffWh ?? [];
  for (let i = 0; i < importTariffs.length && i < 4; i++) put(`total_power_import_t${i + 1}_kwh`, kWh(importTariffs[i]));
  put('total_power_export_kwh', kWh(reading.energyExportWh));
  const exportTariffs = reading.energyExportTariffWh ?? [];
  for (let i = 0; i < exportTariffs.length && i < 4; i++) put(`total_power_export_t${i + 1}_kwh`, kWh(exportTariffs[i]));
  if (reading.energyImportWh === undefined && importTariffs.length) {
    put('total_power_import_kwh', kWh(importTariffs.reduce((a, b) => a + b, 0)));
  }
  if (reading.energyExportWh === undefined && exportTariffs.length) {
    put('total_power_export_kwh', kWh(exportTariffs.reduce((a, b) => a + b, 0)));
  }

  put('active_power_w', net(reading.powerImportW, reading.powerExportW));
  const phases: Array<[string, PhaseReading | undefined]> = [['l1', reading.l1], ['l2', reading.l2], ['l3', reading.l3]];
  for (const [name, phase] of phases) put(`active_power_${name}_w`, phase ? net(phase.powerImportW, phase.powerExportW) : undefined);
  for (const [name, phase] of phases) put(`active_voltage_${name}_v`, phase?.voltageV);
  let currentSum = 0;
  let currentCount = 0;
  for (const [name, phase] of phases) {
    put(`active_current_${name}_a`, phase?.currentA);
    if (phase?.currentA !== undefined) {
      currentSum += phase.currentA;
      currentCount++;
    }
  }
  // Only a true total: with one phase unknown (IT grids without L2) a sum would understate it.
  const phasesExpected = reading.phaseCount ?? 3;
  if (currentCount > 0 && currentCount >= phasesExpected) put('active_current_a', Math.round(currentSum * 1000) / 1000);

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
    if (m.value !== undefined) entry.value = m.value;
    if (m.unit !== undefined) entry.unit = m.unit;
    external.push(entry);
  }
  if (external.length) out.external = external;
  return out;
}

/** HomeWizard's external device types; sub-meters they have no name for are left out. */
function externalType(type: string): string | undefined {
  switch (type) {
    case 'gas': return 'gas_meter';
    case 'water': return 'water_meter';
    case 'heat': return 'heat_meter';
    default: return undefined;
  }
}
