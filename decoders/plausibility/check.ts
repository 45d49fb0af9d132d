/**
 * The plausibility check between the decoder and everything that reads a reading (the headroom
 * engine, the snapshot, every output): a reading checks itself against physics and against the
 * installation, so a wrong number never becomes a larger allowance or reaches an output as if the
 * meter had measured it.
 *
 * Per frame:
 * 1. Each field against its range (ranges.ts). Not a finite number: treated as not sent. Impossible
 *    (a negative magnitude, a current or power four times what the fuse lets through, a voltage
 *    outside 50-1000 V): the frame was decoded wrongly, so none of its load values is believed
 *    (`suspect`: every line `implausible`, no current). A meter clock in 1970 (never set) or after
 *    next year, a register below 0 or above 10 TWh: that field is dropped.
 * 2. Each line's current against the line's own power: the current on a line is at least
 *    |P_line| / U_line, import or export (|S| >= |P| whatever the power factor). The current used
 *    is the larger of the two. Within the meter's resolution (DSMR sends whole amperes) the larger
 *    one is simply the finer figure (`measured`); beyond it the meter contradicts itself and the
 *    power wins (`from-power`, with a flag). A current more than five times the line's power and
 *    3 A over it (a current-transformer meter read with the direct meter's unit is ten times high)
 *    is `implausible`: the larger is kept (a contradiction may lower the allowance, never raise it).
 * 3. The frame's currents against its total power:
 *    - TN: |P| <= sum U_k * I_k. Currents too small for the power (a tenth, or 0 A at 20 kW): the
 *      missing part could be on any line, so each line is raised by it (`from-power`).
 *    - IT (3x230 V, no neutral; a 2-element meter sends I1, I3 and the total): two-wattmeter with
 *      L2 as reference, S = V12 * conj(I1) + V32 * conj(I3), so |S| <= V * (|I1| + |I3|). Too small
 *      currents are raised by the deficit, both of them (`from-power`). The same identity with L1
 *      or L3 as reference bounds the unmeasured line from below: |I2| >= |S| / V - min(|I1|, |I3|)
 *      (`line2FloorA`; the headroom engine uses it under its L2 estimate).
 *    - Currents five times what the total apparent power explains: `implausible` (as in 2).
 *    A 3-wire meter's L2 current of exactly 0 A beside a loaded L1 or L3 is its placeholder for
 *    "not measured" (AmsReader treats it so too): dropped.
 *
 * The checked reading (`reading`) is the frame without anything that failed: dropped fields are
 * absent, never 0, and a contradicted current is absent (the engine's line current is the one to
 * serve). It is the same object when nothing failed (the usual case: no copy per frame).
 * `flags` says what failed and what was done, one sentence each.
 */
import type { MeterReading, PhaseReading } from '../reading';
import {
  FIRST_METER_YEAR, MAX_ENERGY_WH, currentResolutionA, MAX_VOLTAGE_V, MIN_VOLTAGE_V, type PlausibilitySettings,
  isNumber, lastMeterYear, lineToLineV, maxCurrentA, maxLinePowerW, maxTotalPowerW, yearOf,
} from './ranges';

/**
 * Where a line's current in a checked frame comes from:
 * - measured: the meter's current (made finer by the line's own power where that says a little more);
 * - from-power: the meter's current was lower than the frame's power allows, beyond the meter's
 *   resolution: the current the power implies is used;
 * - estimated: the meter sent no current for the line, only its power: |P| / U;
 * - implausible: the meter's current contradicts the frame's power by far (five times more): kept,
 *   since the larger figure is the safe one, but not a measurement to show as one; or, with no
 *   current, the frame holds impossible values and nothing in it is believed (no headroom there).
 */
export type LineSource = 'measured' | 'from-power' | 'estimated' | 'implausible';

