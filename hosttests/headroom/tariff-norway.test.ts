// Norwegian capacity tariff: hourly energies by local clock hour, daily maxima, the month's
// three-day average, register corrections at hh:00:00, month and DST boundaries, and the budget
// turned into amps.
import { createHeadroomState, stepHeadroom } from '../../decoders/headroom/index';
import type { Headroom, HeadroomState } from '../../decoders/headroom/index';
import type { MeterReading } from '../../decoders/reading';
import { hanItFull, isoLocal, settingsOf } from './readings';

const s = settingsOf({ fuseA: 63, gridType: 'IT', marginA: 3, tariff: { scheme: 'norway', stepsKwh: [2, 5, 10, 15, 20, 25] } });

// 2026 EU summer time: 29 March 01:00 UTC to 25 October 01:00 UTC (independent of the engine's rule).
const SUMMER_START = Date.UTC(2026, 2, 29, 1);
const SUMMER_END = Date.UTC(2026, 9, 25, 1);
const osloOffset = (utcMs: number) => (utcMs >= SUMMER_START && utcMs < SUMMER_END ? 120 : 60);

/** A Kaifa IT full list with its time stamp in local time; `withOffset` false = no offset sent (COSEM deviation unset). */
function frame(utcMs: number, powerW: number, extra: Partial<MeterReading> = {}, withOffset = true): MeterReading {
  const i = powerW / (Math.sqrt(3) * 230);
  const r = { ...hanItFull(utcMs, i, i, powerW, [230, 230, 230]), ...extra };
  const iso = isoLocal(utcMs, osloOffset(utcMs));
  r.meterTime = withOffset ? iso : iso.slice(0, 19);
  return r;
}

/** Frames every `stepS` from `fromUtc` to `toUtc` (exclusive), power from a profile. */
function feed(state: HeadroomState, fromUtc: number, toUtc: number, stepS: number, powerW: (utcMs: number) => number, withOffset = true) {
  let h: Headroom | undefined;
  for (let t = fromUtc; t < toUtc; t += stepS * 1000) {
    const r = stepHeadroom(state, { nowMs: t + 400, reading: frame(t, powerW(t), {}, withOffset) }, s);
    state = r.state;
    h = r.headroom;
  }
  return { state, h: h as Headroom };
}

const localMidnight = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) - osloOffset(Date.UTC(y, m - 1, d)) * 60000;

test('energy of the hour is integrated from power and restarts at the local hour', () => {
  const t0 = localMidnight(2026, 11, 23) + 18 * 3600000; // 18:00 local
  let { state, h } = feed(createHeadroomState(), t0, t0 + 30 * 60000 + 1, 10, () => 3600);
  expect(h.tariff?.hour).toBe('2026-11-23T18');
  expect(h.tariff?.hourEnergyWh).toBe(1800);
  ({ state, h } = feed(state, t0 + 30 * 60000 + 10000, t0 + 60 * 60000 + 30000 + 1, 10, () => 3600));
  expect(h.tariff?.hour).toBe('2026-11-23T19');
  expect(h.tariff?.hourEnergyWh).toBe(30);
  expect(h.tariff?.topDaysKwh).toEqual([3.6]);
});

test('an interval across the hour boundary is split between the two hours', () => {
  const t0 = localMidnight(2026, 11, 23) + 18 * 3600000 - 30000; // 17:59:30
  let st = createHeadroomState();
  st = stepHeadroom(st, { nowMs: t0, reading: frame(t0, 3600) }, s).state;
  const h = stepHeadroom(st, { nowMs: t0 + 60000, reading: frame(t0 + 60000, 3600) }, s).headroom; // 18:00:30
  expect(h.tariff?.hour).toBe('2026-11-23T18');
  expect(h.tariff?.hourEnergyWh).toBe(30);
  expect(h.tariff?.topDaysKwh).toEqual([0.03]);
});

