// The fail-safe ladder: when frames stop or go stale the answer holds briefly, drops to the safe
// current, then to 0 A; and before any data it says so.
import { createHeadroomState, stepHeadroom } from '../../decoders/headroom/index';
import type { MeterReading } from '../../decoders/reading';
import { T0, dsmr5, isoLocal, last, repeatFrames, run, settingsOf } from './readings';

const s = settingsOf({ fuseA: 25, marginA: 2 }); // stale 15 s, safe fallback 30 s at 6 A, zero 60 s

function settled(load: [number, number, number] = [10, 3, 1]) {
  return run(
    s,
    repeatFrames(61, 1, T0, (t) => dsmr5(t, load)),
  ); // last frame at T0 + 60 s
}
const LAST = T0 + 60000 + 300;

test('no data ever: status no-data, all 0, a hint about the port, no age', () => {
  const h = stepHeadroom(createHeadroomState(), { nowMs: T0 }, s).headroom;
  expect(h.status).toBe('no-data');
  expect(h.limitedBy).toBe('no-data');
  expect(h.ageS).toBeUndefined();
  expect(h.reason).toMatch(/port opened/);
  expect(h.threePhaseA).toBe(0);
  expect(h.onePhaseA).toBe(0);
  for (const l of [h.phases.l1, h.phases.l2, h.phases.l3]) {
    expect(l.headroomA).toBe(0);
    expect(l.currentA).toBeUndefined();
    expect(l.currentSource).toBe('unknown');
  }
});

test('a frame without any load data (only an energy register) is not data for headroom', () => {
  const r: MeterReading = { protocol: 'dlms', meterTime: isoLocal(T0, 60), energyImportWh: 123456 };
  expect(stepHeadroom(createHeadroomState(), { nowMs: T0, reading: r }, s).headroom.status).toBe('no-data');
});

describe('the ladder after data stops (ticks without frames)', () => {
  const { answers, state } = settled();
  const settledAnswer = last(answers);
  const at = (ageS: number) => stepHeadroom(state, { nowMs: LAST + ageS * 1000 }, s).headroom;

  test('settled first', () => {
    expect(settledAnswer.status).toBe('ok');
    expect(settledAnswer.threePhaseA).toBe(13);
  });

  const table: [number, string, string, number, number][] = [
    // ageS, status, limitedBy, threePhaseA, l1 headroomA
    [5, 'ok', 'fuse-l1', 13, 13],
    [15, 'ok', 'fuse-l1', 13, 13],
    [15.1, 'stale', 'stale-data', 13, 13],
    [30, 'stale', 'stale-data', 13, 13],
    [30.1, 'safe-fallback', 'stale-data', 6, 6],
    [60, 'safe-fallback', 'stale-data', 6, 6],
    [60.1, 'no-data', 'stale-data', 0, 0],
    [3600, 'no-data', 'stale-data', 0, 0],
  ];
  test.each(table)('age %p s: %s, limited by %s, %p A', (ageS, status, limitedBy, three, l1) => {
    const h = at(ageS);
    expect(h.status).toBe(status);
    expect(h.limitedBy).toBe(limitedBy);
    expect(h.threePhaseA).toBe(three);
    expect(h.phases.l1.headroomA).toBe(l1);
    expect(h.ageS).toBeCloseTo(ageS, 1);
    if (status !== 'ok') expect(h.reason).toMatch(/no new meter data for \d+ s/);
  });

  test('the safe fallback never raises a lower held answer', () => {
    const loaded = run(
      s,
      repeatFrames(61, 1, T0, (t) => dsmr5(t, [19, 19, 19])),
    ).state; // 4 A free -> 0
    const h = stepHeadroom(loaded, { nowMs: LAST + 40000 }, s).headroom;
    expect(h.status).toBe('safe-fallback');
    expect(h.threePhaseA).toBe(0);
    expect(h.phases.l1.headroomA).toBe(4);
  });

  test('safeCurrentA 0 stops at once when the fallback starts', () => {
    const s0 = settingsOf({ fuseA: 25, marginA: 2, safeCurrentA: 0 });
    const st = run(
      s0,
      repeatFrames(61, 1, T0, (t) => dsmr5(t, [10, 3, 1])),
    ).state;
    expect(stepHeadroom(st, { nowMs: LAST + 31000 }, s0).headroom.threePhaseA).toBe(0);
  });
});

