// The simulator's models: meter cadence and losses, the charger's delay, minimum and pause, the
// house's reproducibility, and whole runs (same seed, same numbers; the oracle never goes beyond
// the meter interval; a charger that ignores the fuse overloads it).
import { Car, Charger } from '../../tools/simulate/charger';
import { createGapController, createOracleController, type Controller } from '../../tools/simulate/controllers';
import { House } from '../../tools/simulate/house';
import { FRAME_FULL, FRAME_LOST, FRAME_NONE, FRAME_SHORT, Meter, noLoss } from '../../tools/simulate/meter';
import { nlTnHouse, noItHouse } from '../../tools/simulate/profiles';
import { runSimulation } from '../../tools/simulate/run';

function framesOver(meter: Meter, seconds: number): number[] {
  const kinds: number[] = [];
  for (let t = 0; t < seconds; t++) kinds.push(meter.poll(t));
  return kinds;
}

describe('meter cadence', () => {
  test('DSMR 5: a full telegram every second; DSMR 4: every 10 s', () => {
    expect(framesOver(new Meter('dsmr5', nlTnHouse, 1, noLoss), 20).every((k) => k === FRAME_FULL)).toBe(true);
    const d4 = framesOver(new Meter('dsmr4', nlTnHouse, 1, noLoss), 60);
    expect(d4.flatMap((k, t) => (k === FRAME_FULL ? [t] : []))).toEqual([0, 10, 20, 30, 40, 50]);
    expect(d4.filter((k) => k !== FRAME_NONE && k !== FRAME_FULL)).toEqual([]);
  });

  test('Kaifa HAN: short lists every 2 s, the full list every 10 s in place of a short one', () => {
    const k = framesOver(new Meter('han-kaifa', noItHouse, 1, noLoss), 30);
    expect(k.flatMap((x, t) => (x === FRAME_FULL ? [t] : []))).toEqual([0, 10, 20]);
    expect(k.flatMap((x, t) => (x === FRAME_SHORT ? [t] : []))).toEqual([2, 4, 6, 8, 12, 14, 16, 18, 22, 24, 26, 28]);
  });

  test('Aidon HAN: short lists every 2.5 s on average', () => {
    const k = framesOver(new Meter('han-aidon', noItHouse, 1, noLoss), 100);
    expect(k.filter((x) => x === FRAME_FULL).length).toBe(10);
    expect(k.filter((x) => x === FRAME_SHORT).length).toBe(30); // 40 slots of 2.5 s, 10 taken by full lists
  });

  test('Kaifa on IT leaves out the L2 current and sends U2 as 0 V; full lists carry active and reactive power, short frames power only', () => {
    const m = new Meter('han-kaifa', noItHouse, 1, noLoss);
    const full = m.reading(FRAME_FULL, [10.1234, 12, 3], [5, 5, 5], [1, 0, 0.5]);
    expect(full.l1?.currentA).toBeCloseTo(10.123, 6);
    expect(full.l2?.currentA).toBeUndefined();
    expect(full.l2?.voltageV).toBe(0);
    expect(full.l3?.currentA).toBe(3);
    expect(full.threeWire).toBe(true);
    expect(full.powerImportW).toBe(Math.round(15 * 230));
    expect(full.reactivePowerImportVar).toBe(Math.round(1.5 * 230));
    expect(full.reactivePowerExportVar).toBe(0);
    const short = m.reading(FRAME_SHORT, [10, 12, 3], [5, 5, 5], [1, 0, 0.5]);
    expect(short.frameKind).toBe('short');
    expect(short.l1).toBeUndefined();
    expect(short.reactivePowerImportVar).toBeUndefined();
    expect(short.powerImportW).toBe(3450);
  });

  test('Aidon on IT leaves out the L2 current too (the 6525 captures), with all three voltages; leading loads show as reactive export', () => {
    const full = new Meter('han-aidon', noItHouse, 1, noLoss).reading(FRAME_FULL, [10.16, 12, 3], [5, 5, 5], [-2, 0, 0]);
    expect(full.l1?.currentA).toBe(10.2);
    expect(full.l2?.currentA).toBeUndefined();
    expect(full.l2?.voltageV).toBeGreaterThan(200);
    expect(full.reactivePowerExportVar).toBe(460);
    expect(full.reactivePowerImportVar).toBe(0);
  });

  test('DSMR currents are whole amperes, cut down; each line sends its own active power', () => {
    const r = new Meter('dsmr5', nlTnHouse, 1, noLoss).reading(FRAME_FULL, [10.6, 2.2, 0], [10.6, 2.2, 0], [0, 0, 0]);
    expect([r.l1?.currentA, r.l2?.currentA, r.l3?.currentA]).toEqual([10, 2, 0]);
    expect(r.l1?.powerImportW).toBe(Math.round(10.6 * 230));
    expect(r.reactivePowerImportVar).toBeUndefined();
  });

  test('losses are seeded: the same seed loses the same frames', () => {
    const a = framesOver(new Meter('dsmr5', nlTnHouse, 7), 5 * 86400);
    const b = framesOver(new Meter('dsmr5', nlTnHouse, 7), 5 * 86400);
    const lostA = a.filter((k) => k === FRAME_LOST).length;
    expect(lostA).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});

describe('charger and car', () => {
  function connectedCar(): Car {
    const car = new Car(nlTnHouse.charger, 1);
    car.connected = true;
    car.needWh = 1e9;
    car.delayS = 3;
    return car;
  }

  test('the set point is followed after the car delay, up with the ramp and down at once', () => {
    const car = connectedCar();
    const ch = new Charger(nlTnHouse.charger);
    const seen: number[] = [];
    ch.command(16);
    for (let t = 0; t < 10; t++) {
      ch.step(t, car);
      seen.push(ch.actualA);
    }
    // Commanded before t=0; the car sees it from t=3: starts at 6 A, then +4 A/s up to 16 A.
    expect(seen).toEqual([0, 0, 0, 6, 10, 14, 16, 16, 16, 16]);
    ch.command(8);
    const down: number[] = [];
    for (let t = 10; t < 15; t++) {
      ch.step(t, car);
      down.push(ch.actualA);
    }
    expect(down).toEqual([16, 16, 16, 8, 8]);
  });

  test('under the minimum it stops, and does not start again before the pause is over', () => {
    const car = connectedCar();
    const ch = new Charger(nlTnHouse.charger);
    ch.command(10);
    let t = 0;
    for (; t < 10; t++) ch.step(t, car);
    expect(ch.actualA).toBe(10);
    ch.command(0);
    for (; t < 20; t++) ch.step(t, car);
    expect(ch.actualA).toBe(0);
    ch.command(16);
    const stoppedAt = 10 + car.delayS;
    for (; t < stoppedAt + nlTnHouse.charger.minPauseS; t++) {
      ch.step(t, car);
      expect(ch.actualA).toBe(0);
    }
    for (; t < stoppedAt + nlTnHouse.charger.minPauseS + 10; t++) ch.step(t, car);
    expect(ch.actualA).toBe(16);
  });

  test('allowances turn into whole-ampere set points within the charger range', () => {
    const s = nlTnHouse.charger;
    expect(Charger.setpointFor(s, 5.99)).toBe(0);
    expect(Charger.setpointFor(s, Number.NaN)).toBe(0);
    expect(Charger.setpointFor(s, 6)).toBe(6);
    expect(Charger.setpointFor(s, 12.7)).toBe(12);
    expect(Charger.setpointFor(s, 40)).toBe(16);
  });

  test('a car arrives and leaves over a week, most days', () => {
    const car = new Car(noItHouse.charger, 3);
    let connectedS = 0;
    for (let t = 0; t < 7 * 86400; t++) {
      car.step(t);
      if (car.connected) connectedS++;
    }
    expect(car.sessions).toBeGreaterThanOrEqual(3);
    expect(car.sessions).toBeLessThanOrEqual(7);
    expect(connectedS).toBeGreaterThan(car.sessions * 3600);
  });
});

describe('house', () => {
  test('the same seed gives the same load, another seed another', () => {
    const trace = (seed: number) => {
      const h = new House(noItHouse, seed);
      let sum = 0;
      const samples: number[] = [];
      for (let t = 0; t < 86400; t++) {
        h.step(t);
        sum += h.slotP[0] + h.slotP[1] + h.slotP[2];
        if (t % 3600 === 0) samples.push(h.slotP[1], h.slotQ[1]);
      }
      return { sum, samples };
    };
    expect(trace(5)).toEqual(trace(5));
    expect(trace(6).sum).not.toBe(trace(5).sum);
  });

  test.each([
    ['no-it', noItHouse, 40000, 90000], // electric panel heating, November
    ['nl-tn', nlTnHouse, 15000, 50000], // heat pump, November
  ] as const)('%s draws a plausible energy per November day', (_name, profile, minWhPerDay, maxWhPerDay) => {
    const h = new House(profile, 1);
    let wh = 0;
    for (let t = 0; t < 3 * 86400; t++) {
      h.step(t);
      wh += ((h.slotP[0] + h.slotP[1] + h.slotP[2]) * 230) / 3600;
    }
    expect(wh / 3).toBeGreaterThan(minWhPerDay);
    expect(wh / 3).toBeLessThan(maxWhPerDay);
  });
});

describe('whole runs', () => {
  const base = { profile: nlTnHouse, meterKind: 'dsmr5' as const, days: 2 };
  const strip = (r: object) => ({ ...r, elapsedMs: 0, cpuMs: 0 });

  test('the same seed gives the same numbers; another seed other numbers', () => {
    const a = runSimulation({ ...base, seed: 11, makeController: () => createGapController(nlTnHouse) });
    const b = runSimulation({ ...base, seed: 11, makeController: () => createGapController(nlTnHouse) });
    const c = runSimulation({ ...base, seed: 12, makeController: () => createGapController(nlTnHouse) });
    expect(strip(a)).toEqual(strip(b));
    expect(a.energyWh).toBeGreaterThan(0);
    expect(c.energyWh).not.toBe(a.energyWh);
  });

  test('the oracle (true currents at every frame slot, no margin) never goes beyond the interval', () => {
    for (const profile of [nlTnHouse, noItHouse]) {
      const r = runSimulation({
        profile,
        meterKind: profile.meters[0]!,
        days: 3,
        seed: 2,
        makeController: (ctx) => createOracleController(profile, ctx.houseSlotP, ctx.houseSlotQ),
      });
      expect(r.beyondIntervalAs).toBe(0);
      expect(r.energyRatio).toBeGreaterThan(0.9);
    }
  });

  test('a charger that ignores the fuse overloads it, far beyond the interval', () => {
    const always: Controller = { name: 'max', onFrame: () => 99 };
    const r = runSimulation({ profile: noItHouse, meterKind: 'han-kaifa', days: 3, seed: 2, makeController: () => always });
    expect(r.chargerOverloadAs).toBeGreaterThan(1000);
    expect(r.beyondIntervalAs).toBeGreaterThan(1000);
    expect(r.longestOverloadS).toBeGreaterThan(60);
  });

  test('a charger held at 0 delivers nothing and overloads nothing', () => {
    const off: Controller = { name: 'off', onFrame: () => 0 };
    const r = runSimulation({ profile: noItHouse, meterKind: 'han-kaifa', days: 2, seed: 2, makeController: () => off });
    expect(r.chargerOverloadAs).toBe(0);
    expect(r.energyWh).toBe(0);
    expect(r.idealEnergyWh).toBeGreaterThan(0);
    expect(r.setpointChanges).toBe(0);
  });
});
