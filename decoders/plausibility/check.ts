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
  FIRST_METER_YEAR,
  MAX_ENERGY_WH,
  currentResolutionA,
  MAX_VOLTAGE_V,
  MIN_VOLTAGE_V,
  type PlausibilitySettings,
  isNumber,
  isWallClock,
  lineToLineV,
  maxCurrentA,
  maxLinePowerW,
  maxTotalPowerW,
  mostCurrentOfPowerA,
  yearOf,
} from './ranges';

/**
 * Where a line's current in a checked frame comes from:
 * - measured: the meter's current (made finer by the line's own power where that says a little more);
 * - from-power: the meter's current was lower than the frame's power allows, beyond the meter's
 *   resolution: the current the power implies is used;
 * - estimated: the meter sent no current for the line, only its power: the most a load of that
 *   power can draw, |P| / (U cos 50 deg) (ranges.ts mostCurrentOfPowerA: a lagging motor's);
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
/** A line the frame says nothing of, and the lines of a frame that carries none (shared: frozen, never written). */
const NO_LINE: LineCheck = Object.freeze({});
const NO_LINES: LineCheck[] = Object.freeze([NO_LINE, NO_LINE, NO_LINE]) as LineCheck[];

const LINE_KEYS = ['l1', 'l2', 'l3'] as const;

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * Builds the checked reading and its flags, copying the frame only when something is dropped.
 * (A plain object and the functions below, not a class: XS builds the literal at a third of
 * the cost of constructing an instance, and every frame makes one.)
 */
interface Cleaner {
  readonly source: MeterReading;
  out: MeterReading | undefined;
  flags: string[] | undefined;
  /** Lines (bit p) already copied into `out`. */
  phaseCopied: number;
  /** An impossible value was seen: the frame is decoded wrongly. */
  impossible: boolean;
}

function flag(c: Cleaner, text: string): void {
  if (!c.flags) c.flags = [];
  c.flags.push(text);
}

function drop(c: Cleaner, key: keyof MeterReading): void {
  if (!c.out) c.out = { ...c.source };
  delete c.out[key];
}

function dropPhase(c: Cleaner, p: number, key: keyof PhaseReading): void {
  if (!c.out) c.out = { ...c.source };
  const name = LINE_KEYS[p] as 'l1' | 'l2' | 'l3';
  const ph = c.out[name];
  if (!ph) return;
  const copy = (c.phaseCopied & (1 << p)) !== 0 ? ph : { ...ph };
  c.phaseCopied |= 1 << p;
  delete copy[key];
  c.out[name] = copy;
}

/**
 * A non-negative quantity (power, register) that failed the fast test `typeof v === 'number' &&
 * v >= 0 && v <= max` (written out at each use: it runs a dozen times a frame): flag why, drop it
 * from the checked frame; true when it is impossible (a number out of range) rather than not a value.
 */
function failMagnitude(c: Cleaner, field: string, v: unknown, max: number, unit: string): boolean {
  if (!isNumber(v)) {
    flag(c, `${field} ${String(v)} is not a number: taken as not sent`);
    return false;
  }
  if (v < 0) flag(c, `${field} ${v} ${unit} is negative, but it is a magnitude: the frame is decoded wrongly`);
  else flag(c, `${field} ${v} ${unit} is more than this installation can draw (${Math.round(max)} ${unit}): the frame is decoded wrongly`);
  return true;
}

/** A top-level magnitude that failed the fast test (written out at each use): flagged, dropped, marking the frame when impossible. */
function dropTopMagnitude(
  c: Cleaner,
  key: 'powerImportW' | 'powerExportW' | 'reactivePowerImportVar' | 'reactivePowerExportVar',
  v: unknown,
  max: number,
  unit: string,
): undefined {
  if (failMagnitude(c, key, v, max, unit)) c.impossible = true;
  drop(c, key);
  return undefined;
}

/**
 * The figures the checks derive from the settings (ranges.ts has their rules), worked out once
 * for the fuse, phases and nominal voltage they come from: the last set is kept and used while
 * those three fields are the same (compared on every frame, so a changed setting is never
 * checked against old limits).
 */