export interface LineCheck {
  /** The line current this frame supports, A (absent: the frame says nothing of it, or nothing believable). */
  currentA?: number;
  source?: LineSource;
  /**
   * How much more the line may carry than currentA without the frame showing it, A: a whole-ampere
   * current (DSMR; a meter may cut the fraction off) with no power of the line's own to narrow it.
   */
  hiddenA?: number;
}

export interface PlausibilityCheck {
  /** The frame without what failed (the same object when nothing did). */
  reading: MeterReading;
  /** L1, L2, L3 (lines beyond the supply's phases are empty). */
  lines: LineCheck[];
  /** Impossible values: nothing in this frame about load is believed. */
  suspect: boolean;
  /** IT: the unmeasured L2 carries at least this, A (from the total power and L1, L3). */
  line2FloorA?: number;
  /** What failed and what was done, one sentence each (empty when nothing did). */
  flags: readonly string[];
}

/** A current more than this times what its power explains, plus TOO_HIGH_EXTRA_A, is not a reading. */
const TOO_HIGH_FACTOR = 5;
const TOO_HIGH_EXTRA_A = 3;
/** Meter accuracy and voltage rounding, as a share of a power-derived current. */
const POWER_TOLERANCE = 0.03;

const NO_FLAGS: readonly string[] = [];

const LINE_KEYS = ['l1', 'l2', 'l3'] as const;

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Builds the checked reading and its flags, copying the frame only when something is dropped. */
class Cleaner {
  out: MeterReading | undefined;
  flags: string[] | undefined;
  private readonly phaseCopied = [false, false, false];
  constructor(private readonly source: MeterReading) {}

  flag(text: string): void {
    if (!this.flags) this.flags = [];
    this.flags.push(text);
  }

  drop(key: keyof MeterReading): void {
    if (!this.out) this.out = { ...this.source };
    delete this.out[key];
  }

  dropPhase(p: number, key: keyof PhaseReading): void {
    if (!this.out) this.out = { ...this.source };
    const name = LINE_KEYS[p] as 'l1' | 'l2' | 'l3';
    const ph = this.out[name];
    if (!ph) return;
    const copy = this.phaseCopied[p] ? ph : { ...ph };
    this.phaseCopied[p] = true;
    delete copy[key];
    this.out[name] = copy;
  }
}

/** A non-negative quantity (power, register): undefined when absent, null when not a value or impossible (flagged). */
function magnitude(c: Cleaner, field: string, v: unknown, max: number, unit: string): number | undefined | null {
  if (v === undefined) return undefined;
  if (!isNumber(v)) {
    c.flag(`${field} ${String(v)} is not a number: taken as not sent`);
    return null;
  }
  if (v < 0) {
    c.flag(`${field} ${v} ${unit} is negative, but it is a magnitude: the frame is decoded wrongly`);
    return null;
  }
  if (v > max) {
    c.flag(`${field} ${v} ${unit} is more than this installation can draw (${Math.round(max)} ${unit}): the frame is decoded wrongly`);
    return null;
  }
  return v;
}

