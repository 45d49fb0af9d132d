/**
 * One closed-loop run, second by second: house -> car/charger -> lines -> metrics -> meter
 * frame -> controller -> charger set point. The controller is only called when the meter has
 * a frame slot (a frame, or a lost one), as on the device. Every model has its own seeded
 * stream, so all controllers see the same house, the same car visits and the same meter losses.
 */
import type { MetricsResult } from './metrics';
import { Metrics } from './metrics';
import type { Controller } from './controllers';
import type { HouseProfile, MeterKind } from './profiles';
import { Car, Charger } from './charger';
import { House } from './house';
import { FRAME_FULL, FRAME_LOST, FRAME_NONE, FRAME_SHORT, Meter, type MeterLossOptions, defaultLoss } from './meter';
import { lineCurrents, maxChargerA } from './wiring';

/** 2026-11-02 00:00 CET, a Monday in heating season. */
export const SIM_START_MS = Date.UTC(2026, 10, 1, 23, 0, 0);

export interface ControllerContext {
  profile: HouseProfile;
  /** The house's true slot currents (in phase, lagging), kept current by the simulator (for the oracle only). */
  houseSlotP: Float64Array;
  houseSlotQ: Float64Array;
}

export interface RunOptions {
  profile: HouseProfile;
  meterKind: MeterKind;
  days: number;
  seed: number;
  makeController: (ctx: ControllerContext) => Controller;
  loss?: MeterLossOptions;
  /** Called every second with the run's live view (one object, reused: copy what you keep). For diagnostics. */
  trace?: (view: SecondView) => void;
}

/** What a trace sees each second. */
export interface SecondView {
  tS: number;
  lineWithA: Float64Array;
  lineWithoutA: Float64Array;
  knownWithA: Float64Array;
  knownWithoutA: Float64Array;
  knownLost: boolean;
  chargerA: number;
  setpointA: number;
  connected: boolean;
  status: string | undefined;
}

export interface RunResult extends MetricsResult {
  controller: string;
  house: string;
  meter: MeterKind;
  days: number;
  seed: number;
  sessions: number;
  frames: number;
  lostFrames: number;
  elapsedMs: number;
  /** CPU time of the run (user + system), ms. */
  cpuMs: number;
}

