/**
 * The smart meter: when it publishes a frame, what the frame holds, and when frames get lost.
 *
 * Cadence and content (what real meters do on their consumer port):
 * - dsmr5: a full telegram every second; currents in whole amperes, cut down (DSMR 1-0:31.7.0 is
 *   F3(0,0); a meter that truncates is the harder case: up to 0.99 A unseen), per-phase power in W
 *   (21.7.0/22.7.0...), voltage in 0.1 V.
 * - dsmr4: the same telegram every 10 s.
 * - han-kaifa (Kaifa MA304 style): list 1 (total power only, frameKind 'short') every 2 s, the
 *   full list every 10 s (it replaces the short one in that slot): currents in mA, active and
 *   reactive power, voltages; no per-phase power. On an IT grid the meter measures with two
 *   elements: no L2 current, and U2 sent as 0 V (the MA304H3E captures in hosttests/vectors).
 * - han-aidon (Aidon 6525 style): list 1 every 2.5 s, full list every 10 s, currents in 0.1 A,
 *   active and reactive power, three voltages; on IT no L2 current (the 6525 captures).
 * Reactive power: the sum of the slots' lagging parts (import when lagging, export when leading).
 * Dropouts: single lost frames (CRC errors, 0.3 %) and outages (about one per 36 h, 20-600 s),
 * from the meter's own seeded stream, so every controller sees the same losses.
 */
import type { MeterReading } from '../../decoders/reading';
import type { HouseProfile, MeterKind } from './profiles';
import { type Rng, between, exponentialS, streamRng } from './prng';

export const FRAME_NONE = 0;
export const FRAME_FULL = 1;
export const FRAME_SHORT = 2;
/** A slot where a frame was due but did not arrive. */
export const FRAME_LOST = 3;

interface MeterSpec {
  fullEveryS: number;
  shortEveryS: number; // 0 = no short frames
  currentStepA: number;
  /** Currents cut down to the step (DSMR whole amperes), else rounded. */
  truncate: boolean;
  protocol: 'dsmr' | 'dlms';
  listId?: string;
  perPhasePower: boolean;
  reactivePower: boolean;
  /** On IT: U2 sent as 0 V (the line a 2-element meter does not measure). */
  itZeroU2: boolean;
}

const specs: Record<MeterKind, MeterSpec> = {
  dsmr5: { fullEveryS: 1, shortEveryS: 0, currentStepA: 1, truncate: true, protocol: 'dsmr', perPhasePower: true, reactivePower: false, itZeroU2: false },
  dsmr4: { fullEveryS: 10, shortEveryS: 0, currentStepA: 1, truncate: true, protocol: 'dsmr', perPhasePower: true, reactivePower: false, itZeroU2: false },
  'han-kaifa': {
    fullEveryS: 10,
    shortEveryS: 2,
    currentStepA: 0.001,
    truncate: false,
    protocol: 'dlms',
    listId: 'KFM_001',
    perPhasePower: false,
    reactivePower: true,
    itZeroU2: true,
  },
  'han-aidon': {
    fullEveryS: 10,
    shortEveryS: 2.5,
    currentStepA: 0.1,
    truncate: false,
    protocol: 'dlms',
    listId: 'AIDON_V0001',
    perPhasePower: false,
    reactivePower: true,
    itZeroU2: false,
  },
};

export const meterKinds = Object.keys(specs) as MeterKind[];

/** Older names still accepted on the command line. */
export const meterAliases: Record<string, MeterKind> = { han: 'han-kaifa' };

export interface MeterLossOptions {
  /** Probability that a single frame is lost. */
  frameLossP: number;
  /** Mean outages per day. */
  outagesPerDay: number;
  outageS: readonly [number, number];
}

export const defaultLoss: MeterLossOptions = { frameLossP: 0.003, outagesPerDay: 24 / 36, outageS: [20, 600] };
export const noLoss: MeterLossOptions = { frameLossP: 0, outagesPerDay: 0, outageS: [0, 0] };

const VOLTAGE_V = [231.2, 229.8, 230.6];

function quantize(x: number, step: number, truncate: boolean): number {
  const n = truncate ? Math.floor(x / step + 1e-9) : Math.round(x / step);
  return Math.round(n * step * 1000) / 1000;
}