export function checkReading(reading: MeterReading, settings: PlausibilitySettings, nowMs?: number): PlausibilityCheck {
  const c = new Cleaner(reading);
  const n = settings.phases;
  const it = settings.gridType === 'IT' || reading.threeWire === true;
  let suspect = false;

  // 1. Ranges. Totals first.
  const maxTotalW = maxTotalPowerW(settings);
  const imp = magnitude(c, 'powerImportW', reading.powerImportW, maxTotalW, 'W');
  const exp = magnitude(c, 'powerExportW', reading.powerExportW, maxTotalW, 'W');
  const qImp = magnitude(c, 'reactivePowerImportVar', reading.reactivePowerImportVar, maxTotalW, 'var');
  const qExp = magnitude(c, 'reactivePowerExportVar', reading.reactivePowerExportVar, maxTotalW, 'var');
  if (imp === null) { c.drop('powerImportW'); suspect = suspect || isNumber(reading.powerImportW); }
  if (exp === null) { c.drop('powerExportW'); suspect = suspect || isNumber(reading.powerExportW); }
  if (qImp === null) { c.drop('reactivePowerImportVar'); suspect = suspect || isNumber(reading.reactivePowerImportVar); }
  if (qExp === null) { c.drop('reactivePowerExportVar'); suspect = suspect || isNumber(reading.reactivePowerExportVar); }
  checkSlowFields(c, reading, maxTotalW, nowMs);

  // Lines: current, voltage, own power.
  const maxA = maxCurrentA(settings);
  const maxLineW = maxLinePowerW(settings);
  const currents: (number | undefined)[] = [undefined, undefined, undefined];
  const volts: (number | undefined)[] = [undefined, undefined, undefined];
  const lineW: (number | undefined)[] = [undefined, undefined, undefined];
  // (Every line the frame carries is range-checked, also one the supply does not have: what is
  // left in the checked frame must be a number in range or absent.)
  for (let p = 0; p < 3; p++) {
    const key = LINE_KEYS[p] as 'l1' | 'l2' | 'l3';
    const ph = reading[key];
    if (ph === undefined) continue;
    if (ph === null || typeof ph !== 'object') {
      c.flag(`${key} is not a line's values: taken as not sent`);
      c.drop(key);
      continue;
    }
    const i = ph.currentA;
    if (i !== undefined) {
      if (!isNumber(i)) {
        c.flag(`${key}.currentA ${String(i)} is not a number: taken as not sent`);
        c.dropPhase(p, 'currentA');
      } else if (i > maxA || i < -maxA) {
        c.flag(`${key}.currentA ${i} A is more than ${maxA} A, four times the ${settings.fuseA} A fuse: the frame is decoded wrongly (or fuseA is set too small)`);
        c.dropPhase(p, 'currentA');
        suspect = true;
      } else {
        // A signed current (some DLMS meters sign it by direction) counts by its magnitude.
        currents[p] = i < 0 ? -i : i;
      }
    }
    const u = ph.voltageV;
    if (u !== undefined) {
      if (isNumber(u) && u > MIN_VOLTAGE_V && u < MAX_VOLTAGE_V) volts[p] = it ? lineToLineV(u) : u;
      else {
        // 0 V is how a 3-wire meter sends the line it does not measure (and a dead line shows).
        if (u !== 0) {
          c.flag(`${key}.voltageV ${String(u)} V is not a mains voltage (${MIN_VOLTAGE_V}-${MAX_VOLTAGE_V} V): ${isNumber(u) ? 'the frame is decoded wrongly' : 'taken as not sent'}`);
          if (isNumber(u)) suspect = true;
        }
        c.dropPhase(p, 'voltageV');
      }
    }
    const pi = magnitude(c, `${key}.powerImportW`, ph.powerImportW, maxLineW, 'W');
    const pe = magnitude(c, `${key}.powerExportW`, ph.powerExportW, maxLineW, 'W');
    if (pi === null) { c.dropPhase(p, 'powerImportW'); suspect = suspect || isNumber(ph.powerImportW); }
    if (pe === null) { c.dropPhase(p, 'powerExportW'); suspect = suspect || isNumber(ph.powerExportW); }
    if (typeof pi === 'number' || typeof pe === 'number') {
      const net = (typeof pi === 'number' ? pi : 0) - (typeof pe === 'number' ? pe : 0);
      lineW[p] = net < 0 ? -net : net;
    }
  }

  const lines: LineCheck[] = [{}, {}, {}];
  if (suspect) return suspectResult(c, reading, lines, n);

  // 2. Each line's current against its own power.
  for (let p = 0; p < n; p++) {
    const w = lineW[p];
    const i = currents[p];
    const key = LINE_KEYS[p] as string;
    const line = lines[p] as LineCheck;
    const floorA = w === undefined ? undefined : w / (volts[p] ?? (it ? lineToLineV(settings.nominalVoltageV) : settings.nominalVoltageV));
    if (i === undefined) {
      if (floorA !== undefined) { line.currentA = floorA; line.source = 'estimated'; }
      continue;
    }
    if (floorA === undefined) {
      line.currentA = i;
      line.source = 'measured';
      const step = currentResolutionA(reading.protocol, i);
      if (step >= 1) line.hiddenA = step;
      continue;
    }
    if (floorA > i + currentResolutionA(reading.protocol, i) + POWER_TOLERANCE * floorA) {
      c.flag(`${key}.currentA ${i} A is less than the line's own power allows (${w} W: at least ${round1(floorA)} A): ${round1(floorA)} A used`);
      c.dropPhase(p, 'currentA');
      line.currentA = floorA;
      line.source = 'from-power';
    } else if (i > TOO_HIGH_FACTOR * floorA + TOO_HIGH_EXTRA_A) {
      c.flag(`${key}.currentA ${i} A is over five times what the line's own power explains (${w} W, ${round1(floorA)} A): a current-transformer meter read in the wrong unit? The larger figure is used`);
      c.dropPhase(p, 'currentA');
      line.currentA = i;
      line.source = 'implausible';
    } else {
      // The finer of the two (never less than the meter's current); a difference within the
      // power's own 1 W rounding is no information.
      const u = volts[p] ?? settings.nominalVoltageV;
      line.currentA = floorA > i + 1 / u ? floorA : i;
      line.source = 'measured';
    }
  }

  // 3. The currents against the total power.
  if (it && n === 3) dropL2Placeholder(c, lines);
  let line2FloorA: number | undefined;
  const netW = typeof imp === 'number' || typeof exp === 'number' ? (typeof imp === 'number' ? imp : 0) - (typeof exp === 'number' ? exp : 0) : undefined;
  if (netW !== undefined) {
    const q = typeof qImp === 'number' || typeof qExp === 'number' ? (typeof qImp === 'number' ? qImp : 0) - (typeof qExp === 'number' ? qExp : 0) : 0;
    const apparentVA = Math.sqrt(netW * netW + q * q);
    if (it && n === 3) line2FloorA = checkItTotals(c, reading, settings, lines, volts, netW < 0 ? -netW : netW, apparentVA);
    else checkTnTotals(c, reading, settings, lines, volts, netW < 0 ? -netW : netW, apparentVA);
  }

  const result: PlausibilityCheck = { reading: c.out ?? reading, lines, suspect: false, flags: c.flags ?? NO_FLAGS };
  if (line2FloorA !== undefined) result.line2FloorA = line2FloorA;
  return result;
}

