/**
 * The headroom engine's input, output and state. Plain JSON-able data throughout: the output is
 * published in the snapshot as `headroom`, the state is kept by the caller between steps (and may
 * be stored), and Node and XS must print both byte for byte the same.
 */
import type { MeterReading } from '../reading';

export interface HeadroomInput {
  /** Arrival time of `reading` (or the time of this step when there is none), ms. Epoch ms when the clock is set. */
  nowMs: number;
  /** The frame that just arrived; absent on a step without a new frame (timer tick). */
  reading?: MeterReading;
  /**
   * The charger's own present current per line, A (L1, L2, L3), as MEASURED (what the car draws
   * now), not its set point: added back so the car is not counted against itself; a set point the
   * car has not yet followed would be counted as free twice. A one-phase charger on an IT grid
   * between L1 and L3 reports [c, 0, c].
   */
  chargerA?: [number, number, number];
}

export type HeadroomStatus = 'ok' | 'estimated' | 'stale' | 'safe-fallback' | 'no-data';

/**
 * measured: sent by the meter in this frame (made finer by the line's own power where that says a
 *   little more than a whole-ampere DSMR current).
 * from-power: the meter's current was lower than the frame's own power allows, beyond the meter's
 *   resolution: the current the power implies (decoders/plausibility).
 * estimated: worked out from power (short frame: total power with the last full list's split; the
 *   phase's own power / voltage; IT L2: from the full list's powers and L1, L3, under the bound).
 * bound: a safe upper bound, not a measurement (IT grid L2: |I2| <= |I1| + |I3|).
 * implausible: the meter's current contradicts the frame by far (five times what its power
 *   explains): the larger figure is kept; or, without a current, the frame holds impossible values
 *   and nothing in it is believed (headroom 0).
 * unknown: nothing to go on (no data yet, a phase the supply does not have, or a phase the meter
 *   did not report with no way to bound it); its headroom is 0, never "all of the fuse".
 */
export type CurrentSource = 'measured' | 'from-power' | 'estimated' | 'bound' | 'implausible' | 'unknown';

export interface PhaseHeadroom {
  /** The fuse limit of this line, A (0 for a line the supply does not have). */
  limitA: number;
  /** Line current the engine works with, A (magnitude; absent when unknown). */
  currentA?: number;
  currentSource: CurrentSource;
  /** What may be added on this line: limit - margin - (current - own charger), never negative, A. */
  headroomA: number;
}

export interface TariffHeadroom {
  scheme: 'norway' | 'belgium' | 'power-limit';
  /**
   * Charging current the budget allows on all three phases / on one phase (line or pair), A, and
   * the power the charger may add (after the house load), W. Absent when the scheme is configured
   * but sets no limit now (`note` says why: above the highest step, no calendar).
   */
  threePhaseA?: number;
  onePhaseA?: number;
  chargerBudgetW?: number;
  // Norway
  /** Local hour being tracked, 'YYYY-MM-DDTHH'. */
  hour?: string;
  hourEnergyWh?: number;
  /** Largest energy this hour may reach without raising the month's step, Wh. */
  hourBudgetWh?: number;
  /** The step threshold being defended, kWh/h. */
  stepKwh?: number;
  /** Average of the three highest daily maxima so far this month, kWh/h. */
  monthAverageKwh?: number;
  /** The three highest daily maxima (different days), kWh/h, largest first. */
  topDaysKwh?: number[];
  // Belgium
  quarterAverageW?: number;
  targetW?: number;
  monthPeakW?: number;
  // Power limit
  powerLimitW?: number;
  /** Why the budget is what it is (or why it is not applied). */
  note?: string;
}

export interface Headroom {
  status: HeadroomStatus;
  /** Age of the data the answer rests on, s. Absent when there never was data. */
  ageS?: number;
  /** What limits the answer: 'fuse-l1', 'fuse-l2', 'fuse-l3', 'tariff', 'power-limit', 'ramp', 'hold-off', 'estimated-data', 'implausible-data', 'unknown-current', 'minimum-current', 'stale-data', 'safe-fallback', 'no-data'. */
  limitedBy: string;
  /** One short sentence for a person. */
  reason: string;
  phases: { l1: PhaseHeadroom; l2: PhaseHeadroom; l3: PhaseHeadroom };
  /** Current a three-phase charger may draw on every line, A (0 below the minimum charging current). */
  threePhaseA: number;
  /** Current a one-phase charger may draw on its best line (TN) or pair of lines (IT), A. */
  onePhaseA: number;
  /** The line or pair onePhaseA is for ('L2', 'L1-L3'). */
  onePhaseLine?: string;
  tariff?: TariffHeadroom;
  /** What the plausibility check found wrong in the frame this answer rests on, one sentence each (absent when nothing). */
  plausibility?: string[];
}