export class Meter {
  readonly kind: MeterKind;
  readonly spec: MeterSpec;
  private readonly profile: HouseProfile;
  private readonly omitL2: boolean;
  private readonly rng: Rng;
  private readonly loss: MeterLossOptions;
  private nextFullS = 0;
  private nextShortS: number;
  private outageStartS: number;
  private outageEndS = -1;

  constructor(kind: MeterKind, profile: HouseProfile, seed: number, loss: MeterLossOptions = defaultLoss) {
    this.kind = kind;
    this.spec = specs[kind];
    this.profile = profile;
    this.omitL2 = profile.wiring === 'it' && kind !== 'dsmr5' && kind !== 'dsmr4';
    this.rng = streamRng(seed, 2);
    this.loss = loss;
    this.nextShortS = this.spec.shortEveryS;
    this.outageStartS = loss.outagesPerDay > 0 ? exponentialS(this.rng, loss.outagesPerDay / 86400) : Infinity;
  }

  /** Is a frame due at second tS, and does it arrive? Call once per second, in order. */
  poll(tS: number): number {
    let due = FRAME_NONE;
    if (tS >= this.nextFullS) {
      due = FRAME_FULL;
      this.nextFullS += this.spec.fullEveryS;
      while (this.spec.shortEveryS > 0 && this.nextShortS <= tS + 0.5) this.nextShortS += this.spec.shortEveryS;
    } else if (this.spec.shortEveryS > 0 && tS >= Math.floor(this.nextShortS)) {
      due = FRAME_SHORT;
      this.nextShortS += this.spec.shortEveryS;
    }
    if (due === FRAME_NONE) return FRAME_NONE;
    if (tS >= this.outageStartS) {
      this.outageEndS = tS + Math.round(between(this.rng, this.loss.outageS[0], this.loss.outageS[1]));
      this.outageStartS = this.outageEndS + exponentialS(this.rng, this.loss.outagesPerDay / 86400);
    }
    if (tS < this.outageEndS) return FRAME_LOST;
    if (this.loss.frameLossP > 0 && this.rng() < this.loss.frameLossP) return FRAME_LOST;
    return due;
  }

  /**
   * The reading of a frame (a fresh object, as a decoder would hand over).
   * lineA: line currents with the charger; slotP, slotQ: slot currents with the charger, in phase
   * and lagging (for active and reactive power).
   */
  reading(frame: number, lineA: ArrayLike<number>, slotP: ArrayLike<number>, slotQ: ArrayLike<number>): MeterReading {
    const v = this.profile.nominalV;
    const powerW = Math.round((slotP[0] + slotP[1] + slotP[2]) * v);
    const reactiveVar = Math.round((slotQ[0] + slotQ[1] + slotQ[2]) * v);
    const spec = this.spec;
    if (frame === FRAME_SHORT) {
      return { protocol: spec.protocol, listId: spec.listId, powerImportW: powerW, powerExportW: 0, frameKind: 'short' };
    }
    const it = this.profile.wiring === 'it';
    const phase = (k: number, omitCurrent: boolean) => {
      const p: { currentA?: number; voltageV: number; powerImportW?: number; powerExportW?: number } = {
        voltageV: it && k === 1 && spec.itZeroU2 ? 0 : VOLTAGE_V[k],
      };
      if (!omitCurrent) p.currentA = quantize(lineA[k], spec.currentStepA, spec.truncate);
      if (spec.perPhasePower && !it) {
        p.powerImportW = Math.round(slotP[k] * v);
        p.powerExportW = 0;
      }
      return p;
    };
    const r: MeterReading = {
      protocol: spec.protocol,
      powerImportW: powerW,
      powerExportW: 0,
      l1: phase(0, false),
      l2: phase(1, this.omitL2),
      l3: phase(2, false),
      phaseCount: 3,
      frameKind: 'full',
    };
    if (spec.reactivePower) {
      r.reactivePowerImportVar = reactiveVar > 0 ? reactiveVar : 0;
      r.reactivePowerExportVar = reactiveVar < 0 ? -reactiveVar : 0;
    }
    if (spec.protocol === 'dsmr') r.dsmrVersion = this.kind === 'dsmr5' ? '50' : '42';
    else r.listId = spec.listId;
    if (it) r.threeWire = true;
    return r;
  }
}
