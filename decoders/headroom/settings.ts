/**
 * Headroom settings: what the installer tells the box about the installation, with defaults and a
 * validator that refuses nonsense with reasons a person can act on.
 *
 * Plain JSON-able data (stored in the settings document under `headroom`). docs/headroom.md
 * explains every field, its default and why that default.
 */

export type GridType = 'TN' | 'IT';

/** A one-phase charger's fixed connection: a line on TN, a pair of lines on IT (3x230 V, no neutral). */
export type ChargerLine = 'L1' | 'L2' | 'L3' | 'L1-L2' | 'L1-L3' | 'L2-L3';

export type TariffSettings =
  | { scheme: 'none' }
  /**
   * Norway (kapasitetsledd): the monthly step is the average of the three highest hourly energies,
   * each from a different day. `stepsKwh` are the step thresholds in kWh/h, ascending
   * (e.g. 2, 5, 10, 15, 20, 25 for most grid companies).
   */
  | { scheme: 'norway'; stepsKwh: number[] }
  /**
   * Belgium (Flanders capacity tariff): the month's highest 15-minute average demand is billed.
   * The engine keeps the running quarter-hour average below max(targetKw, month peak so far).
   */
  | { scheme: 'belgium'; targetKw: number };

export interface HeadroomSettings {
  /** Main fuse rating per phase, A. */
  fuseA: number;
  /** Phases of the supply (and of the meter): 1 or 3. */
  phases: 1 | 3;
  /** 'TN': 230/400 V with neutral. 'IT': 3x230 V without neutral (most of Norway). */
  gridType: GridType;
  /** Kept free below the fuse on every phase, A (meter accuracy; the plausibility check and the L2 estimate carry their own error bounds). */
  marginA: number;
  /** Smallest current the car can charge with (IEC 61851: 6 A; some cars need 7 A). */
  minChargeA: number;
  /** Data older than this is 'stale': the last value is held (no increase). */
  staleAfterS: number;
  /** Data older than this: drop to `safeCurrentA` (or lower, never up). */
  safeFallbackAfterS: number;
  /** Data older than this: 0 A. */
  zeroAfterS: number;
  /** Current allowed while data is missing between safeFallbackAfterS and zeroAfterS, A (0 = none). */
  safeCurrentA: number;
  /** Optional limit on the total import power, kW. */
  powerLimitKw?: number;
  tariff: TariffSettings;
  /** Standard-time UTC offset of the local clock, minutes (60 = CET). Used when the meter states no offset. */
  utcOffsetMin: number;
  /** Daylight-saving rule of the local clock: EU (last Sunday of March to last Sunday of October) or none. */
  dst: 'eu' | 'none';
  /** Voltage assumed when the meter sends none, V. */
  nominalVoltageV: number;
  /** Fastest increase, A per second of meter time (see docs/headroom.md for why 0.4). */
  rampAPerS: number;
  /** Largest increase per fresh frame, A. */
  rampMaxStepA: number;
  /** The target must exceed the output by this much before the output rises, A. */
  hysteresisA: number;
  /**
   * A load that went off is kept back this long, s (0 = off): the room it leaves is not handed out
   * before it has stayed away holdOffS, because cycling loads (hob zones, dryer and oven heaters,
   * kettles) come back within a minute or two and would otherwise meet a charger that has ramped up
   * again. Only that load's size is kept back; other room is used at once. See docs/headroom.md.
   */
  holdOffS: number;
  /** Optional: the one-phase charger's fixed connection; onePhaseA is then computed for it alone. */
  chargerLine?: ChargerLine;
  /**
   * Phases the charger draws on, 1 or 3. On an IT grid it decides how the charger's reported line
   * currents become its power: a one-phase charger between two lines draws V*I, a three-phase one
   * sqrt(3)*V*I (counted as V*I*1.5 before, which undercounts its share). 1 when chargerLine is set.
   */
  chargerPhases: 1 | 3;
  /** At most one rise every this many seconds (a car needs seconds to follow; chargers dislike rapid changes), s. */
  riseIntervalS: number;
}

/** Default time a load that went off is kept back, s (simulator figures in docs/headroom.md). */
const HOLD_OFF_DEFAULT_S = 60;

export const defaultHeadroomSettings: HeadroomSettings = {
  fuseA: 25,
  phases: 3,
  gridType: 'TN',
  marginA: 0.5,
  minChargeA: 6,
  staleAfterS: 15,
  safeFallbackAfterS: 30,
  zeroAfterS: 60,
  safeCurrentA: 6,
  tariff: { scheme: 'none' },
  utcOffsetMin: 60,
  dst: 'eu',
  nominalVoltageV: 230,
  rampAPerS: 0.4,
  rampMaxStepA: 4,
  hysteresisA: 1,
  holdOffS: HOLD_OFF_DEFAULT_S,
  chargerPhases: 3,
  riseIntervalS: 5,
};