test('the hourly register (list 3 at hh:00:00) corrects the hour that ended, not the new one', () => {
  const t0 = localMidnight(2026, 11, 23) + 18 * 3600000;
  let st = createHeadroomState();
  // Register at 18:00:00, then power (integration says 3.6 kWh), then register at 19:00:00 says 4.1 kWh.
  st = stepHeadroom(st, { nowMs: t0 + 400, reading: frame(t0, 3600, { energyImportWh: 1_000_000 }) }, s).state;
  ({ state: st } = feed(st, t0 + 10000, t0 + 3600000, 10, () => 3600));
  const r = stepHeadroom(st, { nowMs: t0 + 3600400, reading: frame(t0 + 3600000, 3600, { energyImportWh: 1_004_100 }) }, s);
  expect(r.headroom.tariff?.hour).toBe('2026-11-23T19');
  expect(r.headroom.tariff?.hourEnergyWh).toBe(0);
  expect(r.headroom.tariff?.topDaysKwh).toEqual([4.1]);
  expect(r.state.norway?.prevHourEnergyWh).toBeCloseTo(4100, 6);
});

test('DSMR-like register every frame: the register wins over integration within the hour', () => {
  const t0 = localMidnight(2026, 11, 23) + 10 * 3600000;
  let st = createHeadroomState();
  let h: Headroom | undefined;
  for (let i = 0; i <= 60; i++) {
    const t = t0 + i * 10000;
    // Power says 3600 W, the register says 7200 W worth (power sampled at a quiet moment).
    const r = stepHeadroom(st, { nowMs: t + 400, reading: frame(t, 3600, { energyImportWh: 500000 + i * 20 }) }, s);
    st = r.state;
    h = r.headroom;
  }
  expect(h?.tariff?.hourEnergyWh).toBe(1200);
});

describe('daily maxima and the month average', () => {
  // Three days in November with an evening peak hour of 4, 3 and 6 kWh (500 W otherwise).
  const start = localMidnight(2026, 11, 1);
  const profile = (t: number) => {
    const m = Math.floor((t - start) / 60000);
    const hour = Math.floor(m / 60) % 24;
    const day = Math.floor(m / 1440);
    return hour === 18 && day < 3 ? ([4000, 3000, 6000][day] as number) : 500;
  };
  const days = feed(createHeadroomState(), start, start + 3 * 86400000 + 12 * 3600000, 60, profile);

  test('three highest days, one value per day, largest first', () => {
    const t = days.h.tariff;
    expect(t?.topDaysKwh?.map((v) => Math.round(v * 10) / 10)).toEqual([6, 4, 3]);
    expect(t?.monthAverageKwh).toBeCloseTo(4.3, 1);
    expect(t?.stepKwh).toBe(5);
  });

  test('hour budget: min(T, 3T - a - b) with a, b the two highest other days', () => {
    // Day 4, 12:00: others 6 and 4 kWh, T = 5 -> min(5, 15 - 10) = 5 kWh.
    expect(days.h.tariff?.hourBudgetWh).toBeGreaterThan(4900);
    expect(days.h.tariff?.hourBudgetWh).toBeLessThanOrEqual(5000);
  });

  test('budget turned into amps (IT: sqrt(3) x 230 V three-phase, 230 V one-phase)', () => {
    const t0 = start + 3 * 86400000 + 12 * 3600000;
    // 12:30 with 2.5 kWh used and the house at 2 kW (no charger): 2.5 kWh left over 1800 s = 5 kW allowed.
    let st = days.state;
    ({ state: st } = feed(st, t0, t0 + 30 * 60000, 10, () => 5000));
    const r = stepHeadroom(st, { nowMs: t0 + 30 * 60000 + 400, reading: frame(t0 + 30 * 60000, 2000) }, s).headroom;
    const tar = r.tariff!;
    expect(tar.hourEnergyWh).toBeGreaterThan(2490);
    expect(tar.hourEnergyWh).toBeLessThan(2510);
    const allowedW = ((tar.hourBudgetWh! - tar.hourEnergyWh!) * 3600) / 1800;
    expect(tar.chargerBudgetW).toBeCloseTo(allowedW - 2000, -1);
    expect(tar.threePhaseA).toBeCloseTo(Math.floor((tar.chargerBudgetW! / (Math.sqrt(3) * 230)) * 10) / 10, 0);
    expect(tar.onePhaseA).toBeCloseTo(Math.floor((tar.chargerBudgetW! / 230) * 10) / 10, 0);
    expect(r.phases.l1.headroomA).toBeGreaterThan(tar.threePhaseA!);
  });

  test('the tariff binds when it allows less than the fuse, and says so', () => {
    const t0 = start + 3 * 86400000 + 12 * 3600000;
    let st = days.state;
    // 4.9 kWh of the 5 kWh already used at 12:50.
    ({ state: st } = feed(st, t0, t0 + 50 * 60000, 10, () => 5880));
    const settled = feed(st, t0 + 50 * 60000, t0 + 52 * 60000, 10, () => 1000).h;
    expect(settled.limitedBy).toBe('tariff');
    expect(settled.reason).toMatch(/capacity step 5 kWh\/h/);
    expect(settled.threePhaseA).toBeLessThan(6.1);
  });
});