interface Limits {
  fuseA: number;
  phases: number;
  nominalVoltageV: number;
  maxTotalW: number;
  maxA: number;
  maxLineW: number;
  /** The nominal voltage as the line voltage a conversion uses: TN and IT (line-to-line). */
  nominalTnV: number;
  nominalItV: number;
}

// Created at run time, never at load (a preloaded module's objects are frozen on Moddable).
let lastLimits: Limits | undefined;

function limitsOf(settings: PlausibilitySettings): Limits {
  const l = lastLimits;
  if (l !== undefined && l.fuseA === settings.fuseA && l.phases === settings.phases && l.nominalVoltageV === settings.nominalVoltageV) return l;
  const made: Limits = {
    fuseA: settings.fuseA,
    phases: settings.phases,
    nominalVoltageV: settings.nominalVoltageV,
    maxTotalW: maxTotalPowerW(settings),
    maxA: maxCurrentA(settings),
    maxLineW: maxLinePowerW(settings),
    nominalTnV: settings.nominalVoltageV,
    nominalItV: lineToLineV(settings.nominalVoltageV),
  };
  lastLimits = made;
  return made;
}

export function checkReading(reading: MeterReading, settings: PlausibilitySettings, nowMs?: number): PlausibilityCheck {
  const c: Cleaner = { source: reading, out: undefined, flags: undefined, phaseCopied: 0, impossible: false };
  const n = settings.phases;
  const it = settings.gridType === 'IT' || reading.threeWire === true;

  // 1. Ranges. Totals first (the fast test `typeof v === 'number' && v >= 0 && v <= max` written
  // out at each use: a call each cost a twentieth of the check).
  const limits = limitsOf(settings);
  const maxTotalW = limits.maxTotalW;
  let imp = reading.powerImportW;
  if (imp !== undefined && !(typeof imp === 'number' && imp >= 0 && imp <= maxTotalW)) imp = dropTopMagnitude(c, 'powerImportW', imp, maxTotalW, 'W');
  let exp = reading.powerExportW;
  if (exp !== undefined && !(typeof exp === 'number' && exp >= 0 && exp <= maxTotalW)) exp = dropTopMagnitude(c, 'powerExportW', exp, maxTotalW, 'W');
  let qImp = reading.reactivePowerImportVar;
  if (qImp !== undefined && !(typeof qImp === 'number' && qImp >= 0 && qImp <= maxTotalW))
    qImp = dropTopMagnitude(c, 'reactivePowerImportVar', qImp, maxTotalW, 'var');
  let qExp = reading.reactivePowerExportVar;
  if (qExp !== undefined && !(typeof qExp === 'number' && qExp >= 0 && qExp <= maxTotalW))
    qExp = dropTopMagnitude(c, 'reactivePowerExportVar', qExp, maxTotalW, 'var');
  checkSlowFields(c, reading, maxTotalW, nowMs);

  // A frame without any line (HAN list 1: total power only) has nothing more to check.
  if (reading.l1 === undefined && reading.l2 === undefined && reading.l3 === undefined) {
    if (c.impossible) return suspectResult(c, reading, [{}, {}, {}], n);
    return { reading: c.out ?? reading, lines: NO_LINES, suspect: false, flags: c.flags ?? NO_FLAGS };
  }

  // Lines: each line's range checks and its current against its own power in one pass. (Every
  // line the frame carries is range-checked, also one the supply does not have: what is left in
  // the checked frame must be a number in range or absent. Each line's result is built in one
  // literal: adding fields one by one costs XS a shape change each.)
  const maxA = limits.maxA;
  const maxLineW = limits.maxLineW;
  const nominalV = it ? limits.nominalItV : limits.nominalTnV;
  // (new Array with the three elements: under XS a third of the cost of the literal [a, b, c].)
  const volts = new Array<number | undefined>(undefined, undefined, undefined);
  const lines = new Array<LineCheck>(NO_LINE, NO_LINE, NO_LINE);
  // For the totals (step 3): the lines' volt-amperes from their currents, and the resolution in W.
  const sums: LineSums = { va: 0, resolutionW: 0, allSent: true };
  for (let p = 0; p < 3; p++) {
    const ph = p === 0 ? reading.l1 : p === 1 ? reading.l2 : reading.l3;
    // (A line the supply has and the frame does not carry takes no part in the totals.)
    if (ph === undefined) {
      if (p < n) sums.allSent = false;
      continue;
    }
    if (ph === null || typeof ph !== 'object') {
      const key = LINE_KEYS[p] as 'l1' | 'l2' | 'l3';
      flag(c, `${key} is not a line's values: taken as not sent`);
      drop(c, key);
      if (p < n) sums.allSent = false;
      continue;
    }
    let i = ph.currentA;
    if (i !== undefined) {
      if (typeof i === 'number' && i <= maxA && i >= -maxA) {
        // A signed current (some DLMS meters sign it by direction) counts by its magnitude.
        if (i < 0) i = -i;
      } else {
        if (!isNumber(i)) flag(c, `${LINE_KEYS[p]}.currentA ${String(i)} is not a number: taken as not sent`);
        else {
          flag(
            c,
            `${LINE_KEYS[p]}.currentA ${i} A is more than ${maxA} A, four times the ${settings.fuseA} A fuse: the frame is decoded wrongly (or fuseA is set too small)`,
          );
          c.impossible = true;
        }
        dropPhase(c, p, 'currentA');
        i = undefined;
      }
    }
    const rawU = ph.voltageV;
    let u: number | undefined;
    if (rawU !== undefined) {
      if (typeof rawU === 'number' && rawU > MIN_VOLTAGE_V && rawU < MAX_VOLTAGE_V) u = it ? lineToLineV(rawU) : rawU;
      else {
        // 0 V is how a 3-wire meter sends the line it does not measure (and a dead line shows).
        if (rawU !== 0) {
          flag(
            c,
            `${LINE_KEYS[p]}.voltageV ${String(rawU)} V is not a mains voltage (${MIN_VOLTAGE_V}-${MAX_VOLTAGE_V} V): ${isNumber(rawU) ? 'the frame is decoded wrongly' : 'taken as not sent'}`,
          );
          if (isNumber(rawU)) c.impossible = true;
        }
        dropPhase(c, p, 'voltageV');
      }
    }
    volts[p] = u;
    let pi = ph.powerImportW;
    let pe = ph.powerExportW;
    if (pi !== undefined && !(typeof pi === 'number' && pi >= 0 && pi <= maxLineW)) {
      if (failMagnitude(c, `${LINE_KEYS[p]}.powerImportW`, pi, maxLineW, 'W')) c.impossible = true;
      dropPhase(c, p, 'powerImportW');
      pi = undefined;
    }
    if (pe !== undefined && !(typeof pe === 'number' && pe >= 0 && pe <= maxLineW)) {
      if (failMagnitude(c, `${LINE_KEYS[p]}.powerExportW`, pe, maxLineW, 'W')) c.impossible = true;
      dropPhase(c, p, 'powerExportW');
      pe = undefined;
    }
    if (p >= n) continue; // range-checked only: the supply has no such line

    // 2. The line's current against its own power.
    let w: number | undefined;
    if (pi !== undefined || pe !== undefined) {
      const net = (pi ?? 0) - (pe ?? 0);
      w = net < 0 ? -net : net;
    }
    const v = u ?? nominalV;
    if (i === undefined) {
      sums.allSent = false;
      if (w !== undefined) lines[p] = { currentA: mostCurrentOfPowerA(w, v), source: 'estimated' };
      continue;
    }
    const step = currentResolutionA(reading.protocol, i);
    sums.resolutionW += v * step;
    if (w === undefined) {
      lines[p] = step >= 1 ? { currentA: i, source: 'measured', hiddenA: step } : { currentA: i, source: 'measured' };
      sums.va += v * i;
      continue;
    }
    const floorA = w / v;
    let used = i;
    if (floorA > i + step + POWER_TOLERANCE * floorA) {
      flag(c, `${LINE_KEYS[p]}.currentA ${i} A is less than the line's own power allows (${w} W: at least ${round1(floorA)} A): ${round1(floorA)} A used`);
      dropPhase(c, p, 'currentA');
      used = floorA;
      lines[p] = { currentA: floorA, source: 'from-power' };
    } else if (i > TOO_HIGH_FACTOR * floorA + TOO_HIGH_EXTRA_A) {
      flag(
        c,
        `${LINE_KEYS[p]}.currentA ${i} A is over five times what the line's own power explains (${w} W, ${round1(floorA)} A): a current-transformer meter read in the wrong unit? The larger figure is used`,
      );
      dropPhase(c, p, 'currentA');
      sums.allSent = false; // an implausible line takes no part in the totals
      lines[p] = { currentA: i, source: 'implausible' };
    } else {
      // The finer of the two (never less than the meter's current); a difference within the
      // power's own 1 W rounding is no information.
      if (floorA > i + 1 / v) used = floorA;
      lines[p] = { currentA: used, source: 'measured' };
    }
    sums.va += v * used;
  }
  if (c.impossible) return suspectResult(c, reading, [{}, {}, {}], n);

  // 3. The currents against the total power.
  if (it && n === 3) dropL2Placeholder(c, lines);
  let line2FloorA: number | undefined;
  const netW = imp !== undefined || exp !== undefined ? (imp ?? 0) - (exp ?? 0) : undefined;
  if (netW !== undefined) {
    const q = (qImp ?? 0) - (qExp ?? 0);
    const apparentVA = Math.sqrt(netW * netW + q * q);
    if (it && n === 3) line2FloorA = checkItTotals(c, reading, settings, lines, volts, apparentVA);
    else checkTnTotals(c, settings, lines, volts, sums, netW < 0 ? -netW : netW, apparentVA);
  }

  const result: PlausibilityCheck = { reading: c.out ?? reading, lines, suspect: false, flags: c.flags ?? NO_FLAGS };
  if (line2FloorA !== undefined) result.line2FloorA = line2FloorA;
  return result;
}

