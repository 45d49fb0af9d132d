/**
 * Units of per-phase voltage and current that a list sends without a scaler_unit.
 *
 * Meters send them in V, 0.1 V; A, 0.1 A, 0.01 A or mA, and a current off by ten is worse than
 * none for the headroom. So, in this order:
 *   1. the maker documents the unit: Kaifa's KFM_001 lists 0.1 V and 1 mA; Kamstrup 1 V and
 *      0.01 A for its direct meters, 0.001 A for its CT meters (below);
 *   2. otherwise the unit is inferred from physics, and the reading says so (`inferredUnits`):
 *      - voltage: the one decimal scale that puts every non-zero phase voltage between 90 and
 *        480 V (a phase or line voltage of a 230/400 V or 3x230 V grid; the window spans less
 *        than a factor ten, so two scales can never both fit);
 *      - current: the scale u (0.001, 0.01, 0.1 or 1 A) that satisfies |P| <= U x I while u / 10
 *        cannot. |P| <= U x I holds on every phase whatever the load (U x I is the apparent power,
 *        never below the active power), so a scale that breaks it is impossible; a larger scale
 *        always satisfies it too, so only two kinds of evidence pick one: (a) every smaller
 *        scale is impossible and there is no larger one (1 A); (b) the bound holds with u but
 *        not with u / 10 on a phase whose own power is known (the list sends per-phase power,
 *        or only one phase carries current, so the total is that phase's). (b) assumes some
 *        phase draws power at a power factor above 0.1 - at any real load one does. The bound
 *        on the total power alone never picks a scale when more than one phase carries current:
 *        one phase exporting while another imports can make the total arbitrarily small;
 *   3. otherwise the values are left absent and the reading says which (`unknownUnits`).
 * A raw 0 is 0 in every unit: all-zero values need no unit and claim none.
 *
 * Tolerances make the bound lenient (it must never rule out the right scale, and weak evidence
 * must not pin one): the current one digit up, the voltage half a volt up (253 V, the nominal
 * voltage plus 10 %, where the list sends none), then 10 % and 5 W on top.
 */
import type { MeterReading, PhaseReading } from '../../reading';
import { byFactor, type ReadingDraft } from './values';

/** Raw per-phase values a list sent without a scaler_unit: index 0..2 = L1..L3, NaN = not sent. */
export interface RawPhaseValues {
  voltage: number[];
  current: number[];
}

export function newRawPhaseValues(): RawPhaseValues {
  // (new Array with the elements, here and below: under XS a quarter of the cost of the literal)
  return { voltage: new Array<number>(NaN, NaN, NaN), current: new Array<number>(NaN, NaN, NaN) };
}

/** Whose units: see the header. */
export const UNITS_INFER = 0;
export const UNITS_KAIFA = 1;
export const UNITS_KAMSTRUP = 2;

/** Kamstrup OMNIPOWER direct meters measure up to 100 A per phase (Imax); above that only CT meters. */
const KAMSTRUP_DIRECT_MAX_A = 100;
const VOLTAGE_MIN = 90;
const VOLTAGE_MAX = 480;
/** Nominal voltage + 10 %: the highest a phase voltage the list does not send can be. */
const NOMINAL_HIGH_V = 253;
/** The bound's slack: 10 % and 5 W over U x I (rounding, and values not read at the same instant). */
const SLACK = 1.1;
const SLACK_W = 5;
const CURRENT_SCALES: readonly number[] = [0.001, 0.01, 0.1, 1];
const VOLTAGE_SCALES: readonly number[] = [1, 0.1, 0.01];

const PHASES = ['l1', 'l2', 'l3'] as const;

function phaseOf(draft: ReadingDraft, k: number): PhaseReading {
  const key = PHASES[k];
  let p = draft[key] as PhaseReading | undefined;
  if (p === undefined) {
    p = {};
    draft[key] = p;
  }
  return p;
}

