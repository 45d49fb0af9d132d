/**
 * The EV charger and the car behind it.
 *
 * Charger: takes a set point (0, or minA..maxA in whole amperes, as IEC 61851 PWM chargers are
 * usually driven). The car follows the set point that was in force `delayS` seconds ago (drawn
 * per session, 2-5 s: the PWM change, the car's reaction, its ramp): down at once, up at
 * rampUpAps. A set point under minA stops charging; after a stop the charger does not start
 * again for minPauseS.
 * Car: arrives in the afternoon or evening (most days), wants some energy, leaves next morning
 * (or after a short evening stop); draws nothing once its battery has what it wanted.
 */
import type { ChargerSpec } from './profiles';
import { LOCAL_OFFSET_S } from './house';
import { type Rng, between, streamRng } from './prng';

const RING = 8; // > the longest delay

export class Car {
  connected = false;
  /** Energy still wanted this session, Wh. */
  needWh = 0;
  /** Energy the ideal charger still has to deliver this session (a shadow battery), Wh. */
  idealNeedWh = 0;
  /** The car's reaction delay for this session, s. */
  delayS = 3;
  sessions = 0;
  private readonly rng: Rng;
  private readonly spec: ChargerSpec;
  private leaveS = -1;
  private plannedDay = -1;
  // The next visit, planned at the start of its day (possibly while the previous car is still here).
  private planArriveS = -1;
  private planLeaveS = -1;
  private planDelayS = 3;
  private planNeedWh = 0;

  constructor(spec: ChargerSpec, seed: number) {
    this.spec = spec;
    this.rng = streamRng(seed, 3);
  }

  /** Plan each local day's visit at its first second; connect and disconnect on time. */
  step(tS: number): void {
    const day = Math.floor((tS + LOCAL_OFFSET_S) / 86400);
    if (day !== this.plannedDay) {
      this.plannedDay = day;
      const dayStartS = day * 86400 - LOCAL_OFFSET_S;
      const weekday = (day + 3) % 7 < 5; // 1970-01-01 was a Thursday
      // Draw the same numbers every day, so one day's choice does not shift the next days.
      const comes = this.rng() < (weekday ? 0.85 : 0.5);
      const arriveH = weekday ? between(this.rng, 16, 20) : between(this.rng, 10, 20);
      // Most visits last the night; three in ten are a short evening stop of 1-4 h.
      const shortVisit = this.rng() < 0.3;
      const stayH = between(this.rng, 1, 4);
      const leaveH = shortVisit ? arriveH + stayH : 24 + between(this.rng, 6.5, 8.5);
      const delayS = Math.round(between(this.rng, this.spec.delayS[0], this.spec.delayS[1]));
      const needWh = between(this.rng, this.spec.sessionWh[0], this.spec.sessionWh[1]);
      if (comes) {
        this.planArriveS = dayStartS + Math.round(arriveH * 3600);
        this.planLeaveS = dayStartS + Math.round(leaveH * 3600);
        this.planDelayS = delayS;
        this.planNeedWh = needWh;
      }
    }
    if (this.connected && tS >= this.leaveS) {
      this.connected = false;
      this.needWh = 0;
      this.idealNeedWh = 0;
    }
    if (!this.connected && tS === this.planArriveS) {
      this.connected = true;
      this.leaveS = this.planLeaveS;
      this.delayS = this.planDelayS;
      this.needWh = this.planNeedWh;
      this.idealNeedWh = this.planNeedWh;
      this.sessions++;
    }
  }
}

export class Charger {
  /** Present current per ampere-slot weight (what the car draws), A. */
  actualA = 0;
  /** The set point the controller gave last (whole amperes, 0 = stop). */
  setpointA = 0;
  private readonly spec: ChargerSpec;
  private readonly ring = new Float64Array(RING);
  private pauseUntilS = -Infinity;

  constructor(spec: ChargerSpec) {
    this.spec = spec;
  }

  /** Turn a controller's allowance (A, any real) into the set point the charger gets. */
  static setpointFor(spec: ChargerSpec, allowanceA: number): number {
    if (!(allowanceA >= spec.minA)) return 0; // NaN, negative, under the minimum: stop
    return Math.min(spec.maxA, Math.floor(allowanceA + 1e-9));
  }

  command(setpointA: number): void {
    this.setpointA = setpointA;
  }

  /** The current for second tS; call once per second before the meter samples. */
  step(tS: number, car: Car): void {
    this.ring[tS % RING] = this.setpointA;
    const seen = tS >= car.delayS ? this.ring[(tS - car.delayS) % RING] : 0;
    let target = seen >= this.spec.minA && car.connected && car.needWh > 0 ? Math.min(seen, this.spec.carMaxA) : 0;
    if (tS < this.pauseUntilS) target = 0;
    if (target < this.actualA) {
      if (target === 0 && seen < this.spec.minA && car.connected && car.needWh > 0) {
        // Stopped by the set point: the pause starts.
        this.pauseUntilS = tS + this.spec.minPauseS;
      }
      this.actualA = target;
    } else if (target > this.actualA) {
      this.actualA = this.actualA === 0 ? Math.min(target, this.spec.minA) : Math.min(target, this.actualA + this.spec.rampUpAps);
    }
  }
}
