/**
 * The Eastron SDM630 input-register image the Modbus meter emulation serves (function 04).
 *
 * Layout (Eastron "SDM630 Modbus Protocol" input registers, the map chargers and evcc use: SmartEVSE
 * SmartEVSE-3/src/meter.cpp "Eastron3P" row and modbus.cpp requestCurrentMeasurement, mbmd
 * meters/rs485/sdm.go opcodes, evcc templates/definition/meter/eastron-sdm72v2_630.yaml):
 * every value is an IEEE-754 float32, big-endian, in two registers (high word first).
 *
 *   0x0000 0x0002 0x0004  voltage L1 L2 L3, V
 *   0x0006 0x0008 0x000A  current L1 L2 L3, A (magnitude, as a real SDM630 reports it)
 *   0x000C 0x000E 0x0010  active power L1 L2 L3, W (signed: negative = export on that line)
 *   0x002A                average line-to-neutral voltage, V
 *   0x002E                average line current, A
 *   0x0030                sum of line currents, A
 *   0x0034                total active power, W (signed)
 *   0x003C                total reactive power, var (where the meter sends it)
 *   0x003E                total power factor (where the meter sends active and reactive power)
 *   0x0046                frequency, Hz (no supported meter sends it: NaN)
 *   0x0048 0x004A         import / export active energy, kWh (DSMR: the sum of its tariff registers)
 *   0x004C 0x004E         import / export reactive energy, kvarh
 *   0x0156                total active energy (import + export), kWh
 * Served windows: 0x0000-0x004F and 0x0156-0x016B. Every other register in them is NaN (the value
 * an SDM630 cannot give); a read outside them is Modbus exception 02 (illegal data address).
 *
 * What is served when the meter does not send a value (docs/integrations.md):
 * - Currents come from the one rule (line-currents.ts). SmartEVSE reads the current magnitude and
 *   takes the direction from the line's power sign (SmartEVSE-3/src/meter.cpp, "Get sign from power
 *   measurement"), so the power is always served with the sign of the rule's current.
 * - A line current the rule does not give (answer past the fail-safe ladder, or a line with no
 *   known current) is served as the FUSE RATING, with a positive power of fuse x voltage: the
 *   charger sees a fully loaded line and backs off. Never 0, never export.
 * - Per-line power the meter does not send (HAN lists): |current| x voltage, signed like the current.
 * - Voltage the meter does not send (DSMR 2.2): the nominal voltage the engine also assumes.
 * - A line the supply does not have (1-phase supply: L2, L3): 0 V, 0 A, 0 W, which is the truth.
 * - Any other value the meter did not send (energy before the first register list, frequency,
 *   reactive values on DSMR): NaN. evcc reads NaN as 0 (meter/mbmd.go "silence NaN reading errors");
 *   no current or power is ever NaN.
 *
 * Pure: built from the snapshot alone; no time, no platform.
 */
import type { Headroom } from '../../../decoders/headroom/index';
import type { MeterReading, PhaseReading } from '../../../decoders/reading';
import { outputLineCurrents } from './line-currents';

/** First register and register count of each served window. */
export const SDM630_WINDOWS: readonly { start: number; count: number }[] = [
  { start: 0x0000, count: 0x50 },
  { start: 0x0156, count: 0x16 },
];

export const SDM630_REGISTERS = {
  voltageL1: 0x0000,
  voltageL2: 0x0002,
  voltageL3: 0x0004,
  currentL1: 0x0006,
  currentL2: 0x0008,
  currentL3: 0x000a,
  powerL1: 0x000c,
  powerL2: 0x000e,
  powerL3: 0x0010,
  averageVoltage: 0x002a,
  averageCurrent: 0x002e,
  sumCurrent: 0x0030,
  totalPower: 0x0034,
  totalReactivePower: 0x003c,
  totalPowerFactor: 0x003e,
  frequency: 0x0046,
  importEnergy: 0x0048,
  exportEnergy: 0x004a,
  importReactiveEnergy: 0x004c,
  exportReactiveEnergy: 0x004e,
  totalEnergy: 0x0156,
} as const;