function note(draft: ReadingDraft, quantity: 'voltageV' | 'currentA', factor: number | undefined): void {
  const r = draft as unknown as MeterReading;
  if (factor === undefined) {
    if (r.unknownUnits === undefined) r.unknownUnits = [];
    r.unknownUnits.push(quantity);
  } else {
    if (r.inferredUnits === undefined) r.inferredUnits = {};
    r.inferredUnits[quantity] = factor;
  }
}

/**
 * Set the raw values of one quantity at `factor`; undefined: only the zeros, which are 0 in any
 * unit, and the others' keys (which the mapper may have made to keep the key order) removed.
 */
function apply(draft: ReadingDraft, raw: number[], field: 'voltageV' | 'currentA', factor: number | undefined): number {
  let set = 0;
  for (let k = 0; k < 3; k++) {
    const v = raw[k];
    if (v !== v) continue;
    const p = phaseOf(draft, k);
    if (factor !== undefined || v === 0) {
      p[field] = factor === undefined ? 0 : byFactor(v, factor);
      set++;
    } else delete p[field];
  }
  return set;
}

/** True when every value sent is 0 (or none is sent). */
function allZero(raw: number[]): boolean {
  return !(raw[0] > 0 || raw[1] > 0 || raw[2] > 0 || raw[0] < 0 || raw[1] < 0 || raw[2] < 0);
}

function sent(raw: number[]): boolean {
  return raw[0] === raw[0] || raw[1] === raw[1] || raw[2] === raw[2];
}

/** The one scale that brings every non-zero voltage near a nominal voltage, or undefined. */
function voltageScale(raw: number[]): number | undefined {
  // (an index loop: for-of costs XS an iterator)
  for (let s = 0; s < VOLTAGE_SCALES.length; s++) {
    const f = VOLTAGE_SCALES[s];
    let ok = true;
    for (let k = 0; k < 3 && ok; k++) {
      const v = raw[k];
      if (v !== v || v === 0) continue;
      const x = Math.abs(v) * f;
      ok = x >= VOLTAGE_MIN && x <= VOLTAGE_MAX;
    }
    if (ok) return f;
  }
  return undefined;
}

/** What the current bound reads from the reading: per-phase voltage, |P| and known current, total |S|. */
interface PowerFacts {
  /** Highest plausible voltage per phase (V). */
  uHigh: number[];
  /** |P| per phase (W), NaN when the list does not send it. */
  pPhase: number[];
  /** Current per phase the list sent with its unit (A), NaN when not. */
  knownA: number[];
  /** |P + jQ| of the totals (VA), NaN when the list sends no total power. */
  sTotal: number;
}

function powerFacts(r: MeterReading): PowerFacts {
  const uHigh = new Array<number>(NOMINAL_HIGH_V, NOMINAL_HIGH_V, NOMINAL_HIGH_V);
  const pPhase = new Array<number>(NaN, NaN, NaN);
  const knownA = new Array<number>(NaN, NaN, NaN);
  for (let k = 0; k < 3; k++) {
    const p = k === 0 ? r.l1 : k === 1 ? r.l2 : r.l3;
    if (p === undefined) continue;
    if (p.voltageV !== undefined && p.voltageV > 0) uHigh[k] = p.voltageV + 0.5;
    if (p.currentA !== undefined) knownA[k] = p.currentA;
    if (p.powerImportW !== undefined || p.powerExportW !== undefined) pPhase[k] = Math.abs((p.powerImportW ?? 0) - (p.powerExportW ?? 0));
  }
  let sTotal = NaN;
  if (r.powerImportW !== undefined || r.powerExportW !== undefined) {
    const p = (r.powerImportW ?? 0) - (r.powerExportW ?? 0);
    const q = (r.reactivePowerImportVar ?? 0) - (r.reactivePowerExportVar ?? 0);
    sTotal = Math.sqrt(p * p + q * q);
  }
  return { uHigh, pPhase, knownA, sTotal };
}

