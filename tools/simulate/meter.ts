/**
 * The smart meter: when it publishes a frame, what the frame holds, and when frames get lost.
 *
 * Cadence (what real meters do on their consumer port):
 * - dsmr5: a full telegram every second; currents in whole amperes (DSMR 1-0:31.7.0 is F3(0,0)),
 *   per-phase power in W, voltage in 0.1 V.
 * - dsmr4: the same telegram every 10 s.
 * - han (Kaifa MA304 style): list 1 (total power only, frameKind 'short') every 2 s, the full
 *   list every 10 s (it replaces the short one in that slot); currents in mA, no per-phase power.
 *   On an IT grid the Kaifa meter leaves out the L2 current (two-wattmeter measurement).
 * - han-aidon (Aidon 6525 style): list 1 every 2.5 s, full list every 10 s, currents in 0.1 A,
 *   all three currents.
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
  protocol: 'dsmr' | 'dlms';
  listId?: string;
  perPhasePower: boolean;
}

const specs: Record<MeterKind, MeterSpec> = {
  dsmr5: { fullEveryS: 1, shortEveryS: 0, currentStepA: 1, protocol: 'dsmr', perPhasePower: true },
  dsmr4: { fullEveryS: 10, shortEveryS: 0, currentStepA: 1, protocol: 'dsmr', perPhasePower: true },
  han: { fullEveryS: 10, shortEveryS: 2, currentStepA: 0.001, protocol: 'dlms', listId: 'KFM_001', perPhasePower: false },
  'han-aidon': { fullEveryS: 10, shortEveryS: 2.5, currentStepA: 0.1, protocol: 'dlms', listId: 'AIDON_V0001', perPhasePower: false },
};

export const meterKinds = Object.keys(specs) as MeterKind[];

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

function quantize(x: number, step: number): number {
  return Math.round(Math.round(x / step) * step * 1000) / 1000;
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
    this.omitL2 = profile.wiring === 'it' && kind === 'han';
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
   * lineA: line currents with the charger; slotA: slot currents with the charger (for power).
   */
  reading(frame: number, lineA: ArrayLike<number>, slotA: ArrayLike<number>): MeterReading {
    const v = this.profile.nominalV;
    const powerW = Math.round((slotA[0] + slotA[1] + slotA[2]) * v);
    const spec = this.spec;
    if (frame === FRAME_SHORT) {
      return { protocol: spec.protocol, listId: spec.listId, powerImportW: powerW, powerExportW: 0, frameKind: 'short' };
    }
    const step = spec.currentStepA;
    const phase = (k: number, omitCurrent: boolean) => {
      const p: { currentA?: number; voltageV: number; powerImportW?: number; powerExportW?: number } = { voltageV: VOLTAGE_V[k] };
      if (!omitCurrent) p.currentA = quantize(lineA[k], step);
      if (spec.perPhasePower && this.profile.wiring === 'tn') {
        p.powerImportW = Math.round(lineA[k] * v);
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
    if (spec.protocol === 'dsmr') r.dsmrVersion = this.kind === 'dsmr5' ? '50' : '42';
    else r.listId = spec.listId;
    if (this.profile.wiring === 'it') r.threeWire = true;
    return r;
  }
}
