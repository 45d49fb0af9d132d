/**
 * Line currents the headroom rests on, and where each came from. A current the meter did not
 * send is never taken as 0 A: it is estimated, bounded, or marked unknown (and then leaves no
 * headroom on that line).
 *
 * Order per line:
 * 1. measured: the meter sent the line current. Meters send a magnitude (DSMR 31.7.0 is unsigned;
 *    some DLMS meters send a signed value): the magnitude is used. With export on a line the
 *    magnitude is still counted as LOAD, not as negative load: the export (solar) can vanish with
 *    the next cloud while the car keeps drawing, and then the line carries the car plus the house
 *    without the export. Counting it as load can only make headroom smaller, never too big.
 * 2. estimated from the line's own power: |P_line| / V_line (power factor taken as 1).
 * 3. estimated from total power (HAN list 1 'short' frames every 2-2.5 s between full lists every
 *    10 s): start from the last measured currents and move the own charger's lines by the
 *    charger's own change (known exactly per line). The rest of the power change cannot be
 *    placed: a one-phase load that switched on may sit entirely on ANY line (on IT, between any
 *    two). So the whole rise, converted with that line's voltage, is added to EVERY line
 *    (I = dP / V: on TN a one-phase load draws dP/V on its line; on IT dP/V on each of its two
 *    lines, a balanced three-phase load dP/(sqrt(3) V) per line: dP/V is the most any line can
 *    take). A fall is not spread: it may have come from one line entirely, and spreading it
 *    would lower the others below what they carry. The rise is counted from the LOWEST power
 *    seen since the full list (lowOtherW), so a load that goes off and another that comes on
 *    on a different line between two full lists is still counted whole. Without a usable split
 *    (none yet, or older than safeFallbackAfterS), worst case: all of the power on this line,
 *    I = |P| / V.
 * 4. IT grid, L2 (Kaifa and some Aidon 3-wire meters measure with two elements and never
 *    report it, or report it as exactly 0 A):
 *    without a neutral the three line currents sum to zero as phasors, so |I2| <= |I1| + |I3|.
 *    The house part of L2 is bounded by the house parts of L1 and L3 (each line minus the own
 *    charger), and the own charger's L2 current is added on top: currentSource 'bound'.
 *    A meter that did measure L2 in the full list gets L2 estimated on short frames like the
 *    other lines (case 3) instead: switching between the measured L2 and the bound every few
 *    seconds would make the answer flip on every frame (400 000 set-point changes a month).
 * 5. otherwise unknown.
 */
import type { MeterReading, PhaseReading } from '../reading';
import type { HeadroomSettings } from './settings';
import type { CurrentSource, SplitState } from './types';
import { MAX_CURRENT_A, MAX_POWER_W, saneCurrent, sanePower } from './sane';

const SQRT3 = Math.sqrt(3);

export interface ResolvedCurrents {
  /** Line current used, A (null: unknown). */
  currentA: (number | null)[];
  source: CurrentSource[];
  /** The house part: line current minus the own charger, never below 0, A (null: unknown). */
  loadA: (number | null)[];
  /** Voltage used per line, V. */
  voltageV: number[];
  /** True when every installed line current is measured (or, IT L2, bounded from measured lines). */
  allMeasured: boolean;
  /** True when some line was estimated from an earlier frame's split (a short frame): such a
   *  guess may lower the answer but not raise it. Estimates from this frame's own power are not. */
  fromSplit: boolean;
  /** Short frame from a split: the power change not due to the own charger since the split, W
   *  (the engine keeps its lowest value per split, see lowOtherW). */
  otherChangeW?: number;
  /** |net active power| of this frame, W (undefined when the frame has none). */
  powerW?: number;
  /** Signed net import power, W (import - export). */
  netPowerW?: number;
}


function phaseOf(reading: MeterReading, p: number): PhaseReading | undefined {
  return p === 0 ? reading.l1 : p === 1 ? reading.l2 : reading.l3;
}

