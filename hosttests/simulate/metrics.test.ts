// The simulator's metrics on hand-made seconds: what counts as charger-caused overload, how long
// runs are measured, how energy integrates, and what "beyond the meter interval" means.
import { Metrics } from '../../tools/simulate/metrics';

const FUSE = 25;

function seconds(m: Metrics, n: number, withA: number[], withoutA: number[], powerW = 0, idealW = 0, status?: string) {
  for (let i = 0; i < n; i++) m.addSecond(withA, withoutA, powerW, idealW, status);
}

describe('charger-caused overload', () => {
  test('a constant 2 A over the fuse for 10 s, caused by the charger, is 20 A*s', () => {
    const m = new Metrics(FUSE);
    seconds(m, 10, [27, 10, 10], [20, 10, 10]);
    const r = m.result();
    expect(r.chargerOverloadAs).toBeCloseTo(20, 9);
    expect(r.overloadSeconds).toBe(10);
    expect(r.longestOverloadS).toBe(10);
    expect(r.peakOverloadA).toBeCloseTo(2, 9);
    expect(r.houseOverloadAs).toBe(0);
  });

  test('a charger at 0 causes nothing, even when the house alone is over the fuse', () => {
    const m = new Metrics(FUSE);
    seconds(m, 30, [28, 26, 10], [28, 26, 10]);
    const r = m.result();
    expect(r.chargerOverloadAs).toBe(0);
    expect(r.overloadSeconds).toBe(0);
    expect(r.longestOverloadS).toBe(0);
    expect(r.houseOverloadAs).toBeCloseTo(30 * 3, 9); // the worst line, 3 A, for 30 s
  });

  test('only the part the charger adds counts when the house is already over', () => {
    const m = new Metrics(FUSE);
    seconds(m, 5, [29, 10, 10], [27, 10, 10]);
    expect(m.result().chargerOverloadAs).toBeCloseTo(5 * 2, 9);
  });

  test('the worst line counts, not the sum of lines (a one-phase IT charger loads two lines)', () => {
    const m = new Metrics(FUSE);
    seconds(m, 4, [26, 27, 10], [20, 21, 10]);
    expect(m.result().chargerOverloadAs).toBeCloseTo(4 * 2, 9);
  });

  test('longest overload is the longest unbroken run', () => {
    const m = new Metrics(FUSE);
    seconds(m, 3, [26, 0, 0], [20, 0, 0]);
    seconds(m, 1, [25, 0, 0], [20, 0, 0]); // exactly at the fuse: no overload
    seconds(m, 5, [26, 0, 0], [20, 0, 0]);
    seconds(m, 2, [20, 0, 0], [20, 0, 0]);
    const r = m.result();
    expect(r.overloadSeconds).toBe(8);
    expect(r.longestOverloadS).toBe(5);
    expect(r.chargerOverloadAs).toBeCloseTo(8, 9);
  });
});

describe('beyond the meter interval', () => {
  test('an overload the last usable frame could not show is not beyond the interval', () => {
    const m = new Metrics(FUSE);
    // The house rose after the last frame the charger could react to: at that frame, house 10 A +
    // charger 14 A = 24 A fit; now the house is 14 A and the total 28 A does not.
    for (let i = 0; i < 4; i++) m.addSecond([28, 0, 0], [14, 0, 0], 0, 0, undefined, [24, 0, 0], [10, 0, 0], false);
    const r = m.result();
    expect(r.chargerOverloadAs).toBeCloseTo(12, 9);
    expect(r.beyondIntervalAs).toBe(0);
  });

  test('an overload the last usable frame already showed is beyond the interval', () => {
    const m = new Metrics(FUSE);
    for (let i = 0; i < 4; i++) m.addSecond([28, 0, 0], [14, 0, 0], 0, 0, undefined, [27, 0, 0], [13, 0, 0], false);
    const r = m.result();
    expect(r.beyondIntervalAs).toBeCloseTo(8, 9); // known 2 A over, actual 3 A: 2 A counts
    expect(r.beyondIntervalSeconds).toBe(4);
    expect(r.lostFrameAs).toBe(0);
  });

  test('when the frame that would have shown it was lost, it counts as lost-frame overload instead', () => {
    const m = new Metrics(FUSE);
    for (let i = 0; i < 3; i++) m.addSecond([27, 0, 0], [14, 0, 0], 0, 0, undefined, [27, 0, 0], [14, 0, 0], true);
    expect(m.result().beyondIntervalAs).toBe(0);
    expect(m.result().lostFrameAs).toBeCloseTo(6, 9);
    expect(m.result().chargerOverloadAs).toBeCloseTo(6, 9);
  });
});

describe('energy, set points, status', () => {
  test('energy integrates power per second: 11 kW for an hour is 11 kWh', () => {
    const m = new Metrics(FUSE);
    seconds(m, 3600, [16, 16, 16], [0, 0, 0], 11040, 11040);
    seconds(m, 1800, [0, 0, 0], [0, 0, 0], 0, 11040);
    const r = m.result();
    expect(r.energyWh).toBeCloseTo(11040, 6);
    expect(r.idealEnergyWh).toBeCloseTo(11040 * 1.5, 6);
    expect(r.energyRatio).toBeCloseTo(1 / 1.5, 9);
    expect(r.seconds).toBe(5400);
  });

  test('set-point changes count changes only; quick ones came less than 5 s after the one before', () => {
    const m = new Metrics(FUSE);
    // One set point per second.
    [0, 0, 16, 16, 10, 10, 10, 0, 6].forEach((a, t) => m.setpoint(a, t));
    expect(m.result().setpointChanges).toBe(4);
    expect(m.result().quickChanges).toBe(3); // 16 at 2 s, then 10 at 4 s, 0 at 7 s, 6 at 8 s
    const slow = new Metrics(FUSE);
    [16, 10, 16].forEach((a, k) => slow.setpoint(a, 10 + k * 5));
    expect(slow.result().quickChanges).toBe(0); // 5 s apart is not quick
  });

  test('time per status', () => {
    const m = new Metrics(FUSE);
    seconds(m, 7, [0, 0, 0], [0, 0, 0], 0, 0, 'ok');
    seconds(m, 3, [0, 0, 0], [0, 0, 0], 0, 0, 'stale');
    expect(m.result().statusS).toEqual({ ok: 7, stale: 3 });
  });
});
