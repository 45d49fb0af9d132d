/**
 * Line currents the headroom rests on, and where each came from. A current the meter did not
 * send is never taken as 0 A: it is estimated, bounded, or marked unknown (and then leaves no
 * headroom on that line).
 *
 * The frame has been through the plausibility check (decoders/plausibility) first: what it says
 * about each line (the meter's current, made finer or raised by the line's own power; an estimate
 * from that power alone; nothing believable) is where this starts. Order per line:
 * 1. measured / from-power / implausible: this frame's own figure for the line (check.ts). Meters
 *    send a magnitude; with export on a line the magnitude still counts as LOAD, not as negative
 *    load: the export (solar) can vanish with the next cloud while the car keeps drawing, and then
 *    the line carries the car plus the house without the export.
 * 2. estimated from the line's own power: |P_line| / V_line (check.ts, same rule).
 * 3. estimated from total power (HAN list 1 'short' frames every 2-2.5 s between full lists every
 *    10 s): start from the last full list's currents and move the own charger's lines by the
 *    charger's own change (known exactly per line). The rest of the power change cannot be
 *    placed: a one-phase load that switched on may sit entirely on ANY line (on IT, between any
 *    two). So the whole rise, converted with that line's voltage, is added to EVERY line
 *    (at unity power factor a one-phase load on TN draws dP/V on its line, on IT dP/V on each of
 *    its two lines, a balanced three-phase load dP/(sqrt(3) V) per line; a lagging one up to
 *    1/cos 50 deg = 1.56 times that: I = dP / (V cos 50 deg) is the most any line can take, the
 *    rule of plausibility/ranges.ts mostCurrentOfPowerA). A fall is not spread: it may have come from one line entirely, and spreading it
 *    would lower the others below what they carry. The rise is counted from the LOWEST power
 *    seen since the full list (lowOtherW), so a load that goes off and another that comes on
 *    on a different line between two full lists is still counted whole. Without a usable split
 *    (none yet, or older than safeFallbackAfterS), worst case: all of the power on this line,
 *    I = |P| / (V cos 50 deg).
 * 4. IT grid, L2 (3-wire meters measure with two elements and do not report it):
 *    without a neutral the three line currents sum to zero as phasors, so |I2| <= |I1| + |I3|:
 *    the bound. The house part of L2 is bounded by the house parts of L1 and L3 (each line minus
 *    the own charger), and the own charger's L2 current is added on top: currentSource 'bound'.
 *    When the full list carries active and reactive power, the estimate (it-line2.ts) is usually
 *    well below the bound: then 'estimated', never above the bound and never below the
 *    plausibility floor |S|/V - min(|I1|, |I3|). Short frames carry L2 on from the full list's
 *    figure like the other lines (case 3), still capped by the bound; a meter that did measure L2
 *    in the full list gets the same (switching between the measured L2 and the bound every few
 *    seconds made the answer flip on every frame: 400 000 set-point changes a month).
 * 5. otherwise unknown.
 */
import type { MeterReading } from '../reading';
import type { PlausibilityCheck } from '../plausibility/index';
import { SQRT3, currentResolutionA, lineToLineV, mostCurrentOfPowerA, voltageV } from '../plausibility/ranges';
import type { HeadroomSettings } from './settings';
import type { CurrentSource, SplitState } from './types';
import { CHARGER_L1_L2, CHARGER_L1_L3, CHARGER_L2_L3, CHARGER_NONE, CHARGER_THREE_PHASE, estimateItLine2A } from './it-line2';

export interface ResolvedCurrents {
  /** Line current used, A (null: unknown). */
  currentA: (number | null)[];
  source: CurrentSource[];
  /** The house part: line current minus the own charger, never below 0, A (null: unknown). */
  loadA: (number | null)[];
  /** Per line, how much more it may carry than currentA unseen (a whole-ampere reading), A. */
  hiddenA: number[];
  /** Voltage used per line, V (line-to-line on IT). */
  voltageV: number[];
  /** True when every installed line's current comes from this frame's own figures (IT L2: bounded or estimated from them). */
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
  /** IT: the bound on L2 when L2 was estimated below it, A (for the explanation). */
  line2BoundA?: number;
}

