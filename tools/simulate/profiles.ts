/**
 * House profiles: wiring, main fuse, base load and appliances per slot, and the EV charger.
 * Slots: TN slot k = phase Lk; IT slot 0 = L1-L2, 1 = L2-L3, 2 = L3-L1 (see wiring.ts).
 * 'all' = a balanced three-phase load (its power split evenly over the three slots).
 * Power factors (lagging): heat pump compressors 0.85-0.9, fridge and freezer compressors 0.65,
 * ventilation fans 0.8, the base load (electronics, lighting, standby) 0.95; heaters, kettles,
 * hobs and ovens 1. Cycling: thermostats (heaters, ovens, compressors) and power levels (hobs).
 *
 * Why these values (November, so electric heating is on):
 * - no-it: a Norwegian detached house on the 3x230 V IT grid with a 3x40 A main fuse. 40 A is
 *   the usual size for older detached houses (about 16 kW on 230 V IT); newer ones get 50-63 A,
 *   apartments 25-32 A. Heating is electric (panel heaters on all three branches, an air-to-air
 *   heat pump), a 2 kW water heater, induction hob split over two branches (both on L2), oven,
 *   kettle, dishwasher, washer/dryer. The EV charger is single phase between L1 and L2 at up to
 *   32 A (7.4 kW): most cars cannot charge on three phases of a 230 V IT grid.
 * - no-it-3ph: the same house with a three-phase charger (16 A per line, sqrt(3) x 230 V x 16 A =
 *   6.4 kW; some cars charge three-phase on 230 V IT).
 * - nl-tn: a Dutch terraced house, 3x25 A on 230/400 V TN (the standard connection), gas
 *   replaced by a 2 kW three-phase heat pump, induction hob over L1+L2, appliances spread over
 *   the phases the way Dutch group boxes are usually wired. Charger three-phase 16 A (11 kW).
 */
import type { Wiring } from './wiring';

export type Slot = 0 | 1 | 2 | 'all';

export interface ApplianceSpec {
  name: string;
  slot: Slot;
  powerW: number;
  /** Mean number of uses per day (Poisson, shaped by hourWeights). Ignored when `always`. */
  startsPerDay: number;
  /** 24 relative weights for the local hour of day (default: flat). */
  hourWeights?: readonly number[];
  /** Duration of one use, seconds [min, max]. */
  durationS: readonly [number, number];
  /** Thermostat / power-level cycling while in use: on and off periods, seconds. */
  cycleOnS?: readonly [number, number];
  cycleOffS?: readonly [number, number];
  /** Always in use (heating): only the cycling switches it. */
  always?: boolean;
  /** Power factor, lagging (motors and compressors); default 1 (resistive). */
  powerFactor?: number;
}

export interface ChargerSpec {
  /** How the charger current spreads over the slots (TN 3-phase: 1,1,1; IT L1-L2: 1,0,0). */
  slotWeights: readonly [number, number, number];
  /** The charger's own current on each line per ampere of set point (what it reports; a three-phase
   *  charger on IT is delta-connected: 1/sqrt(3) A per slot for 1 A per line). */
  lineWeights: readonly [number, number, number];
  maxA: number;
  minA: number;
  /** The car's own maximum current. */
  carMaxA: number;
  /** After a stop, the charger does not start again for this long (contactor/car protection). */
  minPauseS: number;
  /** Delay before the car follows a new set point, seconds [min, max] (drawn per session). */
  delayS: readonly [number, number];
  /** Ramp-up speed after the delay, A per second (ramping down is immediate). */
  rampUpAps: number;
  /** Energy a car wants per session, Wh [min, max]. */
  sessionWh: readonly [number, number];
}

export type MeterKind = 'dsmr5' | 'dsmr4' | 'han-kaifa' | 'han-aidon';

export interface HouseProfile {
  id: 'no-it' | 'no-it-3ph' | 'nl-tn';
  title: string;
  wiring: Wiring;
  fuseA: number;
  nominalV: number;
  /** Base load per slot at the daily peak, W (scaled by baseShape per hour). */
  baseW: readonly [number, number, number];
  /** Power factor of the base load (lagging). */
  basePowerFactor: number;
  appliances: readonly ApplianceSpec[];
  charger: ChargerSpec;
  /** The meters this house is run with by default (the first when one is asked for). */
  meters: readonly MeterKind[];
}

