/**
 * Map what each source states (sidecar `expected_source`) onto our reading fields, so the
 * golden test compares like with like. Two source dialects:
 * - ndokter/dsmr_parser: `parsed.NAME = {value, unit}` (kW/kWh as sent; we compare in W/Wh).
 * - athombv/node-dsmr-parser: `metadata` / `electricity` / `mBus` objects (already W/Wh).
 * Both sides are flattened to { label: value } and compared with toEqual.
 *
 * Known disagreements (the DSMR specification wins, see the README of the vectors):
 * - node-dsmr-parser writes meter time as if it were UTC ("2010-12-09T11:30:20.000Z" for
 *   101209113020W); the stamp is CET/CEST local time (W = +01:00, S = +02:00). We compare the
 *   wall-clock part only for that source. ndokter converts correctly; there we compare instants.
 * - Both keep equipment identifiers hex-encoded; we decode hex-encoded ASCII, so we compare
 *   against the decoded form of their value.
 * - ndokter's Iskra IE spec names 0-0:96.1.0 "EQUIPMENT_IDENTIFIER_GAS"; by OBIS B=0 it is the
 *   electricity meter's own id (gas would be 0-1:...), so we map it to meterId.
 */
import type { MeterReading } from '../../decoders/reading';
import { hexToPrintableAscii } from '../../decoders/util/ascii';

export type Flat = Record<string, unknown>;

const round = (v: number): number => Math.round(v * 1e6) / 1e6;
const decodedId = (hex: string): string => hexToPrintableAscii(hex) ?? hex;

function scaled(x: { value: number; unit: string | null }): number {
  const u = (x.unit ?? '').toLowerCase();
  return round(u === 'kw' || u === 'kwh' || u === 'kvar' || u === 'kvarh' ? x.value * 1000 : x.value);
}

const instant = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));
const wallClock = (iso: string | undefined): string | undefined => iso?.slice(0, 19);
const hasOffset = (iso: string): boolean => /[+-]\d\d:\d\d$|Z$/.test(iso);
/** An instant as Europe/Amsterdam local time, "YYYY-MM-DDTHH:MM:SS". */
const amsterdamWallClock = (iso: string): string => new Date(iso).toLocaleString('sv-SE', { timeZone: 'Europe/Amsterdam' }).replace(' ', 'T');

type Ours = (r: MeterReading) => unknown;