/** |net active power| and signed net from totals, else from the lines' own powers (the checked frame: values sane or absent). */
type PhaseLike = MeterReading['l1'];
export function framePower(reading: MeterReading): { absW: number; netW: number } | undefined {
  const pi = reading.powerImportW;
  const pe = reading.powerExportW;
  if (pi !== undefined || pe !== undefined) {
    const net = (pi ?? 0) - (pe ?? 0);
    return { absW: net < 0 ? -net : net, netW: net };
  }
  let any = false;
  let net = 0;
  const lines = new Array<PhaseLike>(reading.l1, reading.l2, reading.l3);
  for (let p = 0; p < 3; p++) {
    const ph = lines[p];
    if (!ph) continue;
    if (ph.powerImportW !== undefined) {
      net += ph.powerImportW;
      any = true;
    }
    if (ph.powerExportW !== undefined) {
      net -= ph.powerExportW;
      any = true;
    }
  }
  return any ? { absW: net < 0 ? -net : net, netW: net } : undefined;
}

/** True when the checked frame says anything about load: its power, or anything about a line (including "nothing believable"). */
export function hasLoadData(check: PlausibilityCheck, power: { absW: number; netW: number } | undefined): boolean {
  if (power !== undefined || check.suspect) return true;
  const l = check.lines;
  return (
    (l[0] as { source?: string }).source !== undefined ||
    (l[1] as { source?: string }).source !== undefined ||
    (l[2] as { source?: string }).source !== undefined
  );
}

export function isItGrid(settings: HeadroomSettings, reading?: MeterReading): boolean {
  return settings.gridType === 'IT' || (reading !== undefined && reading.threeWire === true);
}

/**
 * The voltage to convert power with on line p: the frame's, else the last one sent, else nominal
 * (line-to-line on IT: a 3-wire meter that sends line-to-star-point voltages is scaled by sqrt(3)).
 */
function lineVoltageV(own: number | undefined, last: number | null | undefined, nominalV: number, it: boolean): number {
  const v = own ?? voltageV(last) ?? nominalV;
  return it ? lineToLineV(v) : v;
}

/**
 * The own charger's power from its line currents. TN: sum of V*I. IT: a one-phase charger between
 * two lines draws V*I (its two lines report I each: V * sum(I) / 2); a three-phase one sqrt(3)*V*I
 * on every line. With `threePhase` (settings.chargerPhases 3) the larger of the two readings is
 * taken, so a one-phase charger reporting [c, c, 0] still counts V*c; without it, V * sum(I) / 2
 * (13 % low for a three-phase charger: low is the safe side, since the charger's power is taken
 * off the house's).
 */
export function chargerPowerW(chargerA: readonly number[], voltageV: number[], it: boolean, phases: number, threePhase: boolean): number {
  let sum = 0;
  if (it) {
    let v = 0;
    let min = Infinity;
    for (let p = 0; p < phases; p++) {
      const c = chargerA[p] as number;
      sum += c;
      if (c < min) min = c;
      v += voltageV[p] as number;
    }
    const mean = v / phases;
    const onePhaseW = (mean * sum) / 2;
    if (!threePhase || phases !== 3) return onePhaseW;
    const threePhaseW = SQRT3 * mean * min;
    return threePhaseW > onePhaseW ? threePhaseW : onePhaseW;
  }
  for (let p = 0; p < phases; p++) sum += (chargerA[p] as number) * (voltageV[p] as number);
  return sum;
}