/** Relative base load per local hour: low at night, morning bump, evening peak. */
export const baseShape: readonly number[] = [
  0.45, 0.4, 0.4, 0.4, 0.4, 0.45, 0.7, 0.9, 0.8, 0.6, 0.55, 0.6, 0.65, 0.6, 0.6, 0.65, 0.8, 0.95, 1.0, 1.0, 0.95, 0.85, 0.7, 0.55,
];

/**
 * An appliance that runs all day (heating, refrigeration, ventilation): only its thermostat cycle,
 * on and off periods in seconds, switches it.
 */
function allDay(
  name: string,
  slot: Slot,
  powerW: number,
  cycleOnS: readonly [number, number] | undefined,
  cycleOffS: readonly [number, number] | undefined,
  powerFactor?: number,
): ApplianceSpec {
  const spec: ApplianceSpec = { name, slot, powerW, startsPerDay: 0, durationS: [86400, 86400] };
  if (cycleOnS && cycleOffS) {
    spec.cycleOnS = cycleOnS;
    spec.cycleOffS = cycleOffS;
  }
  spec.always = true;
  if (powerFactor !== undefined) spec.powerFactor = powerFactor;
  return spec;
}

const meals = [0, 0, 0, 0, 0, 0, 1, 3, 2, 0.5, 0.5, 1, 2, 1, 0.5, 1, 3, 6, 6, 2, 1, 0.5, 0.2, 0];
const evenings = [0, 0, 0, 0, 0, 0, 0.5, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 2, 3, 4, 4, 3, 2, 1, 0.2];
const mornings = [0.2, 0.2, 0.2, 0.2, 0.5, 1, 4, 4, 2, 1, 1, 1, 1, 1, 1, 1, 2, 3, 3, 2, 2, 1, 0.5, 0.2];
const kettle = [0, 0, 0, 0, 0, 0.2, 3, 4, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 2, 2, 1, 0.3, 0];

export const noItHouse: HouseProfile = {
  id: 'no-it',
  title: 'Norwegian house, 3x230 V IT, 3x40 A',
  wiring: 'it',
  fuseA: 40,
  nominalV: 230,
  baseW: [300, 250, 250],
  basePowerFactor: 0.95,
  appliances: [
    allDay('panel heaters L1-L2', 0, 1400, [300, 900], [900, 1800]),
    allDay('panel heaters L2-L3', 1, 1600, [300, 900], [900, 1800]),
    allDay('panel heaters L3-L1', 2, 1000, [300, 900], [900, 1800]),
    allDay('heat pump L2-L3', 1, 1000, [1200, 3600], [600, 1800], 0.95),
    allDay('fridge L1-L2', 0, 120, [600, 1200], [1200, 2400], 0.65),
    allDay('freezer L3-L1', 2, 150, [600, 1500], [1200, 2400], 0.65),
    allDay('ventilation L2-L3', 1, 150, undefined, undefined, 0.9),
    { name: 'water heater L2-L3', slot: 1, powerW: 2000, startsPerDay: 3, hourWeights: mornings, durationS: [1200, 4800] },
    {
      name: 'induction hob L1-L2',
      slot: 0,
      powerW: 3000,
      startsPerDay: 1.5,
      hourWeights: meals,
      durationS: [600, 2400],
      cycleOnS: [10, 40],
      cycleOffS: [5, 20],
    },
    {
      name: 'induction hob L2-L3',
      slot: 1,
      powerW: 2500,
      startsPerDay: 1.0,
      hourWeights: meals,
      durationS: [600, 1800],
      cycleOnS: [10, 40],
      cycleOffS: [5, 20],
    },
    { name: 'oven L3-L1', slot: 2, powerW: 3000, startsPerDay: 0.6, hourWeights: meals, durationS: [1800, 4200], cycleOnS: [40, 120], cycleOffS: [30, 60] },
    { name: 'kettle L3-L1', slot: 2, powerW: 2000, startsPerDay: 4, hourWeights: kettle, durationS: [100, 240] },
    {
      name: 'dishwasher L1-L2',
      slot: 0,
      powerW: 2000,
      startsPerDay: 0.9,
      hourWeights: evenings,
      durationS: [3600, 7200],
      cycleOnS: [600, 1200],
      cycleOffS: [900, 1800],
    },
    {
      name: 'washer/dryer L3-L1',
      slot: 2,
      powerW: 2200,
      startsPerDay: 0.8,
      hourWeights: evenings,
      durationS: [3600, 7200],
      cycleOnS: [300, 900],
      cycleOffS: [120, 600],
    },
    {
      name: 'washer drum motor L3-L1',
      slot: 2,
      powerW: 300,
      startsPerDay: 0.8,
      hourWeights: evenings,
      durationS: [2400, 5400],
      cycleOnS: [20, 60],
      cycleOffS: [5, 20],
      powerFactor: 0.6,
    },
  ],
  charger: {
    slotWeights: [1, 0, 0],
    lineWeights: [1, 1, 0],
    maxA: 32,
    minA: 6,
    carMaxA: 32,
    minPauseS: 300,
    delayS: [2, 5],
    rampUpAps: 4,
    sessionWh: [8000, 60000],
  },
  meters: ['han-kaifa', 'han-aidon'],
};