describe('recovery', () => {
  test('after the ladder reached 0, charging restarts at the minimum and rises from there (no rise earned during the silence)', () => {
    let { state } = settled();
    state = stepHeadroom(state, { nowMs: LAST + 90000 }, s).state;
    const back = run(
      s,
      repeatFrames(11, 1, LAST + 91000, (t) => dsmr5(t, [10, 3, 1])),
      state,
    ).answers;
    const values = back.map((h) => h.threePhaseA);
    expect(values.slice(0, 5)).toEqual([6, 6, 6, 6, 6]);
    // 5 s of the time base later one rise of 0.4 A/s (the time base follows the meter's clock, a
    // little over 5 s here), then the next one 5 s after that.
    expect(values[5]).toBeGreaterThanOrEqual(8);
    expect(values[5]).toBeLessThan(8.5);
    expect(new Set(values.slice(5, 10)).size).toBe(1);
    expect(values[10]).toBeGreaterThanOrEqual(10);
    expect(back[0]?.status).toBe('ok');
  });

  test('the same when no tick ran during the silence (only frames drive the engine)', () => {
    const { state } = settled();
    const back = run(
      s,
      repeatFrames(6, 1, LAST + 90000, (t) => dsmr5(t, [10, 3, 1])),
      state,
    ).answers;
    expect(back.slice(0, 5).map((h) => h.threePhaseA)).toEqual([6, 6, 6, 6, 6]);
    expect(back[5]?.threePhaseA).toBeGreaterThanOrEqual(8);
    expect(back[5]?.threePhaseA).toBeLessThan(8.5);
  });

  test('a short gap (under the safe-fallback age) resumes from the held answer', () => {
    const { state } = settled();
    const back = run(
      s,
      repeatFrames(1, 1, LAST + 20000, (t) => dsmr5(t, [10, 3, 1])),
      state,
    ).answers;
    expect(back[0]?.threePhaseA).toBe(13);
  });
});