/** Registers, demand figures and the meter's clock: a bad one is dropped, the frame stays. */
function checkSlowFields(c: Cleaner, reading: MeterReading, maxTotalW: number, nowMs: number | undefined): void {
  const registers = ['energyImportWh', 'energyExportWh', 'reactiveEnergyImportVarh', 'reactiveEnergyExportVarh'] as const;
  for (let k = 0; k < registers.length; k++) {
    const key = registers[k] as (typeof registers)[number];
    const v = reading[key];
    if (v !== undefined && magnitude(c, key, v, MAX_ENERGY_WH, key === 'energyImportWh' || key === 'energyExportWh' ? 'Wh' : 'varh') === null) c.drop(key);
  }
  const tariffs = ['energyImportTariffWh', 'energyExportTariffWh'] as const;
  for (let k = 0; k < tariffs.length; k++) {
    const key = tariffs[k] as (typeof tariffs)[number];
    const list = reading[key];
    if (list === undefined) continue;
    let ok = Array.isArray(list);
    for (let j = 0; ok && j < (list as number[]).length; j++) ok = magnitude(c, `${key}[${j}]`, (list as number[])[j], MAX_ENERGY_WH, 'Wh') !== null;
    if (!ok) {
      if (!Array.isArray(list)) c.flag(`${key} is not a list of registers: taken as not sent`);
      c.drop(key);
    }
  }
  const demand = ['averageDemandW', 'monthPeakW'] as const;
  for (let k = 0; k < demand.length; k++) {
    const key = demand[k] as (typeof demand)[number];
    const v = reading[key];
    if (v !== undefined && magnitude(c, key, v, maxTotalW, 'W') === null) c.drop(key);
  }
  const t = reading.meterTime;
  if (t !== undefined) {
    const year = typeof t === 'string' ? yearOf(t) : undefined;
    if (year === undefined) {
      c.flag(`meterTime ${String(t)} is not a time stamp: the arrival time is used`);
      c.drop('meterTime');
    } else if (year < FIRST_METER_YEAR || year > lastMeterYear(nowMs)) {
      c.flag(`meterTime ${t}: the meter's clock is not set (or far off): the arrival time is used`);
      c.drop('meterTime');
    }
  }
}