test('month boundary: the maxima start again on the 1st (local time)', () => {
  const start = localMidnight(2026, 11, 30) + 20 * 3600000;
  const r = feed(createHeadroomState(), start, localMidnight(2026, 12, 1) + 30 * 60000 + 1, 60, () => 4000);
  expect(r.h.tariff?.hour).toBe('2026-12-01T00');
  expect(r.h.tariff?.topDaysKwh).toEqual([2]);
  expect(r.state.norway?.monthKey).toBe('2026-12');
  expect(Object.keys(r.state.norway?.dayMaxWh ?? {})).toEqual(['2026-12-01']);
});

describe('DST', () => {
  test('autumn (25-hour day, 25 October 2026): the repeated 02:00 hour is a new hour, with offsets sent', () => {
    const midnight = localMidnight(2026, 10, 25);
    const r1 = feed(createHeadroomState(), midnight, Date.UTC(2026, 9, 25, 0, 30), 60, () => 1000); // 02:30 +02:00
    expect(r1.h.tariff?.hour).toBe('2026-10-25T02');
    expect(r1.h.tariff?.hourEnergyWh).toBeCloseTo(483, -1);
    const r2 = feed(r1.state, Date.UTC(2026, 9, 25, 0, 30), Date.UTC(2026, 9, 25, 1, 30), 60, () => 1000); // 02:30 +01:00
    expect(r2.h.tariff?.hour).toBe('2026-10-25T02');
    expect(r2.h.tariff?.hourEnergyWh).toBeCloseTo(483, -1); // not 1.5 kWh: a separate hour
    // The day has 25 hours: 24 h later it is 01:30 on the 26th.
    const r3 = feed(r2.state, Date.UTC(2026, 9, 25, 1, 30), Date.UTC(2026, 9, 26, 0, 31), 60, () => 1000);
    expect(r3.h.tariff?.hour).toBe('2026-10-26T01');
    expect(r3.h.tariff?.topDaysKwh).toEqual([1, 1]);
  });

  test('autumn without offsets in the meter time: the repeated hour is told apart by the box clock', () => {
    const midnight = localMidnight(2026, 10, 25);
    const r1 = feed(createHeadroomState(), midnight, Date.UTC(2026, 9, 25, 0, 30), 60, () => 1000, false);
    const r2 = feed(r1.state, Date.UTC(2026, 9, 25, 0, 30), Date.UTC(2026, 9, 25, 1, 30), 60, () => 1000, false);
    expect(r2.h.tariff?.hour).toBe('2026-10-25T02');
    expect(r2.h.tariff?.hourEnergyWh).toBeCloseTo(483, -1);
    expect(r2.state.norway?.dayMaxWh['2026-10-25']).toBeLessThan(1100);
  });

  test('spring (23-hour day, 29 March 2026): 01:59 is followed by 03:00', () => {
    const midnight = localMidnight(2026, 3, 29);
    // Frames every minute at hh:mm:30; the one at 01:59:30 +01:00 is followed by 03:00:30 +02:00.
    const r1 = feed(createHeadroomState(), midnight + 30000, SUMMER_START - 29999, 60, () => 2000);
    expect(r1.h.tariff?.hour).toBe('2026-03-29T01');
    const r2 = feed(r1.state, SUMMER_START + 30000, SUMMER_START + 20 * 60000, 60, () => 2000);
    expect(r2.h.tariff?.hour).toBe('2026-03-29T03');
    expect(r2.h.tariff?.hourEnergyWh).toBeCloseTo(650, -1);
    // 21 more hours reach midnight: the 29th had 23 hours.
    const r3 = feed(r2.state, SUMMER_START + 20 * 60000, SUMMER_START + 21 * 3600000 + 30 * 60000 + 1, 60, () => 2000);
    expect(r3.h.tariff?.hour).toBe('2026-03-30T00');
    expect(r3.h.tariff?.topDaysKwh).toEqual([2, 1]);
  });
});