/** Mean Gregorian year, ms (the box clock's year to within a day, without a Date object). */
const YEAR_MS = 31556952000;

/**
 * Registers, demand figures and the meter's clock: a bad one is dropped, the frame stays. (The
 * fast test written out per field, as for the powers: the loops over field names cost a frame
 * with registers a hundred computrons more under XS.)
 */
function checkSlowFields(c: Cleaner, reading: MeterReading, maxTotalW: number, nowMs: number | undefined): void {
  const ei = reading.energyImportWh;
  if (ei !== undefined && !(typeof ei === 'number' && ei >= 0 && ei < MAX_ENERGY_WH)) dropField(c, 'energyImportWh', ei, MAX_ENERGY_WH, 'Wh');
  const ee = reading.energyExportWh;
  if (ee !== undefined && !(typeof ee === 'number' && ee >= 0 && ee < MAX_ENERGY_WH)) dropField(c, 'energyExportWh', ee, MAX_ENERGY_WH, 'Wh');
  const ri = reading.reactiveEnergyImportVarh;
  if (ri !== undefined && !(typeof ri === 'number' && ri >= 0 && ri < MAX_ENERGY_WH)) dropField(c, 'reactiveEnergyImportVarh', ri, MAX_ENERGY_WH, 'varh');
  const re = reading.reactiveEnergyExportVarh;
  if (re !== undefined && !(typeof re === 'number' && re >= 0 && re < MAX_ENERGY_WH)) dropField(c, 'reactiveEnergyExportVarh', re, MAX_ENERGY_WH, 'varh');
  const ti = reading.energyImportTariffWh;
  if (ti !== undefined) checkTariffRegisters(c, 'energyImportTariffWh', ti);
  const te = reading.energyExportTariffWh;
  if (te !== undefined) checkTariffRegisters(c, 'energyExportTariffWh', te);
  const ad = reading.averageDemandW;
  if (ad !== undefined && !(typeof ad === 'number' && ad >= 0 && ad <= maxTotalW)) dropField(c, 'averageDemandW', ad, maxTotalW, 'W');
  const mp = reading.monthPeakW;
  if (mp !== undefined && !(typeof mp === 'number' && mp >= 0 && mp <= maxTotalW)) dropField(c, 'monthPeakW', mp, maxTotalW, 'W');
  const t = reading.meterTime;
  if (t !== undefined) {
    const year = typeof t === 'string' ? yearOf(t) : undefined;
    // A year after the box clock's (when it is set), else after 2100, is "far in the future".
    const last = nowMs !== undefined && isWallClock(nowMs) ? 1970 + Math.floor(nowMs / YEAR_MS) + 1 : 2100;
    if (year === undefined) {
      flag(c, `meterTime ${String(t)} is not a time stamp: the arrival time is used`);
      drop(c, 'meterTime');
    } else if (year < FIRST_METER_YEAR || year > last) {
      flag(c, `meterTime ${t}: the meter's clock is not set (or far off): the arrival time is used`);
      drop(c, 'meterTime');
    }
  }
}