/** |net active power| and signed net from totals, else from the lines' own powers. */
export function framePower(reading: MeterReading): { absW: number; netW: number } | undefined {
  // The totals through the sanePower gate written out (every frame comes through here).
  const pi = reading.powerImportW;
  const pe = reading.powerExportW;
  const impOk = typeof pi === 'number' && pi >= -MAX_POWER_W && pi <= MAX_POWER_W;
  const expOk = typeof pe === 'number' && pe >= -MAX_POWER_W && pe <= MAX_POWER_W;
  if (impOk || expOk) {
    const net = (impOk ? Math.abs(pi) : 0) - (expOk ? Math.abs(pe) : 0);
    return { absW: Math.abs(net), netW: net };
  }
  let any = false;
  let net = 0;
  for (let p = 0; p < 3; p++) {
    const ph = phaseOf(reading, p);
    if (!ph) continue;
    const pi = sanePower(ph.powerImportW);
    const pe = sanePower(ph.powerExportW);
    if (pi !== undefined) { net += pi; any = true; }
    if (pe !== undefined) { net -= pe; any = true; }
  }
  return any ? { absW: Math.abs(net), netW: net } : undefined;
}

/**
 * True when the frame says anything about load: its power (framePower, worked out by the caller,
 * which also covers the lines' own powers) or a line current. The powers are read once per step.
 */
export function hasLoadData(reading: MeterReading, power: { absW: number; netW: number } | undefined): boolean {
  if (power !== undefined) return true;
  const ph1 = reading.l1;
  const ph2 = reading.l2;
  const ph3 = reading.l3;
  return (ph1 ? saneCurrent(ph1.currentA) !== undefined : false) || (ph2 ? saneCurrent(ph2.currentA) !== undefined : false)
    || (ph3 ? saneCurrent(ph3.currentA) !== undefined : false);
}

export function isItGrid(settings: HeadroomSettings, reading?: MeterReading): boolean {
  return settings.gridType === 'IT' || (reading !== undefined && reading.threeWire === true);
}

/**
 * The own charger's power from its line currents. TN: sum of V*I. IT: V * sum(I) / 2, exact for
 * a one-phase charger between two lines and 13 % low for a three-phase one (sqrt(3)/3 = 0.577 vs
 * 0.5): low is the safe side, since the charger's power is subtracted to get the house's.
 */
export function chargerPowerW(chargerA: readonly number[], voltageV: number[], it: boolean, phases: number): number {
  let sum = 0;
  if (it) {
    let v = 0;
    for (let p = 0; p < phases; p++) { sum += chargerA[p] as number; v += voltageV[p] as number; }
    return (v / phases) * sum / 2;
  }
  for (let p = 0; p < phases; p++) sum += (chargerA[p] as number) * (voltageV[p] as number);
  return sum;
}

/** A line's current from its own power over its voltage; null when it sends no power. */
function ownPowerCurrentA(ph: PhaseReading, volts: number): number | null {
  const pi = sanePower(ph.powerImportW);
  const pe = sanePower(ph.powerExportW);
  if (pi === undefined && pe === undefined) return null;
  return Math.abs((pi === undefined ? 0 : pi) - (pe === undefined ? 0 : pe)) / volts;
}