/** Impossible values: every load value of the frame goes; each installed line is `implausible`. */
function suspectResult(c: Cleaner, reading: MeterReading, lines: LineCheck[], n: number): PlausibilityCheck {
  for (let p = 0; p < n; p++) (lines[p] as LineCheck).source = 'implausible';
  const load = ['powerImportW', 'powerExportW', 'reactivePowerImportVar', 'reactivePowerExportVar', 'l1', 'l2', 'l3',
    'energyImportWh', 'energyExportWh', 'energyImportTariffWh', 'energyExportTariffWh', 'averageDemandW'] as const;
  for (let k = 0; k < load.length; k++) {
    const key = load[k] as (typeof load)[number];
    if (reading[key] !== undefined) c.drop(key);
  }
  return { reading: c.out ?? reading, lines, suspect: true, flags: c.flags ?? NO_FLAGS };
}

/** Voltage of line p for a conversion: the frame's, else nominal (line-to-line on IT). */
function voltsOf(volts: (number | undefined)[], p: number, settings: PlausibilitySettings, it: boolean): number {
  return volts[p] ?? (it ? lineToLineV(settings.nominalVoltageV) : settings.nominalVoltageV);
}

/** Raise every line's current by its share of a power deficit (`from-power`), dropping the meter's currents from the checked frame. */
function raiseLines(c: Cleaner, lines: LineCheck[], volts: (number | undefined)[], settings: PlausibilitySettings, it: boolean, deficitW: number, which: readonly number[]): void {
  for (let k = 0; k < which.length; k++) {
    const p = which[k] as number;
    const line = lines[p] as LineCheck;
    line.currentA = (line.currentA as number) + deficitW / voltsOf(volts, p, settings, it);
    if (line.source === 'measured') { line.source = 'from-power'; c.dropPhase(p, 'currentA'); }
  }
}

function markImplausible(c: Cleaner, lines: LineCheck[], which: readonly number[]): void {
  for (let k = 0; k < which.length; k++) {
    const p = which[k] as number;
    const line = lines[p] as LineCheck;
    if (line.source === 'measured' || line.source === 'from-power') { line.source = 'implausible'; c.dropPhase(p, 'currentA'); }
  }
}

const TN_LINES: readonly (readonly number[])[] = [[], [0], [0, 1], [0, 1, 2]];
const IT_MEASURED: readonly number[] = [0, 2];

