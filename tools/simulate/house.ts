/**
 * The house: base load and appliance uses per slot, one second at a time, from a seeded stream.
 * Each slot current has an in-phase part (slotP, what makes active power) and a lagging part
 * (slotQ, reactive: motors and compressors), both in A (wiring.ts).
 * State lives in typed arrays allocated once; step() allocates nothing.
 * Appliance starts are a Poisson process shaped by the local hour (thinning); an appliance
 * that is in use does not start again; cycling appliances switch between on and off periods.
 */
import type { HouseProfile } from './profiles';
import { baseShape } from './profiles';
import { type Rng, between, exponentialS, streamRng } from './prng';

/** Local time offset used for the hour-of-day shapes (CET, both countries in November). */
export const LOCAL_OFFSET_S = 3600;

export class House {
  /** The house's own current per slot this second, in phase with the slot voltage and lagging it, A (no charger). */
  readonly slotP = new Float64Array(3);
  readonly slotQ = new Float64Array(3);
  readonly profile: HouseProfile;
  private readonly rng: Rng;
  private readonly n: number;
  private readonly inUse: Uint8Array;
  private readonly on: Uint8Array;
  private readonly endS: Float64Array;
  private readonly nextStartS: Float64Array;
  private readonly nextSwitchS: Float64Array;
  private readonly weightMax: Float64Array;
  /** Lagging current per in-phase ampere of each appliance (tan of its power-factor angle). */
  private readonly tanPhi: Float64Array;
  private readonly baseWander = new Float64Array(3);

  constructor(profile: HouseProfile, seed: number) {
    this.profile = profile;
    this.rng = streamRng(seed, 1);
    const n = profile.appliances.length;
    this.n = n;
    this.inUse = new Uint8Array(n);
    this.on = new Uint8Array(n);
    this.endS = new Float64Array(n);
    this.nextStartS = new Float64Array(n);
    this.nextSwitchS = new Float64Array(n);
    this.weightMax = new Float64Array(n);
    this.tanPhi = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = profile.appliances[i];
      const w = a.hourWeights;
      this.weightMax[i] = w ? Math.max(...w) : 1;
      this.tanPhi[i] = tanOf(a.powerFactor ?? 1);
      if (a.always) {
        this.start(i, 0);
        // Heaters do not all switch together at t = 0; a load that does not cycle stays on.
        const r = this.rng();
        this.on[i] = a.cycleOnS ? (r < 0.5 ? 1 : 0) : 1;
        this.nextSwitchS[i] = between(this.rng, 0, 600);
      } else {
        this.nextStartS[i] = this.drawNextStart(i, 0);
      }
    }
  }

  private hourAt(tS: number): number {
    return Math.floor(((((tS + LOCAL_OFFSET_S) % 86400) + 86400) % 86400) / 3600);
  }

  /** Next start after tS: Poisson with the peak hourly rate, thinned by the hour's weight. */
  private drawNextStart(i: number, tS: number): number {
    const a = this.profile.appliances[i];
    if (a.startsPerDay <= 0) return Infinity;
    const w = a.hourWeights;
    const mean = w ? w.reduce((s, x) => s + x, 0) / 24 : 1;
    const peakRate = (a.startsPerDay / 86400) * (this.weightMax[i] / mean);
    let t = tS;
    for (let guard = 0; guard < 10000; guard++) {
      t += exponentialS(this.rng, peakRate);
      const weight = w ? w[this.hourAt(t)] : 1;
      if (this.rng() * this.weightMax[i] < weight) return Math.ceil(t);
    }
    return Infinity;
  }

  private start(i: number, tS: number): void {
    const a = this.profile.appliances[i];
    this.inUse[i] = 1;
    this.on[i] = 1;
    this.endS[i] = a.always ? Infinity : tS + Math.round(between(this.rng, a.durationS[0], a.durationS[1]));
    this.nextSwitchS[i] = a.cycleOnS ? tS + Math.round(between(this.rng, a.cycleOnS[0], a.cycleOnS[1])) : Infinity;
  }

  /** Advance to second tS (call with tS = 0, 1, 2, ...) and fill slotP and slotQ. */
  step(tS: number): void {
    const p = this.profile;
    const v = p.nominalV;
    if (tS % 60 === 0) {
      // Base load wanders slowly (+-25 %) around the daily shape.
      for (let k = 0; k < 3; k++) {
        const w = this.baseWander[k] + (this.rng() - 0.5) * 0.1;
        this.baseWander[k] = Math.max(-0.25, Math.min(0.25, w));
      }
    }
    const shape = baseShape[this.hourAt(tS)];
    const s = this.slotP;
    const q = this.slotQ;
    const baseTan = tanOf(p.basePowerFactor);
    s[0] = (p.baseW[0] * shape * (1 + this.baseWander[0])) / v;
    s[1] = (p.baseW[1] * shape * (1 + this.baseWander[1])) / v;
    s[2] = (p.baseW[2] * shape * (1 + this.baseWander[2])) / v;
    q[0] = s[0] * baseTan;
    q[1] = s[1] * baseTan;
    q[2] = s[2] * baseTan;
    const apps = p.appliances;
    for (let i = 0; i < this.n; i++) {
      const a = apps[i];
      if (!this.inUse[i]) {
        if (tS < this.nextStartS[i]) continue;
        this.start(i, tS);
      } else if (tS >= this.endS[i]) {
        this.inUse[i] = 0;
        this.on[i] = 0;
        this.nextStartS[i] = this.drawNextStart(i, tS);
        continue;
      }
      if (tS >= this.nextSwitchS[i] && a.cycleOnS && a.cycleOffS) {
        const nowOn = this.on[i] ? 0 : 1;
        this.on[i] = nowOn;
        const range = nowOn ? a.cycleOnS : a.cycleOffS;
        this.nextSwitchS[i] = tS + Math.max(1, Math.round(between(this.rng, range[0], range[1])));
      }
      if (!this.on[i]) continue;
      const tan = this.tanPhi[i];
      if (a.slot === 'all') {
        const perSlot = a.powerW / 3 / v;
        s[0] += perSlot;
        s[1] += perSlot;
        s[2] += perSlot;
        q[0] += perSlot * tan;
        q[1] += perSlot * tan;
        q[2] += perSlot * tan;
      } else {
        s[a.slot] += a.powerW / v;
        q[a.slot] += (a.powerW / v) * tan;
      }
    }
  }
}

/** Lagging current per in-phase ampere for a power factor (tan of its angle). */
function tanOf(powerFactor: number): number {
  return Math.sqrt(1 - powerFactor * powerFactor) / powerFactor;
}