export function resolveCurrents(
  check: PlausibilityCheck,
  /** isItGrid(settings, reading), worked out once by the caller. */
  it: boolean,
  chargerA: readonly number[],
  split: SplitState | undefined,
  splitUsable: boolean,
  lastVoltageV: (number | null)[],
  settings: HeadroomSettings,
  /** framePower(check.reading), worked out by the caller. */
  power: { absW: number; netW: number } | undefined,
  /** The own charger's current at the frame before (state.lastChargerA; absent: none). */
  previousChargerA?: readonly number[],
): ResolvedCurrents {
  const n = settings.phases;
  const reading = check.reading;
  const nominalV = settings.nominalVoltageV;
  // (The checked frame's voltages are in range; only the remembered ones need the gate.)
  const u1 = reading.l1 ? reading.l1.voltageV : undefined;
  const u2 = reading.l2 ? reading.l2.voltageV : undefined;
  const u3 = reading.l3 ? reading.l3.voltageV : undefined;
  const voltageV: number[] = new Array<number>(
    u1 !== undefined && !it ? u1 : lineVoltageV(u1, lastVoltageV[0], nominalV, it),
    u2 !== undefined && !it ? u2 : lineVoltageV(u2, lastVoltageV[1], nominalV, it),
    u3 !== undefined && !it ? u3 : lineVoltageV(u3, lastVoltageV[2], nominalV, it),
  );

  // 1-2: this frame's own figure per line (the plausibility check's).
  const currentA = new Array<number | null>(null, null, null);
  const source = new Array<CurrentSource>('unknown', 'unknown', 'unknown');
  const hiddenA = new Array<number>(0, 0, 0);
  for (let p = 0; p < n; p++) {
    const line = check.lines[p] as { currentA?: number; source?: string; hiddenA?: number };
    if (line.source !== undefined) source[p] = line.source as CurrentSource;
    if (line.currentA !== undefined) currentA[p] = line.currentA;
    if (line.hiddenA !== undefined) hiddenA[p] = line.hiddenA;
  }
  const itL2 = it && n === 3;

  // 3: total power only (short frame, or a meter that leaves lines out). A suspect frame has no
  // power and its lines stay unknown.
  let fromSplit = false;
  let l2FromSplit = false;
  let otherChangeW: number | undefined;
  const missing = (n > 0 && currentA[0] === null) || (n > 1 && currentA[1] === null && !itL2) || (n > 2 && currentA[2] === null);
  if (missing && power && !check.suspect) {
    if (split && splitUsable) {
      // Own charger's change since the split was measured is known exactly per line.
      const dCharger = new Array<number>(0, 0, 0);
      for (let p = 0; p < n; p++) dCharger[p] = (chargerA[p] as number) - (split.chargerA[p] ?? 0);
      // Net import (signed) when the split has it: with export a rise of load makes |net| fall.
      const dPowerW = split.netW !== undefined ? power.netW - split.netW : power.absW - split.powerW;
      const dOtherW = dPowerW - chargerPowerW(dCharger, voltageV, it, n, settings.chargerPhases === 3);
      // Rise since the lowest point after the full list; never negative (a fall is not spread).
      const lowW = Math.min(0, split.lowOtherW ?? 0, dOtherW);
      const riseW = dOtherW - lowW;
      for (let p = 0; p < n; p++) {
        if (currentA[p] !== null) continue;
        const s = split.currentA[p];
        if (s === null || s === undefined) continue;
        const est = s + (dCharger[p] as number) + mostCurrentOfPowerA(riseW, voltageV[p] as number);
        // (A NaN must never become "0 A": only a finite estimate is used, else the worst case below.)
        if (!(est - est === 0)) continue;
        currentA[p] = est > 0 ? est : 0;
        source[p] = 'estimated';
        fromSplit = true;
        if (p === 1) l2FromSplit = true;
      }
      if (fromSplit && dOtherW - dOtherW === 0) otherChangeW = dOtherW;
    }
    for (let p = 0; p < n; p++) {
      if (currentA[p] !== null || (itL2 && p === 1)) continue;
      // Worst case: the whole power on this line (TN), or between this line and another (IT).
      currentA[p] = mostCurrentOfPowerA(power.absW, voltageV[p] as number);
      source[p] = 'estimated';
    }
  }

  // House part of each line.
  const loadA = new Array<number | null>(null, null, null);
  for (let p = 0; p < n; p++) {
    const c = currentA[p];
    if (c !== null && c !== undefined) {
      const h = c - (chargerA[p] as number);
      loadA[p] = h > 0 ? h : 0;
    }
  }

  // 4: IT L2 when the meter did not send it: the estimate under the bound, or the bound.
  let line2BoundA: number | undefined;
  if (itL2 && source[1] !== 'measured' && source[1] !== 'from-power' && source[1] !== 'implausible') {
    const l1 = loadA[0];
    const l3 = loadA[2];
    if (l1 !== null && l1 !== undefined && l3 !== null && l3 !== undefined) {
      const boundA = l1 + l3 + (chargerA[1] as number);
      let l2 = boundA;
      let src: CurrentSource = 'bound';
      // On a short frame the full list's L2 figure carried on (case 3), when it is below the bound.
      const carried = l2FromSplit ? currentA[1] : null;
      // The charger's own part is taken off only when it drew the same at the frame before (a
      // ramping charger's report and the meter's sample may be seconds apart: see chargerSteady).
      const steady = chargerSteady(chargerA, previousChargerA ?? NO_CHARGER_A);
      const estimate =
        carried !== null && carried !== undefined ? carried : line2Estimate(check, currentA, source, power, voltageV, steady ? chargerA : NO_CHARGER_A);
      if (estimate !== undefined && estimate < boundA) {
        l2 = estimate;
        src = 'estimated';
        line2BoundA = boundA;
      }
      currentA[1] = l2;
      source[1] = src;
      // The bound carries what may hide in L1 and L3 (the estimate has its own error bounds).
      if (src === 'bound') hiddenA[1] = (hiddenA[0] as number) + (hiddenA[2] as number);
      const h = l2 - (chargerA[1] as number);
      loadA[1] = h > 0 ? h : 0;
    } else {
      loadA[1] = null;
      currentA[1] = null;
      source[1] = check.suspect ? 'implausible' : 'unknown';
    }
  }

  // Every installed line from this frame's own figures (IT L2: bounded or estimated from them).
  const own1 = n < 1 || isOwnFigure(source[0] as CurrentSource, currentA[0]);
  const own3 = n < 3 || isOwnFigure(source[2] as CurrentSource, currentA[2]);
  const s2 = source[1] as CurrentSource;
  const own2 =
    n < 2 || (itL2 && !fromSplit ? (s2 === 'bound' || s2 === 'estimated' || isOwnFigure(s2, currentA[1])) && own1 && own3 : isOwnFigure(s2, currentA[1]));
  const allMeasured = own1 && own2 && own3;

  const out: ResolvedCurrents = { currentA, source, loadA, hiddenA, voltageV, allMeasured, fromSplit };
  if (power) {
    out.powerW = power.absW;
    out.netPowerW = power.netW;
  }
  if (otherChangeW !== undefined) out.otherChangeW = otherChangeW;
  if (line2BoundA !== undefined) out.line2BoundA = line2BoundA;
  return out;
}