export function resolveCurrents(
  reading: MeterReading,
  /** isItGrid(settings, reading), worked out once by the caller. */
  it: boolean,
  chargerA: readonly number[],
  split: SplitState | undefined,
  splitUsable: boolean,
  lastVoltageV: (number | null)[],
  settings: HeadroomSettings,
  /** framePower(reading), worked out by the caller. */
  power: { absW: number; netW: number } | undefined,
): ResolvedCurrents {
  const n = settings.phases;
  // The lines in locals, taken one by one (no loop or phaseOf call per use: this runs every step).
  const ph1 = reading.l1;
  const ph2 = reading.l2;
  const ph3 = reading.l3;
  // Voltages: this frame's, else the last one sent, else nominal (the saneVoltage gate written
  // out per line: this runs on every step, and under XS a call or a loop costs as much as the
  // test). On IT the engine works with line-to-line voltages (~230 V). Some 3-wire meters (Kaifa
  // MA304T4) report line-to-star-point voltages (~133 V): those are scaled by sqrt(3), or every
  // power -> current conversion would come out sqrt(3) too generous.
  const nominalV = settings.nominalVoltageV;
  const own1 = ph1 ? ph1.voltageV : undefined;
  const last1 = lastVoltageV[0];
  let v1 = typeof own1 === 'number' && own1 > 50 && own1 < 1000 ? own1 : typeof last1 === 'number' && last1 > 50 && last1 < 1000 ? last1 : nominalV;
  const own2 = ph2 ? ph2.voltageV : undefined;
  const last2 = lastVoltageV[1];
  let v2 = typeof own2 === 'number' && own2 > 50 && own2 < 1000 ? own2 : typeof last2 === 'number' && last2 > 50 && last2 < 1000 ? last2 : nominalV;
  const own3 = ph3 ? ph3.voltageV : undefined;
  const last3 = lastVoltageV[2];
  let v3 = typeof own3 === 'number' && own3 > 50 && own3 < 1000 ? own3 : typeof last3 === 'number' && last3 > 50 && last3 < 1000 ? last3 : nominalV;
  if (it) {
    if (v1 < 180) v1 *= SQRT3;
    if (v2 < 180) v2 *= SQRT3;
    if (v3 < 180) v3 *= SQRT3;
  }
  const voltageV: number[] = [v1, v2, v3];

  // 1-2: the line's own current (the saneCurrent gate written out), else its own power.
  let a1: number | null = null;
  let a2: number | null = null;
  let a3: number | null = null;
  let s1: CurrentSource = 'unknown';
  let s2: CurrentSource = 'unknown';
  let s3: CurrentSource = 'unknown';
  if (n > 0 && ph1) {
    const x = ph1.currentA;
    if (typeof x === 'number' && x >= -MAX_CURRENT_A && x <= MAX_CURRENT_A) { a1 = Math.abs(x); s1 = 'measured'; }
    else if ((a1 = ownPowerCurrentA(ph1, v1)) !== null) s1 = 'estimated';
  }
  if (n > 1 && ph2) {
    const x = ph2.currentA;
    if (typeof x === 'number' && x >= -MAX_CURRENT_A && x <= MAX_CURRENT_A) { a2 = Math.abs(x); s2 = 'measured'; }
    else if ((a2 = ownPowerCurrentA(ph2, v2)) !== null) s2 = 'estimated';
  }
  if (n > 2 && ph3) {
    const x = ph3.currentA;
    if (typeof x === 'number' && x >= -MAX_CURRENT_A && x <= MAX_CURRENT_A) { a3 = Math.abs(x); s3 = 'measured'; }
    else if ((a3 = ownPowerCurrentA(ph3, v3)) !== null) s3 = 'estimated';
  }

  // Some 3-wire meters send L2 as exactly 0 A instead of leaving it out (AmsReader substitutes
  // such zeros too). On IT a zero L2 beside a loaded L1 or L3 is taken as "not measured".
  const itL2 = it && n === 3;
  if (itL2 && s2 === 'measured' && a2 === 0 && ((a1 ?? 0) > 0 || (a3 ?? 0) > 0)) {
    a2 = null;
    s2 = 'unknown';
  }
  const currentA: (number | null)[] = [a1, a2, a3];
  const source: CurrentSource[] = [s1, s2, s3];

  // 3: total power only (short frame, or a meter that leaves lines out).
  let fromSplit = false;
  let l2FromSplit = false;
  let otherChangeW: number | undefined;
  // (Lines beyond n stay null: a1..a3 are set only for lines the supply has.)
  const missing = (n > 0 && a1 === null) || (n > 1 && a2 === null && !itL2) || (n > 2 && a3 === null);
  if (missing && power) {
    if (split && splitUsable) {
      // Own charger's change since the split was measured is known exactly per line.
      const dCharger: number[] = [0, 0, 0];
      for (let p = 0; p < n; p++) dCharger[p] = (chargerA[p] as number) - (split.chargerA[p] ?? 0);
      // Net import (signed) when the split has it: with export a rise of load makes |net| fall.
      const dPowerW = split.netW !== undefined ? power.netW - split.netW : power.absW - split.powerW;
      const dOtherW = dPowerW - chargerPowerW(dCharger, voltageV, it, n);
      // Rise since the lowest point after the full list; never negative (a fall is not spread).
      const lowW = Math.min(0, split.lowOtherW ?? 0, dOtherW);
      const riseW = dOtherW - lowW;
      for (let p = 0; p < n; p++) {
        if (currentA[p] !== null) continue;
        const s = split.currentA[p];
        if (s === null || s === undefined) continue;
        const est = s + (dCharger[p] as number) + riseW / (voltageV[p] as number);
        // (A NaN must never become "0 A": only a finite estimate is used, else the worst case below.)
        if (!Number.isFinite(est)) continue;
        currentA[p] = est > 0 ? est : 0;
        source[p] = 'estimated';
        fromSplit = true;
        if (p === 1) l2FromSplit = true;
      }
      if (fromSplit && Number.isFinite(dOtherW)) otherChangeW = dOtherW;
    }
    for (let p = 0; p < n; p++) {
      if (currentA[p] !== null || (itL2 && p === 1)) continue;
      // Worst case: the whole power on this line (TN), or between this line and another (IT).
      currentA[p] = power.absW / (voltageV[p] as number);
      source[p] = 'estimated';
    }
  }

  // House part of each line.
  // (currentA is null beyond n: nothing the loop over n lines would have skipped is set here.)
  const c1 = currentA[0] as number | null;
  const c2 = currentA[1] as number | null;
  const c3 = currentA[2] as number | null;
  const loadA: (number | null)[] = [
    c1 !== null ? Math.max(0, c1 - (chargerA[0] as number)) : null,
    c2 !== null ? Math.max(0, c2 - (chargerA[1] as number)) : null,
    c3 !== null ? Math.max(0, c3 - (chargerA[2] as number)) : null,
  ];

  // 4: IT L2 bound, when the meter did not send L2 (now, or in the full list a short frame rests on).
  if (itL2 && source[1] !== 'measured' && !l2FromSplit) {
    const l1 = loadA[0];
    const l3 = loadA[2];
    if (l1 !== null && l1 !== undefined && l3 !== null && l3 !== undefined) {
      const bound = l1 + l3;
      // Replaces any power-based L2 figure: a 3-wire meter's 'L2 power' is not a line quantity.
      loadA[1] = bound;
      currentA[1] = bound + (chargerA[1] as number);
      source[1] = 'bound';
    } else {
      loadA[1] = null;
      currentA[1] = null;
      source[1] = 'unknown';
    }
  }

  // Every installed line measured, or (IT L2) bounded by two measured lines.
  const m1 = source[0] === 'measured';
  const m3 = source[2] === 'measured';
  const b2 = source[1];
  const allMeasured = (n < 1 || m1) && (n < 2 || b2 === 'measured' || (b2 === 'bound' && m1 && m3)) && (n < 3 || m3);

  const out: ResolvedCurrents = { currentA, source, loadA, voltageV, allMeasured, fromSplit };
  if (power) { out.powerW = power.absW; out.netPowerW = power.netW; }
  if (otherChangeW !== undefined) out.otherChangeW = otherChangeW;
  return out;
}