/**
 * |P| <= U x I at scale u, leniently. `perPhaseOnly`: only the bounds that name one phase's own
 * power (per-phase power, or the total when a single phase carries current).
 */
function fits(f: PowerFacts, raw: number[], u: number, perPhaseOnly: boolean): boolean {
  let sum = 0;
  let carrying = 0;
  for (let k = 0; k < 3; k++) {
    const i = raw[k];
    const known = f.knownA[k];
    if (i !== i) {
      // a current the list sent with its unit counts in the total as it is
      if (known === known) {
        sum += f.uHigh[k] * Math.abs(known);
        if (known !== 0) carrying++;
      }
      continue;
    }
    const ui = f.uHigh[k] * (Math.abs(i) * u + u);
    if (i !== 0) carrying++;
    sum += ui;
    const p = f.pPhase[k];
    if (p === p && p > SLACK * ui + SLACK_W) return false;
  }
  if (f.sTotal !== f.sTotal) return true;
  if (perPhaseOnly && carrying > 1) return true;
  return f.sTotal <= SLACK * sum + SLACK_W;
}

/** The current scale physics pins (see header), or undefined. */
function currentScale(f: PowerFacts, raw: number[]): number | undefined {
  let first = -1;
  let count = 0;
  for (let s = 0; s < CURRENT_SCALES.length; s++) {
    if (!fits(f, raw, CURRENT_SCALES[s], false)) continue;
    if (first < 0) first = s;
    count++;
  }
  if (first < 0) return undefined; // no scale fits: the values contradict each other
  const u = CURRENT_SCALES[first];
  if (count === 1 && first === CURRENT_SCALES.length - 1) return u; // every smaller scale impossible
  return fits(f, raw, u / 10, true) ? undefined : u;
}

/**
 * Set the per-phase voltages and currents the list sent without scaler_unit (`raw`), in the
 * units of `whose` (UNITS_INFER, UNITS_KAIFA, UNITS_KAMSTRUP), after every other value of the
 * list is in the draft (the current bound reads its powers). Returns how many values were set.
 */
export function settlePhaseUnits(draft: ReadingDraft, raw: RawPhaseValues, whose: number): number {
  return settleVoltages(draft, raw.voltage, whose) + settleCurrents(draft, raw.current, whose);
}

function settleVoltages(draft: ReadingDraft, v: number[], whose: number): number {
  if (!sent(v)) return 0;
  if (whose === UNITS_KAIFA) return apply(draft, v, 'voltageV', 0.1);
  if (whose === UNITS_KAMSTRUP || allZero(v)) return apply(draft, v, 'voltageV', 1);
  const f = voltageScale(v);
  note(draft, 'voltageV', f);
  return apply(draft, v, 'voltageV', f);
}

function settleCurrents(draft: ReadingDraft, c: number[], whose: number): number {
  if (!sent(c)) return 0;
  if (allZero(c)) return apply(draft, c, 'currentA', 1);
  if (whose === UNITS_KAIFA) return apply(draft, c, 'currentA', 0.001);
  if (whose === UNITS_KAMSTRUP) {
    // 0.01 A (direct meters) unless a value in 0.01 A is more than a direct meter can carry: a
    // CT meter's 0.001 A, when the powers allow it.
    let ct = false;
    for (let k = 0; k < 3; k++) if (Math.abs(c[k]) / 100 > KAMSTRUP_DIRECT_MAX_A) ct = true;
    if (!ct) return apply(draft, c, 'currentA', 0.01);
    const f = fits(powerFacts(draft as unknown as MeterReading), c, 0.001, false) ? 0.001 : undefined;
    note(draft, 'currentA', f);
    return apply(draft, c, 'currentA', f);
  }
  const f = currentScale(powerFacts(draft as unknown as MeterReading), c);
  note(draft, 'currentA', f);
  return apply(draft, c, 'currentA', f);
}