describe("age by the meter's own time", () => {
  test('a frozen meter repeating the same time stamp is not fresh data', () => {
    const { state } = settled();
    const frozen = dsmr5(T0 + 60000, [10, 3, 1]); // same meter time as the last frame
    let st = state;
    let h = stepHeadroom(st, { nowMs: LAST + 20000, reading: frozen }, s);
    expect(h.headroom.status).toBe('stale');
    st = h.state;
    h = stepHeadroom(st, { nowMs: LAST + 70000, reading: frozen }, s);
    expect(h.headroom.status).toBe('no-data');
    expect(h.headroom.threePhaseA).toBe(0);
  });

  test('a short and a full list stamped in the same second are both new data', () => {
    const it = settingsOf({ fuseA: 40, gridType: 'IT' });
    const t = T0;
    const a = stepHeadroom(
      createHeadroomState(),
      { nowMs: t + 200, reading: { protocol: 'dlms', frameKind: 'short', meterTime: isoLocal(t, 60), powerImportW: 2000 } },
      it,
    );
    const full: MeterReading = {
      protocol: 'dlms',
      frameKind: 'full',
      meterTime: isoLocal(t, 60),
      powerImportW: 2000,
      l1: { currentA: 9 },
      l3: { currentA: 8 },
    };
    const b = stepHeadroom(a.state, { nowMs: t + 700, reading: full }, it).headroom;
    expect(b.status).toBe('ok');
    expect(b.phases.l1.currentSource).toBe('measured');
  });

  test('frames delivered late (a bridge stalled 40 s, then bursts its buffer) count as old', () => {
    const { state } = settled();
    // The next frame (meter time 1 s after the last) arrives 40 s after the last.
    const late = dsmr5(T0 + 61000, [10, 3, 1]);
    const h = stepHeadroom(state, { nowMs: LAST + 40000, reading: late }, s);
    expect(h.headroom.status).toBe('safe-fallback');
    expect(h.headroom.ageS).toBeCloseTo(39, 0);
    expect(h.headroom.threePhaseA).toBe(6);
    // Once frames arrive on time again, the answer recovers (ramping up from the fallback).
    const back = run(
      s,
      repeatFrames(6, 1, T0 + 100000, (t) => dsmr5(t, [10, 3, 1])),
      h.state,
    ).answers;
    expect(back.map((a) => a.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(back.map((a) => a.threePhaseA)).toEqual([6, 6, 6, 6, 6, 8]); // from the fallback, at the normal rate
  });

  test('a time stamp going back a little (re-sent old frame) is not fresh data', () => {
    const { state } = settled();
    const h = stepHeadroom(state, { nowMs: LAST + 41000, reading: dsmr5(T0 + 21000, [1, 1, 1]) }, s).headroom;
    expect(h.status).toBe('safe-fallback');
    expect(h.ageS).toBeCloseTo(41, 0);
    expect(h.phases.l1.currentA).toBe(10);
  });

  test('meter clock 2 minutes off the box clock is fine (only changes of the delay count)', () => {
    const frames = repeatFrames(61, 1, T0, (t) => dsmr5(t - 120000, [10, 3, 1]));
    const h = last(run(s, frames).answers);
    expect(h.status).toBe('ok');
    expect(h.ageS).toBe(0);
    expect(h.threePhaseA).toBe(13);
  });

  test('a meter clock set back by an hour is a correction, not an hour of stale data', () => {
    const { state } = settled();
    const h = stepHeadroom(state, { nowMs: LAST + 1000, reading: dsmr5(T0 + 61000 - 3600000, [10, 3, 1]) }, s).headroom;
    expect(h.status).toBe('ok');
    expect(h.threePhaseA).toBe(13);
  });

  test('without a meter time, age is counted by arrival', () => {
    const noTime = (t: number): MeterReading => {
      const r = dsmr5(t, [10, 3, 1]);
      delete r.meterTime;
      return r;
    };
    const { state } = run(s, repeatFrames(61, 1, T0, noTime));
    expect(stepHeadroom(state, { nowMs: LAST + 20000 }, s).headroom.status).toBe('stale');
    expect(stepHeadroom(state, { nowMs: LAST + 61000 }, s).headroom.threePhaseA).toBe(0);
  });
});

test('box clock stepped forward 20 s: stale for a while, then the baseline absorbs it', () => {
  const { state } = settled();
  // Same meter cadence, but every arrival is now 20 s later by the box clock.
  const frames = repeatFrames(600, 1, T0 + 61000, (t) => dsmr5(t, [10, 3, 1])).map((f) => ({ ...f, nowMs: f.nowMs + 20000 }));
  const a = run(s, frames, state).answers;
  expect(a[0]?.status).toBe('stale');
  expect(a[0]?.ageS).toBeCloseTo(20, 0);
  const firstOk = a.findIndex((h) => h.status === 'ok');
  expect(firstOk).toBeGreaterThan(50);
  expect(firstOk).toBeLessThan(150); // (20 s - 15 s) / 50 ms per frame = 100 frames
  expect(last(a).status).toBe('ok');
  expect(last(a).threePhaseA).toBe(13);
});

test('a state that is not a version-1 state (corrupt, from another version) starts over safely', () => {
  for (const bad of [null, {}, { version: 2 }, { version: 1, lagMs: 'x' }, JSON.parse('{"version":1,"lagMs":0,"voltageV":[],"energy":{}}')]) {
    const h = stepHeadroom(bad as never, { nowMs: T0 }, s).headroom;
    expect(h.status).toBe('no-data');
    const f = stepHeadroom(bad as never, { nowMs: T0 + 300, reading: dsmr5(T0, [10, 3, 1]) }, s).headroom;
    expect(f.status).toBe('ok');
    expect(f.threePhaseA).toBe(6);
  }
});