const KEYS: readonly string[] = [
  'fuseA',
  'phases',
  'gridType',
  'marginA',
  'minChargeA',
  'staleAfterS',
  'safeFallbackAfterS',
  'zeroAfterS',
  'safeCurrentA',
  'powerLimitKw',
  'tariff',
  'utcOffsetMin',
  'dst',
  'nominalVoltageV',
  'rampAPerS',
  'rampMaxStepA',
  'hysteresisA',
  'holdOffS',
  'chargerLine',
  'chargerPhases',
  'riseIntervalS',
];

const CHARGER_LINES: readonly string[] = ['L1', 'L2', 'L3', 'L1-L2', 'L1-L3', 'L2-L3'];

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Check a settings object (as stored or posted). Missing fields take their defaults; unknown
 * fields, wrong types and inconsistent values are refused, each with a sentence saying why.
 */
export function validateHeadroomSettings(input: unknown): { ok: true; settings: HeadroomSettings } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: ['headroom settings must be an object'] };
  }
  const src = input as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    if (KEYS.indexOf(key) < 0) errors.push(`unknown setting '${key}'`);
  }
  const d = defaultHeadroomSettings;
  const num = (key: string, fallback: number, min: number, max: number, what: string): number => {
    const v = src[key];
    if (v === undefined) return fallback;
    if (!isFiniteNumber(v)) {
      errors.push(`${key} must be a number (${what})`);
      return fallback;
    }
    if (v < min || v > max) errors.push(`${key} ${v} is out of range ${min}..${max} (${what})`);
    return v;
  };

  const fuseA = src.fuseA === 0 ? 0 : num('fuseA', d.fuseA, 1, 1000, 'main fuse rating per phase, A');
  if (fuseA === 0) errors.push('fuseA 0: a 0 A main fuse leaves nothing to charge with');
  let phases: 1 | 3 = d.phases;
  if (src.phases !== undefined) {
    if (src.phases === 1 || src.phases === 3) phases = src.phases;
    else errors.push(`phases must be 1 or 3, not ${JSON.stringify(src.phases)}`);
  }
  let gridType: GridType = d.gridType;
  if (src.gridType !== undefined) {
    if (src.gridType === 'TN' || src.gridType === 'IT') gridType = src.gridType;
    else errors.push(`gridType must be 'TN' (230/400 V with neutral) or 'IT' (3x230 V without neutral), not ${JSON.stringify(src.gridType)}`);
  }
  const marginA = num('marginA', d.marginA, 0, 1000, 'safety margin below the fuse, A; cannot be negative');
  const minChargeA = num('minChargeA', d.minChargeA, 1, 80, 'smallest charging current, A');
  const staleAfterS = num('staleAfterS', d.staleAfterS, 1, 3600, 'seconds before data counts as stale');
  const safeFallbackAfterS = num('safeFallbackAfterS', d.safeFallbackAfterS, 1, 3600, 'seconds before the safe current applies');
  const zeroAfterS = num('zeroAfterS', d.zeroAfterS, 1, 3600, 'seconds before the output drops to 0 A');
  // Unset, the safe current follows the car's minimum (a 7 A car gets 7 A, not a refused 6 A).
  const safeCurrentA = num('safeCurrentA', src.safeCurrentA === undefined ? minChargeA : d.safeCurrentA, 0, 1000, 'current allowed while data is missing, A');
  const utcOffsetMin = num('utcOffsetMin', d.utcOffsetMin, -720, 840, 'standard-time UTC offset, minutes');
  const nominalVoltageV = num('nominalVoltageV', d.nominalVoltageV, 100, 260, 'voltage assumed when the meter sends none, V');
  const rampAPerS = num('rampAPerS', d.rampAPerS, 0.01, 100, 'fastest increase, A/s');
  const rampMaxStepA = num('rampMaxStepA', d.rampMaxStepA, 0.1, 100, 'largest increase per frame, A');
  const hysteresisA = num('hysteresisA', d.hysteresisA, 0, 10, 'gap before the output rises, A');
  const holdOffS = num('holdOffS', d.holdOffS, 0, 3600, 'seconds a load that went off is kept back');
  const riseIntervalS = num('riseIntervalS', d.riseIntervalS, 0, 600, 'seconds between two rises');

  let powerLimitKw: number | undefined;
  if (src.powerLimitKw !== undefined && src.powerLimitKw !== null) {
    if (!isFiniteNumber(src.powerLimitKw) || src.powerLimitKw <= 0 || src.powerLimitKw > 10000) {
      errors.push(`powerLimitKw must be a number above 0 (kW) or left out, not ${JSON.stringify(src.powerLimitKw)}`);
    } else powerLimitKw = src.powerLimitKw;
  }

  let dst: 'eu' | 'none' = d.dst;
  if (src.dst !== undefined) {
    if (src.dst === 'eu' || src.dst === 'none') dst = src.dst;
    else errors.push(`dst must be 'eu' or 'none', not ${JSON.stringify(src.dst)}`);
  }

  let chargerLine: ChargerLine | undefined;
  if (src.chargerLine !== undefined && src.chargerLine !== null) {
    if (typeof src.chargerLine === 'string' && CHARGER_LINES.indexOf(src.chargerLine) >= 0) {
      chargerLine = src.chargerLine as ChargerLine;
    } else errors.push(`chargerLine must be one of ${CHARGER_LINES.join(', ')}`);
  }

  let chargerPhases: 1 | 3 = chargerLine !== undefined ? 1 : d.chargerPhases;
  if (src.chargerPhases !== undefined) {
    if (src.chargerPhases === 1 || src.chargerPhases === 3) chargerPhases = src.chargerPhases;
    else errors.push(`chargerPhases must be 1 or 3, not ${JSON.stringify(src.chargerPhases)}`);
  }

  let tariff: TariffSettings = { scheme: 'none' }; // a fresh object: the defaults may be frozen (XS preload)
  if (src.tariff !== undefined) {
    const t = src.tariff as Record<string, unknown> | null;
    if (t === null || typeof t !== 'object' || Array.isArray(t)) {
      errors.push('tariff must be an object like { "scheme": "none" }');
    } else if (t.scheme === 'none') {
      tariff = { scheme: 'none' };
    } else if (t.scheme === 'norway') {
      const steps = t.stepsKwh;
      if (!Array.isArray(steps) || steps.length === 0 || steps.length > 20) {
        errors.push('tariff.stepsKwh must list 1 to 20 step thresholds in kWh/h, e.g. [2, 5, 10, 15, 20, 25]');
      } else {
        let ok = true;
        for (let i = 0; i < steps.length; i++) {
          const s = steps[i];
          if (!isFiniteNumber(s) || s <= 0) ok = false;
          else if (i > 0 && s <= (steps[i - 1] as number)) ok = false;
        }
        if (!ok) errors.push('tariff.stepsKwh must be positive and strictly ascending (kWh/h)');
        else tariff = { scheme: 'norway', stepsKwh: steps.slice() as number[] };
      }
    } else if (t.scheme === 'belgium') {
      if (!isFiniteNumber(t.targetKw) || t.targetKw <= 0 || t.targetKw > 10000) {
        errors.push('tariff.targetKw must be a number above 0 (the 15-minute demand to stay under, kW; Flanders bills at least 2.5 kW)');
      } else tariff = { scheme: 'belgium', targetKw: t.targetKw };
    } else {
      errors.push(`tariff.scheme must be 'none', 'norway' or 'belgium', not ${JSON.stringify(t.scheme)}`);
    }
  }

  // Consistency between fields (only once each field is sound, so one mistake gives one message).
  if (errors.length > 0) return { ok: false, errors };
  if (marginA >= fuseA) errors.push(`marginA ${marginA} A leaves nothing of the ${fuseA} A fuse`);
  if (minChargeA + marginA > fuseA) {
    errors.push(`minChargeA ${minChargeA} A plus marginA ${marginA} A is above the ${fuseA} A fuse: the car could never charge`);
  }
  if (!(staleAfterS <= safeFallbackAfterS && safeFallbackAfterS <= zeroAfterS)) {
    errors.push(`staleness thresholds must rise: staleAfterS (${staleAfterS}) <= safeFallbackAfterS (${safeFallbackAfterS}) <= zeroAfterS (${zeroAfterS})`);
  }
  if (safeCurrentA !== 0 && safeCurrentA < minChargeA) {
    errors.push(`safeCurrentA ${safeCurrentA} A is below minChargeA ${minChargeA} A: use 0 or at least the minimum`);
  }
  if (safeCurrentA > fuseA - marginA) {
    errors.push(`safeCurrentA ${safeCurrentA} A is above the fuse minus margin (${fuseA - marginA} A)`);
  }
  if (chargerLine !== undefined) {
    const pair = chargerLine.length > 2;
    if (gridType === 'IT' && phases === 3 && !pair)
      errors.push(`chargerLine ${chargerLine}: on an IT grid a one-phase charger sits between two lines (e.g. L1-L3)`);
    if (gridType === 'TN' && pair) errors.push(`chargerLine ${chargerLine}: on a TN grid a one-phase charger sits between one line and neutral (L1, L2 or L3)`);
    if (phases === 1 && chargerLine !== 'L1' && chargerLine !== 'L1-L2') errors.push(`chargerLine ${chargerLine}: a one-phase supply only has L1`);
    if (chargerPhases === 3) errors.push(`chargerLine ${chargerLine} names a one-phase connection, but chargerPhases is 3`);
  }

  if (errors.length > 0) return { ok: false, errors };
  const settings: HeadroomSettings = {
    fuseA,
    phases,
    gridType,
    marginA,
    minChargeA,
    staleAfterS,
    safeFallbackAfterS,
    zeroAfterS,
    safeCurrentA,
    tariff,
    utcOffsetMin,
    dst,
    nominalVoltageV,
    rampAPerS,
    rampMaxStepA,
    hysteresisA,
    holdOffS,
    chargerPhases,
    riseIntervalS,
  };
  if (powerLimitKw !== undefined) settings.powerLimitKw = powerLimitKw;
  if (chargerLine !== undefined) settings.chargerLine = chargerLine;
  return { ok: true, settings };
}