/** A register or demand figure that failed the fast test: flagged and dropped (the frame stays). */
function dropField(
  c: Cleaner,
  key: 'energyImportWh' | 'energyExportWh' | 'reactiveEnergyImportVarh' | 'reactiveEnergyExportVarh' | 'averageDemandW' | 'monthPeakW',
  v: unknown,
  max: number,
  unit: string,
): void {
  failMagnitude(c, key, v, max, unit);
  drop(c, key);
}

function checkTariffRegisters(c: Cleaner, key: 'energyImportTariffWh' | 'energyExportTariffWh', list: unknown): void {
  let ok = Array.isArray(list);
  if (!ok) flag(c, `${key} is not a list of registers: taken as not sent`);
  for (let j = 0; ok && j < (list as number[]).length; j++) {
    const v = (list as number[])[j];
    if (typeof v === 'number' && v >= 0 && v < MAX_ENERGY_WH) continue;
    failMagnitude(c, `${key}[${j}]`, v, MAX_ENERGY_WH, 'Wh');
    ok = false;
  }
  if (!ok) drop(c, key);
}

/** Impossible values: every load value of the frame goes; each installed line is `implausible`. */
function suspectResult(c: Cleaner, reading: MeterReading, lines: LineCheck[], n: number): PlausibilityCheck {
  for (let p = 0; p < n; p++) (lines[p] as LineCheck).source = 'implausible';
  const load = [
    'powerImportW',
    'powerExportW',
    'reactivePowerImportVar',
    'reactivePowerExportVar',
    'l1',
    'l2',
    'l3',
    'energyImportWh',
    'energyExportWh',
    'energyImportTariffWh',
    'energyExportTariffWh',
    'averageDemandW',
  ] as const;
  for (let k = 0; k < load.length; k++) {
    const key = load[k] as (typeof load)[number];
    if (reading[key] !== undefined) drop(c, key);
  }
  return { reading: c.out ?? reading, lines, suspect: true, flags: c.flags ?? NO_FLAGS };
}