function checkTnTotals(c: Cleaner, reading: MeterReading, settings: PlausibilitySettings, lines: LineCheck[], volts: (number | undefined)[], netAbsW: number, apparentVA: number): void {
  const n = settings.phases;
  let sumVA = 0;
  let tolW = POWER_TOLERANCE * netAbsW;
  for (let p = 0; p < n; p++) {
    const line = lines[p] as LineCheck;
    // Only when the meter sent every line's current: a missing line may carry the rest.
    if (line.source !== 'measured' && line.source !== 'from-power') return;
    const u = voltsOf(volts, p, settings, false);
    sumVA += u * (line.currentA as number);
    tolW += u * currentResolutionA(reading.protocol, line.currentA as number);
  }
  if (netAbsW > sumVA + tolW) {
    c.flag(`the line currents (${round1(sumVA)} VA together) are less than the total power allows (${netAbsW} W): each line raised by ${round1((netAbsW - sumVA) / settings.nominalVoltageV)} A`);
    raiseLines(c, lines, volts, settings, false, netAbsW - sumVA, TN_LINES[n] as readonly number[]);
  } else if (sumVA > TOO_HIGH_FACTOR * apparentVA + TOO_HIGH_EXTRA_A * settings.nominalVoltageV * n) {
    c.flag(`the line currents (${round1(sumVA)} VA together) are over five times what the total power explains (${round1(apparentVA)} VA): a current-transformer meter read in the wrong unit? The larger figures are used`);
    markImplausible(c, lines, TN_LINES[n] as readonly number[]);
  }
}

/** IT: |S| <= V * (|I1| + |I3|); returns the floor of the unmeasured L2 (when L2 is not measured). */
function checkItTotals(c: Cleaner, reading: MeterReading, settings: PlausibilitySettings, lines: LineCheck[], volts: (number | undefined)[], netAbsW: number, apparentVA: number): number | undefined {
  const l1 = lines[0] as LineCheck;
  const l3 = lines[2] as LineCheck;
  const ok1 = l1.source === 'measured' || l1.source === 'from-power';
  const ok3 = l3.source === 'measured' || l3.source === 'from-power';
  if (!ok1 || !ok3) return undefined;
  const u1 = volts[0];
  const u3 = volts[2];
  const v = u1 !== undefined && u3 !== undefined ? (u1 + u3) / 2 : u1 ?? u3 ?? lineToLineV(settings.nominalVoltageV);
  const a = l1.currentA as number;
  const b = l3.currentA as number;
  const s = apparentVA / v;
  const tolA = currentResolutionA(reading.protocol, a) + currentResolutionA(reading.protocol, b) + POWER_TOLERANCE * s;
  if (s > a + b + tolA) {
    const d = s - (a + b);
    c.flag(`L1 and L3 (${a} A and ${b} A) are less than the total power allows on a 3-wire grid (${round1(apparentVA)} VA at ${round1(v)} V: together at least ${round1(s)} A): each raised by ${round1(d)} A`);
    raiseLines(c, lines, [v, v, v], settings, true, d * v, IT_MEASURED);
  } else if (a + b > TOO_HIGH_FACTOR * s + 2 * TOO_HIGH_EXTRA_A) {
    c.flag(`L1 and L3 (${a} A and ${b} A) are over five times what the total power explains (${round1(apparentVA)} VA): a current-transformer meter read in the wrong unit? The larger figures are used`);
    markImplausible(c, lines, IT_MEASURED);
    return undefined;
  }
  const l2 = lines[1] as LineCheck;
  if (l2.source === 'measured') return undefined;
  const a1 = l1.currentA as number;
  const a3 = l3.currentA as number;
  const floor = s - (a1 < a3 ? a1 : a3);
  return floor > 0 ? floor : 0;
}

/** IT: an L2 of exactly 0 A beside a loaded L1 or L3 is a 3-wire meter's "not measured". */
function dropL2Placeholder(c: Cleaner, lines: LineCheck[]): void {
  const l2 = lines[1] as LineCheck;
  if (l2.source !== 'measured' || l2.currentA !== 0) return;
  if (!(((lines[0] as LineCheck).currentA ?? 0) > 0 || ((lines[2] as LineCheck).currentA ?? 0) > 0)) return;
  lines[1] = {};
  c.dropPhase(1, 'currentA');
}