/** Last regulated output, kept so increases can be gradual and held values stay visible. */
export interface OutputState {
  /** Regulated per-line headroom, A. */
  phaseA: number[];
  /** Regulated three-phase / one-phase values before the minimum-current cut, A. */
  threePhaseA: number;
  onePhaseA: number;
  onePhaseLine?: string;
  status: HeadroomStatus;
  limitedBy: string;
  reason: string;
  /** Per-line current and its source as last published. */
  currentA: (number | null)[];
  currentSource: CurrentSource[];
  tariff?: TariffHeadroom;
  /** A rise is under way (see regulate.ts). */
  risingThree?: boolean;
  risingOne?: boolean;
  /** Rises earn their size from this time base on, ms; absent after the ladder (the first frame back earns nothing). */
  riseFromThreeMs?: number;
  riseFromOneMs?: number;
  /** The fuse-bound targets (before budgets and reserve) at the last frame with measured currents, A. */
  fuseThreeA?: number;
  fuseOneA?: number;
  /**
   * Kept back after a load went off, A, until the time base given (settings.holdOffS): a cycling
   * load (hob zone, dryer heater, kettle) that comes back finds its room still free.
   */
  reserveThreeA?: number;
  reserveThreeUntilMs?: number;
  reserveOneA?: number;
  reserveOneUntilMs?: number;
  /** The plausibility flags of the frame this output rests on. */
  plausibility?: string[];
}

/** The last frame whose line currents were its own figures: the split used to estimate short frames. */
export interface SplitState {
  /** Meter-or-arrival time of that frame, ms. */
  atMs: number;
  /** Its line currents (measured, or IT L2 estimated; null: only bounded), A. */
  currentA: (number | null)[];
  /** Own charger current at that frame, A. */
  chargerA: number[];
  /** |net active power| at that frame, W. */
  powerW: number;
  /** Signed net import (import - export) at that frame, W. */
  netW?: number;
  /** Lowest power change not due to the own charger seen on short frames since, W (<= 0): a
   *  rise is counted from there, so a load off and another on between two full lists is not missed. */
  lowOtherW?: number;
}

export interface NorwayTariffState {
  monthKey?: string;
  /** Highest hourly energy of each day this month, Wh, by 'YYYY-MM-DD'. */
  dayMaxWh: Record<string, number>;
  /** Hour being filled: UTC start and energy so far, Wh. */
  hourStartUtcMs?: number;
  hourLabel?: string;
  hourDayKey?: string;
  hourEnergyWh: number;
  /** The hour before, kept open for a late register correction (Norwegian list 3 arrives at hh:00:00). */
  prevHourStartUtcMs?: number;
  prevHourDayKey?: string;
  prevHourEnergyWh?: number;
}

export interface QuarterState {
  /** UTC start of the quarter hour being filled. */
  startUtcMs?: number;
  energyWh: number;
}

export interface EnergyState {
  /** Time (UTC ms) of the last sample integrated. */
  lastUtcMs?: number;
  /** Import power of that sample, W. */
  lastPowerW?: number;
  /** Last import register and its time. */
  lastRegisterWh?: number;
  lastRegisterUtcMs?: number;
  /** Energy integrated from power since the last register value, Wh (replaced by the register delta when it comes). */
  integratedSinceRegisterWh: number;
}

export interface HeadroomState {
  version: 1;
  /** Arrival time of the last frame that carried new data, ms. */
  lastFreshMs?: number;
  /** Meter time (UTC ms) of that frame, when the meter sent one. */
  lastMeterUtcMs?: number;
  /** frameKind of that frame (a short and a full list may share a time stamp). */
  lastFrameKind?: 'short' | 'full';
  /** Smallest (arrival - meter time) seen: the transport delay baseline, ms. */
  skewBaseMs?: number;
  /** Lag of the last fresh frame behind the baseline, ms (frames delayed in a bridge are older than they look). */
  lagMs: number;
  split?: SplitState;
  /**
   * The own charger's current per line at the last fresh frame, A (absent: none given). The IT L2
   * estimate takes the charger's part off the meter's figures only when the charger has not moved
   * since (currents.ts).
   */
  lastChargerA?: number[];
  /** Last voltages per line, V (null: never sent). */
  voltageV: (number | null)[];
  /** Last |net| active power, W, and house power without the charger, W. */
  powerW?: number;
  out?: OutputState;
  energy: EnergyState;
  norway?: NorwayTariffState;
  quarter?: QuarterState;
  /** Last local clock resolution (for the DST-ambiguous hour). */
  lastUtcMs?: number;
}