/** ndokter name -> [our label, how to read ours, how to read theirs]. */
const NDOKTER: Record<string, [Ours, (x: any) => unknown] | 'not-in-contract'> = {
  ELECTRICITY_USED_TARIFF_1: [(r) => r.energyImportTariffWh?.[0], scaled],
  ELECTRICITY_USED_TARIFF_2: [(r) => r.energyImportTariffWh?.[1], scaled],
  ELECTRICITY_USED_TARIFF_3: [(r) => r.energyImportTariffWh?.[2], scaled],
  ELECTRICITY_USED_TARIFF_4: [(r) => r.energyImportTariffWh?.[3], scaled],
  ELECTRICITY_DELIVERED_TARIFF_1: [(r) => r.energyExportTariffWh?.[0], scaled],
  ELECTRICITY_DELIVERED_TARIFF_2: [(r) => r.energyExportTariffWh?.[1], scaled],
  ELECTRICITY_DELIVERED_TARIFF_3: [(r) => r.energyExportTariffWh?.[2], scaled],
  ELECTRICITY_DELIVERED_TARIFF_4: [(r) => r.energyExportTariffWh?.[3], scaled],
  ELECTRICITY_IMPORTED_TOTAL: [(r) => r.energyImportWh, scaled],
  ELECTRICITY_EXPORTED_TOTAL: [(r) => r.energyExportWh, scaled],
  ELECTRICITY_REACTIVE_IMPORTED_TOTAL: [(r) => r.reactiveEnergyImportVarh, scaled],
  ELECTRICITY_REACTIVE_EXPORTED_TOTAL: [(r) => r.reactiveEnergyExportVarh, scaled],
  CURRENT_ELECTRICITY_USAGE: [(r) => r.powerImportW, scaled],
  CURRENT_ELECTRICITY_DELIVERY: [(r) => r.powerExportW, scaled],
  CURRENT_REACTIVE_IMPORTED: [(r) => r.reactivePowerImportVar, scaled],
  CURRENT_REACTIVE_EXPORTED: [(r) => r.reactivePowerExportVar, scaled],
  INSTANTANEOUS_ACTIVE_POWER_L1_POSITIVE: [(r) => r.l1?.powerImportW, scaled],
  INSTANTANEOUS_ACTIVE_POWER_L2_POSITIVE: [(r) => r.l2?.powerImportW, scaled],
  INSTANTANEOUS_ACTIVE_POWER_L3_POSITIVE: [(r) => r.l3?.powerImportW, scaled],
  INSTANTANEOUS_ACTIVE_POWER_L1_NEGATIVE: [(r) => r.l1?.powerExportW, scaled],
  INSTANTANEOUS_ACTIVE_POWER_L2_NEGATIVE: [(r) => r.l2?.powerExportW, scaled],
  INSTANTANEOUS_ACTIVE_POWER_L3_NEGATIVE: [(r) => r.l3?.powerExportW, scaled],
  INSTANTANEOUS_CURRENT_L1: [(r) => r.l1?.currentA, scaled],
  INSTANTANEOUS_CURRENT_L2: [(r) => r.l2?.currentA, scaled],
  INSTANTANEOUS_CURRENT_L3: [(r) => r.l3?.currentA, scaled],
  INSTANTANEOUS_VOLTAGE_L1: [(r) => r.l1?.voltageV, scaled],
  INSTANTANEOUS_VOLTAGE_L2: [(r) => r.l2?.voltageV, scaled],
  INSTANTANEOUS_VOLTAGE_L3: [(r) => r.l3?.voltageV, scaled],
  ELECTRICITY_ACTIVE_TARIFF: [(r) => r.tariff, (x) => Number(x.value)],
  ACTUAL_SWITCH_POSITION: [(r) => r.breakerState, (x) => Number(x.value)],
  ACTUAL_TRESHOLD_ELECTRICITY: [(r) => r.powerThresholdW, scaled],
  BELGIUM_CURRENT_AVERAGE_DEMAND: [(r) => r.averageDemandW, scaled],
  BELGIUM_MAXIMUM_DEMAND_MONTH: [(r) => ({ w: r.monthPeakW, at: instant(r.monthPeakTime) }), (x) => ({ w: scaled(x), at: instant(x.datetime) })],
  BELGIUM_MAXIMUM_DEMAND_13_MONTHS: [
    (r) => r.peakHistory?.map((p) => ({ w: p.powerW, period: instant(p.periodTime), at: instant(p.peakTime) })),
    (x: any[]) => x.map((p) => ({ w: scaled(p), period: instant(p.datetime), at: instant(p.occurred ?? undefined) })),
  ],
  BELGIUM_VERSION_INFORMATION: [(r) => r.dsmrVersion, (x) => x.value],
  P1_MESSAGE_HEADER: [(r) => r.dsmrVersion, (x) => x.value],
  P1_MESSAGE_TIMESTAMP: [(r) => instant(r.meterTime), (x) => instant(x.value)],
  EQUIPMENT_IDENTIFIER: [(r) => r.meterId, (x) => decodedId(x.value)],
  BELGIUM_EQUIPMENT_IDENTIFIER: [(r) => r.meterId, (x) => decodedId(x.value)],
  Q3D_EQUIPMENT_IDENTIFIER: [(r) => r.meterId, (x) => x.value],
  EQUIPMENT_IDENTIFIER_GAS: [(r) => r.meterId, (x) => x.value], // see header: B=0 is the meter itself
  EQUIPMENT_SERIAL_NUMBER: [(r) => r.meterId, (x) => decodedId(x.value)], // E.ON HU: 0-0:96.1.0
  SHORT_POWER_FAILURE_COUNT: [(r) => r.powerFailures, (x) => x.value],
  LONG_POWER_FAILURE_COUNT: [(r) => r.longPowerFailures, (x) => x.value],
  VOLTAGE_SAG_L1_COUNT: [(r) => r.voltageSags?.l1, (x) => x.value],
  VOLTAGE_SAG_L2_COUNT: [(r) => r.voltageSags?.l2, (x) => x.value],
  VOLTAGE_SAG_L3_COUNT: [(r) => r.voltageSags?.l3, (x) => x.value],
  VOLTAGE_SWELL_L1_COUNT: [(r) => r.voltageSwells?.l1, (x) => x.value],
  VOLTAGE_SWELL_L2_COUNT: [(r) => r.voltageSwells?.l2, (x) => x.value],
  VOLTAGE_SWELL_L3_COUNT: [(r) => r.voltageSwells?.l3, (x) => x.value],
  POWER_EVENT_FAILURE_LOG: [
    (r) => r.powerFailureLog?.map((e) => ({ end: instant(e.endTime), s: e.durationS })),
    (x) => x.buffer.map((e: any) => ({ end: instant(e.datetime), s: e.value })),
  ],
  TEXT_MESSAGE: [(r) => r.textMessage, (x) => (x.value == null ? undefined : decodedId(x.value))],
  TEXT_MESSAGE_CODE: [(r) => r.codeMessage, (x) => (x.value == null ? undefined : decodedId(String(x.value)))],
  MBUS_DEVICES: [
    // DSMR 2.2/3 gas stamps carry no S/W flag: we keep them without offset, ndokter converts them
    // from Europe/Amsterdam to UTC, so those compare as Amsterdam wall-clock time.
    (r) =>
      (r.subMeters ?? []).map((m) => ({
        ch: m.channel,
        type: m.deviceType,
        id: m.id,
        v: m.value,
        unit: m.unit,
        at: m.time && hasOffset(m.time) ? instant(m.time) : m.time,
      })),
    (x: any[]) =>
      // A channel with nothing but an empty id line (Iskra IE "0-1:96.1.1()") is no sub-meter for us.
      x
        .filter((m) => Object.keys(m).some((k) => k !== 'CHANNEL_ID' && m[k]?.value != null))
        .map((m) => {
          const reading = m.MBUS_METER_READING ?? m.GAS_METER_READING ?? m.HOURLY_GAS_METER_READING;
          const id = (m.MBUS_EQUIPMENT_IDENTIFIER ?? m.EQUIPMENT_IDENTIFIER_GAS)?.value;
          const type = (m.MBUS_DEVICE_TYPE ?? m.DEVICE_TYPE)?.value;
          return {
            ch: m.CHANNEL_ID,
            type: type == null ? undefined : Number(type),
            id: id == null ? undefined : decodedId(id),
            v: reading?.value,
            unit: reading?.unit ?? undefined,
            at: reading?.datetime === undefined ? undefined : m.GAS_METER_READING ? amsterdamWallClock(reading.datetime) : instant(reading.datetime),
          };
        }),
  ],
  // Values the reading contract does not carry (frequency, power factor, per-quadrant and
  // per-tariff reactive registers, fuse thresholds, serial numbers beside the id, EasyMeter state).
  COSEM_LOGICAL_DEVICE_NAME: 'not-in-contract',
  Q3D_EQUIPMENT_SERIALNUMBER: 'not-in-contract',
  Q3D_EQUIPMENT_STATE: 'not-in-contract',
  FREQUENCY: 'not-in-contract',
  ELECTRICITY_COMBINED: 'not-in-contract',
  FUSE_THRESHOLD_L1: 'not-in-contract',
  FUSE_THRESHOLD_L2: 'not-in-contract',
  FUSE_THRESHOLD_L3: 'not-in-contract',
  INSTANTANEOUS_POWER_FACTOR_L1: 'not-in-contract',
  INSTANTANEOUS_POWER_FACTOR_L2: 'not-in-contract',
  INSTANTANEOUS_POWER_FACTOR_L3: 'not-in-contract',
  INSTANTANEOUS_POWER_FACTOR_TOTAL: 'not-in-contract',
  INSTANTANEOUS_REACTIVE_POWER_Q1: 'not-in-contract',
  INSTANTANEOUS_REACTIVE_POWER_Q2: 'not-in-contract',
  INSTANTANEOUS_REACTIVE_POWER_Q3: 'not-in-contract',
  INSTANTANEOUS_REACTIVE_POWER_Q4: 'not-in-contract',
  ELECTRICITY_REACTIVE_TOTAL_Q1: 'not-in-contract',
  ELECTRICITY_REACTIVE_TOTAL_Q2: 'not-in-contract',
  ELECTRICITY_REACTIVE_TOTAL_Q3: 'not-in-contract',
  ELECTRICITY_REACTIVE_TOTAL_Q4: 'not-in-contract',
  ELECTRICITY_REACTIVE_IMPORTED_TARIFF_1: 'not-in-contract',
  ELECTRICITY_REACTIVE_IMPORTED_TARIFF_2: 'not-in-contract',
  ELECTRICITY_REACTIVE_EXPORTED_TARIFF_1: 'not-in-contract',
  ELECTRICITY_REACTIVE_EXPORTED_TARIFF_2: 'not-in-contract',
};