export const noIt3phHouse: HouseProfile = {
  ...noItHouse,
  id: 'no-it-3ph',
  title: 'Norwegian house, 3x230 V IT, 3x40 A, three-phase charger',
  charger: {
    ...noItHouse.charger,
    slotWeights: [1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)],
    lineWeights: [1, 1, 1],
    maxA: 16,
    carMaxA: 16,
  },
  meters: ['han-aidon'],
};

export const nlTnHouse: HouseProfile = {
  id: 'nl-tn',
  title: 'Dutch house, 3x25 A TN 230/400 V',
  wiring: 'tn',
  fuseA: 25,
  nominalV: 230,
  baseW: [200, 150, 150],
  basePowerFactor: 0.95,
  appliances: [
    allDay('heat pump 3-phase', 'all', 2000, [900, 2400], [1200, 3000], 0.95),
    allDay('fridge L2', 1, 120, [600, 1200], [1200, 2400], 0.65),
    allDay('freezer L3', 2, 150, [600, 1500], [1200, 2400], 0.65),
    { name: 'induction hob L1', slot: 0, powerW: 3700, startsPerDay: 1.5, hourWeights: meals, durationS: [600, 2400], cycleOnS: [10, 40], cycleOffS: [5, 20] },
    { name: 'induction hob L2', slot: 1, powerW: 3000, startsPerDay: 1.0, hourWeights: meals, durationS: [600, 1800], cycleOnS: [10, 40], cycleOffS: [5, 20] },
    { name: 'oven L2', slot: 1, powerW: 2800, startsPerDay: 0.5, hourWeights: meals, durationS: [1800, 4200], cycleOnS: [40, 120], cycleOffS: [30, 60] },
    { name: 'kettle L1', slot: 0, powerW: 2200, startsPerDay: 4, hourWeights: kettle, durationS: [100, 240] },
    { name: 'microwave L1', slot: 0, powerW: 1200, startsPerDay: 1.5, hourWeights: meals, durationS: [60, 400] },
    {
      name: 'dishwasher L2',
      slot: 1,
      powerW: 2000,
      startsPerDay: 0.9,
      hourWeights: evenings,
      durationS: [3600, 7200],
      cycleOnS: [600, 1200],
      cycleOffS: [900, 1800],
    },
    {
      name: 'washing machine L3',
      slot: 2,
      powerW: 2000,
      startsPerDay: 0.6,
      hourWeights: evenings,
      durationS: [3600, 5400],
      cycleOnS: [300, 900],
      cycleOffS: [300, 900],
    },
    {
      name: 'washing machine motor L3',
      slot: 2,
      powerW: 300,
      startsPerDay: 0.6,
      hourWeights: evenings,
      durationS: [2400, 5400],
      cycleOnS: [20, 60],
      cycleOffS: [5, 20],
      powerFactor: 0.6,
    },
    {
      name: 'tumble dryer L3',
      slot: 2,
      powerW: 2500,
      startsPerDay: 0.4,
      hourWeights: evenings,
      durationS: [3600, 6000],
      cycleOnS: [600, 1200],
      cycleOffS: [60, 300],
    },
    { name: 'water cooker/boiler L3', slot: 2, powerW: 1800, startsPerDay: 1, hourWeights: mornings, durationS: [600, 1800] },
  ],
  charger: {
    slotWeights: [1, 1, 1],
    lineWeights: [1, 1, 1],
    maxA: 16,
    minA: 6,
    carMaxA: 16,
    minPauseS: 300,
    delayS: [2, 5],
    rampUpAps: 4,
    sessionWh: [8000, 60000],
  },
  meters: ['dsmr5'],
};

export const houseProfiles: Record<string, HouseProfile> = { 'nl-tn': nlTnHouse, 'no-it': noItHouse, 'no-it-3ph': noIt3phHouse };