test('above the highest step there is nothing left to defend: no tariff cap', () => {
  const low = settingsOf({ fuseA: 63, gridType: 'IT', tariff: { scheme: 'norway', stepsKwh: [2] } });
  let st = createHeadroomState();
  const t0 = localMidnight(2026, 11, 23) + 18 * 3600000;
  let h: Headroom | undefined;
  for (let t = t0; t < t0 + 3600000; t += 60000) {
    const r = stepHeadroom(st, { nowMs: t, reading: frame(t, 5000) }, low);
    st = r.state;
    h = r.headroom;
  }
  expect(h?.tariff?.chargerBudgetW).toBeUndefined();
  expect(h?.tariff?.note).toMatch(/above the highest step/);
  expect(h?.limitedBy).not.toBe('tariff');
});

test('no calendar (no meter time, box clock not set): no tariff cap, and the answer says so', () => {
  const r: MeterReading = { protocol: 'dlms', powerImportW: 3000, l1: { currentA: 8 }, l3: { currentA: 8 } };
  const h = stepHeadroom(createHeadroomState(), { nowMs: 5000, reading: r }, s).headroom;
  expect(h.tariff?.note).toMatch(/no calendar/);
  expect(h.threePhaseA).toBe(6);
});

test('Aidon-like mix: unstamped list 1 between stamped list 2, meter clock 3 min behind the box', () => {
  const t0 = localMidnight(2026, 11, 23) + 18 * 3600000;
  const skew = 180000;
  let st = createHeadroomState();
  let h: Headroom | undefined;
  for (let ms = 0; ms <= 30 * 60000; ms += 2500) {
    const meterT = t0 + ms;
    const reading: MeterReading = ms % 10000 === 0 ? frame(meterT, 3600) : { protocol: 'dlms', frameKind: 'short', powerImportW: 3600 };
    const r = stepHeadroom(st, { nowMs: meterT + skew + 300, reading }, s);
    st = r.state;
    h = r.headroom;
  }
  expect(h?.tariff?.hour).toBe('2026-11-23T18');
  expect(h?.tariff?.hourEnergyWh).toBe(1800);
});

test('two meters stepped in turn give what each gives alone (the day-maxima memo is per object), and no state is written', () => {
  // The engine remembers the three highest other days by the day-maxima object and copies that
  // object on its first write of a step: interleaving two states with different histories, and
  // stepping an old state again, must give exactly what stepping each one alone gives.
  const start = localMidnight(2026, 11, 3);
  const profileA = (t: number) => 1500 + ((t / 60000) % 97) * 40;
  const profileB = (t: number) => 5000 - ((t / 60000) % 53) * 60;
  // Pairs of frames 30 s apart (energy is integrated over gaps up to 60 s), every 37 minutes.
  const times: number[] = [];
  for (let t = start; t < start + 5 * 86400000; t += 37 * 60000) times.push(t, t + 30000);
  const alone = (profile: (t: number) => number) => {
    let st = createHeadroomState();
    const out: string[] = [];
    for (const t of times) {
      const r = stepHeadroom(st, { nowMs: t + 400, reading: frame(t, profile(t)) }, s);
      st = r.state;
      out.push(JSON.stringify(r));
    }
    return out;
  };
  const soloA = alone(profileA);
  const soloB = alone(profileB);
  let a = createHeadroomState();
  let b = createHeadroomState();
  for (let k = 0; k < times.length; k++) {
    const t = times[k] as number;
    const beforeA = JSON.stringify(a);
    const ra = stepHeadroom(a, { nowMs: t + 400, reading: frame(t, profileA(t)) }, s);
    // The same old state stepped again (a retry) answers the same and leaves it as it was.
    expect(JSON.stringify(stepHeadroom(a, { nowMs: t + 400, reading: frame(t, profileA(t)) }, s))).toBe(JSON.stringify(ra));
    expect(JSON.stringify(a)).toBe(beforeA);
    const rb = stepHeadroom(b, { nowMs: t + 400, reading: frame(t, profileB(t)) }, s);
    expect(JSON.stringify(ra)).toBe(soloA[k]);
    expect(JSON.stringify(rb)).toBe(soloB[k]);
    a = ra.state;
    b = rb.state;
  }
  expect(Object.keys(a.norway?.dayMaxWh ?? {}).length).toBe(5);
});
