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
import { saneCurrent, sanePower, saneVoltage } from './sane';

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
  const imp = sanePower(reading.powerImportW);
  const exp = sanePower(reading.powerExportW);
  if (imp !== undefined || exp !== undefined) {
    const net = (imp ?? 0) - (exp ?? 0);
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

/** True when the frame says anything about load (currents or power). */
export function hasElectricalData(reading: MeterReading): boolean {
  // framePower(reading) !== undefined, or a line current, without building framePower's object.
  if (sanePower(reading.powerImportW) !== undefined || sanePower(reading.powerExportW) !== undefined) return true;
  for (let p = 0; p < 3; p++) {
    const ph = phaseOf(reading, p);
    if (ph && (saneCurrent(ph.currentA) !== undefined || sanePower(ph.powerImportW) !== undefined || sanePower(ph.powerExportW) !== undefined)) return true;
  }
  return false;
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

export function resolveCurrents(
  reading: MeterReading,
  /** isItGrid(settings, reading), worked out once by the caller. */
  it: boolean,
  chargerA: readonly number[],
  split: SplitState | undefined,
  splitUsable: boolean,
  lastVoltageV: (number | null)[],
  settings: HeadroomSettings,
): ResolvedCurrents {
  const n = settings.phases;
  const currentA: (number | null)[] = [null, null, null];
  const source: CurrentSource[] = ['unknown', 'unknown', 'unknown'];
  // The lines in locals, picked by index inline (no phaseOf call per use: this runs every step).
  const ph1 = reading.l1;
  const ph2 = reading.l2;
  const ph3 = reading.l3;
  const voltageV: number[] = [0, 0, 0];
  for (let p = 0; p < 3; p++) {
    // This frame's voltage, else the last one sent, else nominal (each looked at only when needed).
    let volts = saneVoltage((p === 0 ? ph1 : p === 1 ? ph2 : ph3)?.voltageV) ?? saneVoltage(lastVoltageV[p]) ?? settings.nominalVoltageV;
    // On IT the engine works with line-to-line voltages (~230 V). Some 3-wire meters (Kaifa
    // MA304T4) report line-to-star-point voltages (~133 V): scale those by sqrt(3), or every
    // power -> current conversion would come out sqrt(3) too generous.
    if (it && volts < 180) volts *= Math.sqrt(3);
    voltageV[p] = volts;
  }
  const power = framePower(reading);

  // 1-2: the line's own current or power.
  for (let p = 0; p < n; p++) {
    const ph = p === 0 ? ph1 : p === 1 ? ph2 : ph3;
    if (!ph) continue;
    const measured = saneCurrent(ph.currentA);
    if (measured !== undefined) {
      currentA[p] = measured;
      source[p] = 'measured';
      continue;
    }
    const pi = sanePower(ph.powerImportW);
    const pe = sanePower(ph.powerExportW);
    if (pi !== undefined || pe !== undefined) {
      currentA[p] = Math.abs((pi ?? 0) - (pe ?? 0)) / (voltageV[p] as number);
      source[p] = 'estimated';
    }
  }

  // Some 3-wire meters send L2 as exactly 0 A instead of leaving it out (AmsReader substitutes
  // such zeros too). On IT a zero L2 beside a loaded L1 or L3 is taken as "not measured".
  const itL2 = it && n === 3;
  if (itL2 && source[1] === 'measured' && currentA[1] === 0 && ((currentA[0] ?? 0) > 0 || (currentA[2] ?? 0) > 0)) {
    currentA[1] = null;
    source[1] = 'unknown';
  }

  // 3: total power only (short frame, or a meter that leaves lines out).
  let fromSplit = false;
  let l2FromSplit = false;
  let otherChangeW: number | undefined;
  let missing = false;
  for (let p = 0; p < n; p++) if (currentA[p] === null && !(itL2 && p === 1)) missing = true;
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
  const loadA: (number | null)[] = [null, null, null];
  for (let p = 0; p < n; p++) {
    const c = currentA[p];
    if (c !== null) loadA[p] = Math.max(0, c - (chargerA[p] as number));
  }

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

  let allMeasured = true;
  for (let p = 0; p < n; p++) {
    const s = source[p];
    if (s === 'measured') continue;
    if (s === 'bound' && source[0] === 'measured' && source[2] === 'measured') continue;
    allMeasured = false;
  }

  const out: ResolvedCurrents = { currentA, source, loadA, voltageV, allMeasured, fromSplit };
  if (power) { out.powerW = power.absW; out.netPowerW = power.netW; }
  if (otherChangeW !== undefined) out.otherChangeW = otherChangeW;
  return out;
}