/** A current the meter sent for this line (possibly raised by its power): a figure a rise may rest on. */
function isOwnFigure(s: CurrentSource, c: number | null | undefined): boolean {
  return (s === 'measured' || s === 'from-power' || s === 'implausible') && c !== null && c !== undefined;
}

/**
 * The L2 estimate of a full list (it-line2.ts), raised to the plausibility floor; undefined when
 * the frame lacks what it needs (L1 and L3 from the meter, active and reactive power).
 */
function line2Estimate(
  check: PlausibilityCheck,
  currentA: (number | null)[],
  source: CurrentSource[],
  power: { absW: number; netW: number } | undefined,
  voltageV: number[],
  chargerA: readonly number[],
): number | undefined {
  const r = check.reading;
  if (!power || (r.reactivePowerImportVar === undefined && r.reactivePowerExportVar === undefined)) return undefined;
  if (!isOwnFigure(source[0] as CurrentSource, currentA[0]) || !isOwnFigure(source[2] as CurrentSource, currentA[2])) return undefined;
  const q = (r.reactivePowerImportVar ?? 0) - (r.reactivePowerExportVar ?? 0);
  const v = ((voltageV[0] as number) + (voltageV[2] as number)) / 2;
  const i1 = currentA[0] as number;
  const i3 = currentA[2] as number;
  const r1 = currentResolutionA(r.protocol, i1);
  const r3 = currentResolutionA(r.protocol, i3);
  const resolutionA = r1 > r3 ? r1 : r3;
  const wiring = chargerWiring(chargerA);
  const est = estimateItLine2A(i1, i3, power.netW, q, v, resolutionA, wiring.wiring, wiring.currentA);
  if (est === undefined) return undefined;
  const floor = check.line2FloorA ?? 0;
  return est > floor ? est : floor;
}