/** Voltage of line p for a conversion: the frame's, else nominal (line-to-line on IT). */
function voltsOf(volts: (number | undefined)[], p: number, settings: PlausibilitySettings, it: boolean): number {
  return volts[p] ?? (it ? lineToLineV(settings.nominalVoltageV) : settings.nominalVoltageV);
}

/** Raise every line's current by its share of a power deficit (`from-power`), dropping the meter's currents from the checked frame. */
function raiseLines(
  c: Cleaner,
  lines: LineCheck[],
  volts: (number | undefined)[],
  settings: PlausibilitySettings,
  it: boolean,
  deficitW: number,
  which: readonly number[],
): void {
  for (let k = 0; k < which.length; k++) {
    const p = which[k] as number;
    const line = lines[p] as LineCheck;
    line.currentA = (line.currentA as number) + deficitW / voltsOf(volts, p, settings, it);
    if (line.source === 'measured') {
      line.source = 'from-power';
      dropPhase(c, p, 'currentA');
    }
  }
}

function markImplausible(c: Cleaner, lines: LineCheck[], which: readonly number[]): void {
  for (let k = 0; k < which.length; k++) {
    const p = which[k] as number;
    const line = lines[p] as LineCheck;
    if (line.source === 'measured' || line.source === 'from-power') {
      line.source = 'implausible';
      dropPhase(c, p, 'currentA');
    }
  }
}

const TN_LINES: readonly (readonly number[])[] = [[], [0], [0, 1], [0, 1, 2]];

/** What the per-line pass adds up for the totals. */
interface LineSums {
  /** Sum of U * I over the lines with a current of the meter's, VA. */
  va: number;
  /** Sum of U * the current's resolution, W (the totals' tolerance). */
  resolutionW: number;
  /** Every installed line carries a current of the meter's that takes part (measured or from power). */
  allSent: boolean;
}
const IT_MEASURED: readonly number[] = [0, 2];

