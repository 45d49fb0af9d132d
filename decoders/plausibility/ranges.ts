/**
 * What a household meter can physically show: the one definition of each range a reading field
 * must lie in. check.ts applies them to every frame before anything else reads it; nothing else
 * repeats them.
 *
 * Two kinds of "out of range":
 * - not a value: not a finite number (JSON from a bridge, a decoder bug). Treated as NOT SENT.
 * - impossible: a finite number no meter on this installation can show (a negative magnitude, a
 *   line current four times the main fuse, a voltage outside 50-1000 V, a power four times what
 *   the fuse lets through). Such a frame was decoded wrongly (a list shape read off by one, a unit
 *   ten times off): none of its load values is believed (check.ts).
 */

/** The settings the checks need (HeadroomSettings has these fields). */
export interface PlausibilitySettings {
  /** Main fuse per phase, A. */
  fuseA: number;
  phases: 1 | 3;
  gridType: 'TN' | 'IT';
  /** Used when a frame sends no voltage, V. */
  nominalVoltageV: number;
}

/**
 * "Far above the fuse": a meter averages over about a second, and a gG fuse clears four times its
 * rating within seconds (IEC 60269), so four times the fuse is not a load. Also catches a fuse set
 * far too small in the settings (the reason then says so).
 */
const FUSE_FACTOR = 4;

/** Voltages a meter may send, V (below 50 V: a dead or unmeasured line, not a voltage to divide by). */
export const MIN_VOLTAGE_V = 50;
export const MAX_VOLTAGE_V = 1000;

/** Registers at or above this are not a meter's (10 TWh), Wh. */
export const MAX_ENERGY_WH = 1e13;

/** Meter clocks before this year were never set (1970 is the epoch a dead clock shows). */
export const FIRST_METER_YEAR = 2000;

/**
 * Resolution of a meter's current, A, as far as the value shows it: DSMR sends whole amperes
 * (31.7.0 is F3(0,0)); HAN meters send 0.1 A (Aidon), 0.01 A (Kamstrup) or 1 mA (Kaifa). A value
 * with more decimals has the finer step; a round value is taken at the coarser one (0.1 A).
 */
export function currentResolutionA(protocol: string, currentA: number): number {
  if (currentA === Math.floor(currentA)) return protocol === 'dsmr' ? 1 : 0.1;
  const tenths = currentA * 10;
  if (Math.abs(tenths - Math.round(tenths)) < 1e-6) return 0.1;
  const hundredths = currentA * 100;
  return Math.abs(hundredths - Math.round(hundredths)) < 1e-6 ? 0.01 : 0.001;
}

export function isNumber(v: unknown): v is number {
  // (v - v === 0: finite, without a Number.isFinite call.)
  return typeof v === 'number' && v - v === 0;
}

/** A voltage to divide by, V, or undefined (not sent, 0 V, or outside 50-1000 V). */
export function voltageV(v: unknown): number | undefined {
  return typeof v === 'number' && v > MIN_VOLTAGE_V && v < MAX_VOLTAGE_V ? v : undefined;
}

/**
 * A 3-wire (IT) meter's line voltage as the line-to-line voltage the engine works with. Most send
 * line-to-line (~230 V); some (Kaifa MA304T4) send line-to-star-point (~133 V): below 180 V on IT
 * the value is scaled by sqrt(3), or every power -> current conversion would come out sqrt(3) too
 * generous.
 */
export function lineToLineV(v: number): number {
  return v < 180 ? v * SQRT3 : v;
}

export const SQRT3 = Math.sqrt(3);

/**
 * The load model's most lagging appliance: it draws its current up to LOAD_LAG_DEG behind its
 * voltage (motors and compressors, power factor 0.64; the IT L2 estimate's load windows use the
 * same angle). A load known only by its active power P therefore draws at least |P| / U (the
 * plausibility floor) and at most |P| / (U cos LOAD_LAG_DEG): a current worked out from a power
 * alone, to be used as a line's load, is the most.
 */
export const LOAD_LAG_DEG = 50;
const MIN_LOAD_POWER_FACTOR = Math.cos((LOAD_LAG_DEG * Math.PI) / 180);

/** The most current a load of |powerW| (>= 0) can draw at voltageV, A (see LOAD_LAG_DEG). */
export function mostCurrentOfPowerA(powerW: number, voltageV: number): number {
  return powerW / (voltageV * MIN_LOAD_POWER_FACTOR);
}

/** Largest line current believed on this installation, A. */
export function maxCurrentA(s: PlausibilitySettings): number {
  return FUSE_FACTOR * s.fuseA;
}

/** Largest power of one line believed, W (the fuse times the highest voltage, four times over). */
export function maxLinePowerW(s: PlausibilitySettings): number {
  return FUSE_FACTOR * s.fuseA * s.nominalVoltageV * 1.1;
}

/** Largest total power believed, W. */
export function maxTotalPowerW(s: PlausibilitySettings): number {
  return maxLinePowerW(s) * (s.phases === 3 ? 3 : 1);
}

/** The year of an ISO 8601 time stamp ('2026-11-23T...'), or undefined. */
export function yearOf(iso: string): number | undefined {
  const y = +iso.slice(0, 4);
  return y - y === 0 && iso.charCodeAt(4) === 45 /* - */ ? y : undefined;
}

/** Epoch milliseconds after 2001: a host or device clock that was set (not uptime). */
export function isWallClock(ms: number): boolean {
  return ms > 1e12;
}