/** Returns [ours, theirs] flattened, plus source names we do not know (must stay empty). */
export function compareNdokter(reading: MeterReading, parsed: Record<string, any>): { ours: Flat; theirs: Flat; unknown: string[] } {
  const ours: Flat = {};
  const theirs: Flat = {};
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    const map = NDOKTER[name];
    if (map === undefined) unknown.push(name);
    else if (name === 'MBUS_DEVICES' && Array.isArray(value) && value.length === 0) {
      // ndokter's V2_2/V3/V4 specifications do not list M-Bus devices: the source states nothing.
    } else if (map !== 'not-in-contract') {
      ours[name] = roundDeep(map[0](reading));
      theirs[name] = roundDeep(map[1](value));
    }
  }
  return { ours, theirs, unknown };
}

/** node-dsmr-parser: metadata / electricity / mBus. */
export function compareNodeDsmr(reading: MeterReading, src: any): { ours: Flat; theirs: Flat } {
  const ours: Flat = {};
  const theirs: Flat = {};
  const put = (label: string, o: unknown, t: unknown): void => {
    if (t === undefined) return;
    ours[label] = roundDeep(o);
    theirs[label] = roundDeep(t);
  };
  const md = src.metadata ?? {};
  if (md.equipmentId !== undefined) put('meterId', reading.meterId, decodedId(md.equipmentId));
  // Their timestamp is local wall-clock time written with "Z" (see header).
  if (md.timestamp !== undefined) put('meterTime (wall clock)', wallClock(reading.meterTime), wallClock(md.timestamp));
  if (md.dsmrVersion !== undefined) put('dsmrVersion', reading.dsmrVersion === undefined ? undefined : Number(reading.dsmrVersion) / 10, md.dsmrVersion);
  if (md.textMessage !== undefined) put('textMessage', reading.textMessage, md.textMessage === '' ? undefined : decodedId(md.textMessage));
  const ev = md.events ?? {};
  put('powerFailures', reading.powerFailures, ev.powerFailures);
  put('longPowerFailures', reading.longPowerFailures, ev.longPowerFailures);
  for (const l of ['l1', 'l2', 'l3'] as const) {
    put(`voltageSags.${l}`, reading.voltageSags?.[l], ev.voltageSags?.[l]);
    put(`voltageSwells.${l}`, reading.voltageSwells?.[l], ev.voltageSwells?.[l]);
  }
  const el = src.electricity ?? {};
  for (const [n, t] of Object.entries<any>(el.tariffs ?? {})) {
    put(`energyImportTariffWh[${+n - 1}]`, reading.energyImportTariffWh?.[+n - 1], t.received);
    put(`energyExportTariffWh[${+n - 1}]`, reading.energyExportTariffWh?.[+n - 1], t.returned);
  }
  put('energyImportWh', reading.energyImportWh, el.total?.received);
  put('energyExportWh', reading.energyExportWh, el.total?.returned);
  put('tariff', reading.tariff, el.currentTariff);
  put('powerImportW', reading.powerImportW, el.powerReceivedTotal);
  put('powerExportW', reading.powerExportW, el.powerReturnedTotal);
  for (const l of ['l1', 'l2', 'l3'] as const) {
    put(`${l}.powerImportW`, reading[l]?.powerImportW, el.powerReceived?.[l]);
    put(`${l}.powerExportW`, reading[l]?.powerExportW, el.powerReturned?.[l]);
    put(`${l}.voltageV`, reading[l]?.voltageV, el.voltage?.[l]);
    put(`${l}.currentA`, reading[l]?.currentA, el.current?.[l]);
  }
  for (const [n, m] of Object.entries<any>(src.mBus ?? {})) {
    const sub = reading.subMeters?.find((s) => s.channel === +n);
    put(`mbus${n}.deviceType`, sub?.deviceType, m.deviceType);
    if (m.equipmentId !== undefined) put(`mbus${n}.id`, sub?.id, m.equipmentId === '' ? undefined : decodedId(m.equipmentId));
    put(`mbus${n}.value`, sub?.value, m.value);
    put(`mbus${n}.unit`, sub?.unit, m.unit);
    if (m.timestamp !== undefined) put(`mbus${n}.time (wall clock)`, wallClock(sub?.time), wallClock(m.timestamp));
  }
  return { ours, theirs };
}

function roundDeep(v: unknown): unknown {
  if (typeof v === 'number') return round(v);
  if (Array.isArray(v)) return v.map(roundDeep);
  if (v !== null && typeof v === 'object') {
    const o: Flat = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = roundDeep(x);
    return o;
  }
  return v;
}