function checkTnTotals(
  c: Cleaner,
  settings: PlausibilitySettings,
  lines: LineCheck[],
  volts: (number | undefined)[],
  sums: LineSums,
  netAbsW: number,
  apparentVA: number,
): void {
  // Only when the meter sent every line's current: a missing line may carry the rest.
  if (!sums.allSent) return;
  const n = settings.phases;
  const sumVA = sums.va;
  // What the currents leave unexplained beyond their own resolution is raised on every line,
  // however small (a continuous rule: with a tolerance deciding whether to raise at all, more load
  // on one line grew the tolerance, swallowed the rest, and the other lines' headroom rose: fast-check
  // seed 237959711). Only a gap beyond the meter's accuracy too is a contradiction worth a flag.
  const deficitW = netAbsW - sumVA - sums.resolutionW;
  if (deficitW > 0) {
    // (A flag needs a gap worth saying: beyond the meter's accuracy and at least 0.05 A a line.)
    if (deficitW > POWER_TOLERANCE * netAbsW && deficitW >= 0.05 * settings.nominalVoltageV)
      flag(
        c,
        `the line currents (${round1(sumVA)} VA together) are less than the total power allows (${netAbsW} W): each line raised by ${round1(deficitW / settings.nominalVoltageV)} A`,
      );
    raiseLines(c, lines, volts, settings, false, deficitW, TN_LINES[n] as readonly number[]);
  } else if (sumVA > TOO_HIGH_FACTOR * apparentVA + TOO_HIGH_EXTRA_A * settings.nominalVoltageV * n) {
    flag(
      c,
      `the line currents (${round1(sumVA)} VA together) are over five times what the total power explains (${round1(apparentVA)} VA): a current-transformer meter read in the wrong unit? The larger figures are used`,
    );
    markImplausible(c, lines, TN_LINES[n] as readonly number[]);
  }
}

/** IT: |S| <= V * (|I1| + |I3|); returns the floor of the unmeasured L2 (when L2 is not measured). */
function checkItTotals(
  c: Cleaner,
  reading: MeterReading,
  settings: PlausibilitySettings,
  lines: LineCheck[],
  volts: (number | undefined)[],
  apparentVA: number,
): number | undefined {
  const l1 = lines[0] as LineCheck;
  const l3 = lines[2] as LineCheck;
  const ok1 = l1.source === 'measured' || l1.source === 'from-power';
  const ok3 = l3.source === 'measured' || l3.source === 'from-power';
  if (!ok1 || !ok3) return undefined;
  const u1 = volts[0];
  const u3 = volts[2];
  // The lower of the two voltages, not their mean: the current the total power implies is then at
  // least what either line's own power implies, so more load on one line never lowers what the
  // other is raised to (with the mean, 20 A more on L1 lowered a raised L3 by 0.003 A and the
  // rounded headroom rose by 0.1 A: fast-check seed 376693496). It also errs high.
  const v = u1 !== undefined && u3 !== undefined ? (u1 < u3 ? u1 : u3) : (u1 ?? u3 ?? lineToLineV(settings.nominalVoltageV));
  const a = l1.currentA as number;
  const b = l3.currentA as number;
  const s = apparentVA / v;
  // As on TN: the gap beyond the currents' resolution is raised however small; flagged beyond the
  // meter's accuracy too.
  const d = s - (a + b) - (currentResolutionA(reading.protocol, a) + currentResolutionA(reading.protocol, b));
  if (d > 0) {
    if (d > POWER_TOLERANCE * s && d >= 0.05)
      flag(
        c,
        `L1 and L3 (${a} A and ${b} A) are less than the total power allows on a 3-wire grid (${round1(apparentVA)} VA at ${round1(v)} V: together at least ${round1(s)} A): each raised by ${round1(d)} A`,
      );
    raiseLines(c, lines, [v, v, v], settings, true, d * v, IT_MEASURED);
  } else if (a + b > TOO_HIGH_FACTOR * s + 2 * TOO_HIGH_EXTRA_A) {
    flag(
      c,
      `L1 and L3 (${a} A and ${b} A) are over five times what the total power explains (${round1(apparentVA)} VA): a current-transformer meter read in the wrong unit? The larger figures are used`,
    );
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
  dropPhase(c, 1, 'currentA');
}