export function runSimulation(o: RunOptions): RunResult {
  const started = Date.now();
  // CPU time as well as wall time: on a loaded machine the wall clock says little.
  const cpuStart = typeof process !== 'undefined' && process.cpuUsage ? process.cpuUsage() : undefined;
  const profile = o.profile;
  const spec = profile.charger;
  const v = profile.nominalV;
  const house = new House(profile, o.seed);
  const meter = new Meter(o.meterKind, profile, o.seed, o.loss ?? defaultLoss);
  const car = new Car(spec, o.seed);
  const charger = new Charger(spec);
  const metrics = new Metrics(profile.fuseA);
  const controller = o.makeController({ profile, houseSlotP: house.slotP, houseSlotQ: house.slotQ });
  const withSlots = new Float64Array(3);
  const withLines = new Float64Array(3);
  const withoutLines = new Float64Array(3);
  const sw = spec.slotWeights;
  const lw = spec.lineWeights;
  const wattsPerA = v * (sw[0] + sw[1] + sw[2]);
  // Per second s: the house's slot currents at the latest frame slot <= s, and whether that
  // slot's frame was lost (a ring over the last 16 s; the car's delay is at most a few seconds).
  const RING = 16;
  const slotSnap = new Float64Array(RING * 6);
  const slotSnapLost = new Uint8Array(RING);
  const lastSlot = new Float64Array(6);
  let lastSlotLost = 1;
  const knownSlots = new Float64Array(3);
  const knownQ = new Float64Array(3);
  const knownWith = new Float64Array(3);
  const knownWithout = new Float64Array(3);
  const totalS = Math.round(o.days * 86400);
  const view: SecondView | undefined = o.trace
    ? {
        tS: 0,
        lineWithA: withLines,
        lineWithoutA: withoutLines,
        knownWithA: knownWith,
        knownWithoutA: knownWithout,
        knownLost: false,
        chargerA: 0,
        setpointA: 0,
        connected: false,
        status: undefined,
      }
    : undefined;
  let frames = 0;
  let lost = 0;

  for (let t = 0; t < totalS; t++) {
    house.step(t);
    car.step(t);
    charger.step(t, car);
    const chargerA = charger.actualA;
    const hs = house.slotP;
    const hq = house.slotQ;
    // The charger is resistive: its current adds to the in-phase part of its slots.
    withSlots[0] = hs[0] + sw[0] * chargerA;
    withSlots[1] = hs[1] + sw[1] * chargerA;
    withSlots[2] = hs[2] + sw[2] * chargerA;
    lineCurrents(profile.wiring, withSlots, hq, withLines);
    lineCurrents(profile.wiring, hs, hq, withoutLines);

    // The car takes what the charger gives until its wish is met (the last second partly).
    let energyWh = (chargerA * wattsPerA) / 3600;
    if (energyWh > car.needWh) energyWh = car.needWh > 0 ? car.needWh : 0;
    car.needWh -= energyWh;

    let idealWh = 0;
    if (car.connected && car.idealNeedWh > 0) {
      let x = maxChargerA(profile.wiring, hs, hq, sw, profile.fuseA);
      x = Math.min(x, spec.maxA, spec.carMaxA);
      if (x >= spec.minA) idealWh = Math.min((x * wattsPerA) / 3600, car.idealNeedWh);
      car.idealNeedWh -= idealWh;
    }
    // The latest slot the charger can have reacted to by now: at or before t - delay - 1.
    const ks = t - car.delayS - 1;
    let kLost = true;
    if (ks >= 0) {
      const i = (ks % RING) * 6;
      for (let k = 0; k < 3; k++) {
        knownSlots[k] = slotSnap[i + k];
        knownQ[k] = slotSnap[i + 3 + k];
      }
      kLost = slotSnapLost[ks % RING] === 1;
    } else {
      knownSlots.fill(0);
      knownQ.fill(0);
    }
    lineCurrents(profile.wiring, knownSlots, knownQ, knownWithout);
    knownSlots[0] += sw[0] * chargerA;
    knownSlots[1] += sw[1] * chargerA;
    knownSlots[2] += sw[2] * chargerA;
    lineCurrents(profile.wiring, knownSlots, knownQ, knownWith);
    metrics.addSecond(withLines, withoutLines, energyWh * 3600, idealWh * 3600, controller.status, knownWith, knownWithout, kLost);
    if (view) {
      view.tS = t;
      view.knownLost = kLost;
      view.chargerA = chargerA;
      view.setpointA = charger.setpointA;
      view.connected = car.connected;
      view.status = controller.status;
      o.trace?.(view);
    }

    const frame = meter.poll(t);
    if (frame !== FRAME_NONE) {
      for (let k = 0; k < 3; k++) {
        lastSlot[k] = hs[k];
        lastSlot[3 + k] = hq[k];
      }
      lastSlotLost = frame === FRAME_LOST ? 1 : 0;
    }
    const si = (t % RING) * 6;
    for (let k = 0; k < 6; k++) slotSnap[si + k] = lastSlot[k];
    slotSnapLost[t % RING] = lastSlotLost;
    if (frame === FRAME_NONE) continue;
    if (frame === FRAME_LOST) lost++;
    else frames++;
    const reading = frame === FRAME_FULL || frame === FRAME_SHORT ? meter.reading(frame, withLines, withSlots, hq) : undefined;
    const reported: [number, number, number] = [lw[0] * chargerA, lw[1] * chargerA, lw[2] * chargerA];
    const allowanceA = controller.onFrame(SIM_START_MS + t * 1000, reading, reported);
    const setpointA = Charger.setpointFor(spec, allowanceA);
    charger.command(setpointA);
    metrics.setpoint(setpointA, t);
  }

  return {
    controller: controller.name,
    house: profile.id,
    meter: o.meterKind,
    days: o.days,
    seed: o.seed,
    sessions: car.sessions,
    frames,
    lostFrames: lost,
    elapsedMs: Date.now() - started,
    cpuMs: cpuStart
      ? (() => {
          const u = process.cpuUsage(cpuStart);
          return Math.round((u.user + u.system) / 1000);
        })()
      : 0,
    ...metrics.result(),
  };
}