const NO_CHARGER_A: readonly number[] = [0, 0, 0];

/**
 * True when the charger's current now is what it was at the frame before on every line (to within
 * 2 % + 0.1 A; HAN lists come every 2-2.5 s): a charger steady since then drew the same when the
 * meter took this list's sample. The L2 estimate subtracts the charger's current from the meter's
 * figures; a car ramping at 4 A/s between the meter's sample and the charger's report would be off
 * by amperes there, and could rule out the true candidate.
 */
function chargerSteady(now: readonly number[], before: readonly number[]): boolean {
  for (let p = 0; p < 3; p++) {
    const a = now[p] as number;
    const b = before[p] ?? 0;
    const d = a > b ? a - b : b - a;
    if (!(d <= 0.02 * (a > b ? a : b) + 0.1)) return false;
  }
  return true;
}

/**
 * Where the own charger draws on IT, from the currents it reports per line ([c, c, 0]: between L1
 * and L2; [c, c, c]: three-phase), and its current. Figures that do not fit one wiring (one line
 * alone, or lines more than 10 % apart) give CHARGER_NONE: the L2 estimate then tests the windows
 * with the charger in, as without this knowledge.
 */
function chargerWiring(chargerA: readonly number[]): { wiring: number; currentA: number } {
  const c1 = chargerA[0] as number;
  const c2 = chargerA[1] as number;
  const c3 = chargerA[2] as number;
  let wiring = CHARGER_NONE;
  let lo = 0;
  let hi = 0;
  if (c1 > 0 && c2 > 0 && c3 > 0) {
    wiring = CHARGER_THREE_PHASE;
    lo = Math.min(c1, c2, c3);
    hi = Math.max(c1, c2, c3);
  } else if (c1 > 0 && c2 > 0 && !(c3 > 0)) {
    wiring = CHARGER_L1_L2;
    lo = Math.min(c1, c2);
    hi = Math.max(c1, c2);
  } else if (c2 > 0 && c3 > 0 && !(c1 > 0)) {
    wiring = CHARGER_L2_L3;
    lo = Math.min(c2, c3);
    hi = Math.max(c2, c3);
  } else if (c1 > 0 && c3 > 0 && !(c2 > 0)) {
    wiring = CHARGER_L1_L3;
    lo = Math.min(c1, c3);
    hi = Math.max(c1, c3);
  }
  if (wiring === CHARGER_NONE || hi > 1.1 * lo) return { wiring: CHARGER_NONE, currentA: 0 };
  return { wiring, currentA: (lo + hi) / 2 };
}