/** Why each line's current is what it is (shown in the output's status). */
export type ServedSource = 'meter' | 'fuse-rating' | 'no-line';

export interface Sdm630Image {
  /** One byte array per window, big-endian registers. */
  windows: Uint8Array[];
  /** True when the currents come from live data; false = fuse rating on every line. */
  live: boolean;
  /** The served line currents, A, and how each was chosen (for the status and the tests). */
  currentA: number[];
  currentFrom: ServedSource[];
  totalPowerW: number;
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function phaseNetW(phase: PhaseReading | undefined): number | undefined {
  if (!phase) return undefined;
  const imp = phase.powerImportW;
  const exp = phase.powerExportW;
  if (!finite(imp) && !finite(exp)) return undefined;
  return (finite(imp) ? imp : 0) - (finite(exp) ? exp : 0);
}

/** A total energy register: the meter's own total, else the sum of its tariff registers (DSMR sends 1.8.1 and 1.8.2, no total). */
export function totalEnergyWh(total: number | undefined, tariffs: number[] | undefined): number | undefined {
  if (finite(total)) return total;
  if (!tariffs || tariffs.length === 0) return undefined;
  let sum = 0;
  for (const wh of tariffs) {
    if (!finite(wh)) return undefined;
    sum += wh;
  }
  return sum;
}

function put(view: DataView, windowStart: number, register: number, value: number): void {
  view.setFloat32((register - windowStart) * 2, value, false);
}

/** The parts of the snapshot the image is built from. */
export interface Sdm630Source {
  headroom: Headroom;
  reading: MeterReading | null;
}

/**
 * Builds the register image from a snapshot. `nominalVoltageV` is the headroom setting of the same
 * name (what the engine assumes when the meter sends no voltage).
 */
export function buildSdm630Image(snapshot: Sdm630Source, nominalVoltageV: number): Sdm630Image {
  const reading: MeterReading | null = snapshot.reading;
  const lines = outputLineCurrents(snapshot.headroom, reading);
  const phases = [reading?.l1, reading?.l2, reading?.l3];
  const supplyLines = lines.lines.length;
  const voltageV: number[] = [0, 0, 0];
  const currentA: number[] = [0, 0, 0];
  const powerW: number[] = [0, 0, 0];
  const currentFrom: ServedSource[] = ['no-line', 'no-line', 'no-line'];
  let allFromMeter = supplyLines > 0;
  for (let i = 0; i < supplyLines; i++) {
    const phase = phases[i];
    const v = phase && finite(phase.voltageV) ? phase.voltageV : nominalVoltageV;
    voltageV[i] = v;
    const line = lines.lines[i];
    if (!line) {
      currentA[i] = lines.fuseA;
      powerW[i] = lines.fuseA * v;
      currentFrom[i] = 'fuse-rating';
      allFromMeter = false;
      continue;
    }
    const magnitude = Math.abs(line.currentA);
    currentA[i] = magnitude;
    currentFrom[i] = 'meter';
    const net = phaseNetW(phase);
    if (line.currentA < 0) powerW[i] = net !== undefined && net < 0 ? net : -magnitude * v;
    else powerW[i] = net !== undefined && net >= 0 ? net : magnitude * v;
  }
  if (supplyLines === 0) {
    // No line known at all (cannot happen with valid settings): one fully loaded line, never idle.
    currentA[0] = lines.fuseA;
    voltageV[0] = nominalVoltageV;
    powerW[0] = lines.fuseA * nominalVoltageV;
    currentFrom[0] = 'fuse-rating';
  }

  const linesSumW = powerW[0]! + powerW[1]! + powerW[2]!;
  let totalPowerW = linesSumW;
  if (allFromMeter && reading && (finite(reading.powerImportW) || finite(reading.powerExportW))) {
    totalPowerW = (finite(reading.powerImportW) ? reading.powerImportW : 0) - (finite(reading.powerExportW) ? reading.powerExportW : 0);
  }
  const sumCurrentA = currentA[0]! + currentA[1]! + currentA[2]!;
  const n = Math.max(1, supplyLines);
  const reactiveVar =
    reading && (finite(reading.reactivePowerImportVar) || finite(reading.reactivePowerExportVar))
      ? (finite(reading.reactivePowerImportVar) ? reading.reactivePowerImportVar : 0) -
        (finite(reading.reactivePowerExportVar) ? reading.reactivePowerExportVar : 0)
      : NaN;
  const apparent = Math.sqrt(totalPowerW * totalPowerW + reactiveVar * reactiveVar);
  const powerFactor = allFromMeter && Number.isFinite(reactiveVar) && apparent > 0 ? totalPowerW / apparent : NaN;
  const kilo = (wh: number | undefined): number => (finite(wh) ? wh / 1000 : NaN);
  const importKwh = kilo(totalEnergyWh(reading?.energyImportWh, reading?.energyImportTariffWh));
  const exportKwh = kilo(totalEnergyWh(reading?.energyExportWh, reading?.energyExportTariffWh));

  const a = new Uint8Array(SDM630_WINDOWS[0]!.count * 2);
  const av = new DataView(a.buffer);
  for (let r = 0; r < SDM630_WINDOWS[0]!.count; r += 2) av.setFloat32(r * 2, NaN, false);
  const R = SDM630_REGISTERS;
  put(av, 0, R.voltageL1, voltageV[0]!);
  put(av, 0, R.voltageL2, voltageV[1]!);
  put(av, 0, R.voltageL3, voltageV[2]!);
  put(av, 0, R.currentL1, currentA[0]!);
  put(av, 0, R.currentL2, currentA[1]!);
  put(av, 0, R.currentL3, currentA[2]!);
  put(av, 0, R.powerL1, powerW[0]!);
  put(av, 0, R.powerL2, powerW[1]!);
  put(av, 0, R.powerL3, powerW[2]!);
  put(av, 0, R.averageVoltage, (voltageV[0]! + voltageV[1]! + voltageV[2]!) / n);
  put(av, 0, R.averageCurrent, sumCurrentA / n);
  put(av, 0, R.sumCurrent, sumCurrentA);
  put(av, 0, R.totalPower, totalPowerW);
  put(av, 0, R.totalReactivePower, reactiveVar);
  put(av, 0, R.totalPowerFactor, powerFactor);
  put(av, 0, R.frequency, NaN);
  put(av, 0, R.importEnergy, importKwh);
  put(av, 0, R.exportEnergy, exportKwh);
  put(av, 0, R.importReactiveEnergy, kilo(reading?.reactiveEnergyImportVarh));
  put(av, 0, R.exportReactiveEnergy, kilo(reading?.reactiveEnergyExportVarh));

  const b = new Uint8Array(SDM630_WINDOWS[1]!.count * 2);
  const bv = new DataView(b.buffer);
  for (let r = 0; r < SDM630_WINDOWS[1]!.count; r += 2) bv.setFloat32(r * 2, NaN, false);
  put(bv, SDM630_WINDOWS[1]!.start, R.totalEnergy, importKwh + exportKwh);

  return { windows: [a, b], live: lines.live, currentA, currentFrom, totalPowerW };
}

/**
 * The register bytes for a function-04 read of `count` registers from `start`, or undefined when
 * any of them lies outside the served windows (the caller answers exception 02).
 */
export function readSdm630Registers(image: Sdm630Image, start: number, count: number): Uint8Array | undefined {
  for (let w = 0; w < SDM630_WINDOWS.length; w++) {
    const win = SDM630_WINDOWS[w]!;
    if (start >= win.start && start + count <= win.start + win.count) {
      const from = (start - win.start) * 2;
      return image.windows[w]!.slice(from, from + count * 2);
    }
  }
  return undefined;
}
