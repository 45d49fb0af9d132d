// go-e pushes (firmware/app/outputs/goe-push.ts) through the app core with real captures, answered by
// a model of the go-e HTTP API v2 (charger-models.ts): amp in whole amps, frc 1 to pause and 0 to
// resume, only on change and at most every 5 s, the charger's own currents back to the engine.
import { ChargersOutput } from '../../firmware/app/outputs/chargers-output';
import type { ChargerSettings } from '../../firmware/app/outputs/outputs-settings';
import { DSMR_EXPORT, harness } from './fixtures';
import { ScriptedClient } from './scripted-client';
import { goeHandle, newGoe, queryOf } from './charger-models';
import type { GoeModel } from './charger-models';

function setup(model: GoeModel, charger: Partial<ChargerSettings> = {}, change?: Parameters<typeof harness>[1]) {
  let now = () => 0;
  const client = new ScriptedClient(
    () => now(),
    (req) => {
      const path = req.url.replace('http://goe.test', '').split('?')[0]!;
      return goeHandle(model, path, queryOf(req.url), now());
    },
  );
  const output = new ChargersOutput(client, () => now(), [{ type: 'goe', url: 'http://goe.test', enabled: true, phases: 3, ...charger }]);
  // The allowances below are worked out with a 2 A margin (the engine's default is 0.5 A).
  const h = harness([output], (doc) => {
    doc.headroom.marginA = 2;
    change?.(doc);
  });
  now = h.now;
  const sets = () => client.sent.filter((s) => s.request.url.indexOf('/api/set?') > 0).map((s) => ({ t: s.atMs, url: s.request.url.split('?')[1] }));
  return { h, client, model, output, sets, status: () => (h.app.snapshot().outputs!.chargers!.pushes as Record<string, unknown>[])[0]! };
}

describe('go-e push', () => {
  test('paused (frc=1) before any data; then amp = the allowance floored to whole amps with frc=0, changed at most every 5 s', () => {
    const s = setup(newGoe({ currentsA: [0, 0, 0] }));
    s.h.advance(1000);
    expect(s.sets()[0]!.url).toBe('frc=1');
    expect(s.model.frc).toBe(1);
    const t0 = s.h.now();
    for (let i = 0; i < 60; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    const after = s.sets().filter((x) => x.t > t0);
    expect(after[0]!.url).toMatch(/^amp=\d+&frc=0$/);
    for (let i = 1; i < after.length; i++) {
      expect(after[i]!.t - after[i - 1]!.t).toBeGreaterThanOrEqual(5000);
      expect(after[i]!.url).toMatch(/^amp=\d+$/); // frc only when it changes
    }
    const allowance = s.h.app.snapshot().headroom.threePhaseA;
    expect(allowance).toBeCloseTo(19, 5); // 25 - 2 - 4 A on each line, the car not drawing
    expect(s.model.amp).toBe(Math.floor(allowance));
    expect(s.model.frc).toBe(0);
    // the ramp (0.4 A/s) brought several changes, not one per frame
    expect(after.length).toBeLessThan(15);
    expect(s.status().lastValue).toEqual({ amp: s.model.amp });
  });

  test('nothing sent while the wanted value is what the charger has; a charger changed by hand (seen in a poll) is corrected', () => {
    const s = setup(newGoe());
    for (let i = 0; i < 80; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    const n = s.sets().length;
    for (let i = 0; i < 20; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    expect(s.sets().length).toBe(n);
    expect(s.model.polls).toBeGreaterThan(15); // every 5 s
    s.model.amp = 32; // someone turned it up in the app
    for (let i = 0; i < 12; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    expect(s.model.amp).toBe(19);
    expect(s.sets().length).toBe(n + 1);
  });

  test("the charger's own currents (nrg) go to the engine: the allowance is what it may draw in total", () => {
    // Sagemcom capture: 4 A on each line; the car draws 3 A of it.
    const s = setup(newGoe({ currentsA: [3, 3.1, 3.2] }));
    for (let i = 0; i < 90; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    // 25 - 2 - (4 - 3) = 22, the smallest line current of the charger taken on every line
    expect(s.h.app.snapshot().headroom.threePhaseA).toBeCloseTo(22, 5);
    expect(s.model.amp).toBe(22);
    expect(s.status().chargerCurrentA).toEqual([3, 3.1, 3.2]);
  });

  test("one-phase go-e: its current goes on the chargerLine setting's line only, and it takes onePhaseA", () => {
    const s = setup(newGoe({ currentsA: [5, 0, 0] }), { phases: 1 }, (doc) => {
      doc.headroom.chargerLine = 'L2';
      doc.headroom.chargerPhases = 1;
    });
    for (let i = 0; i < 90; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    const h = s.h.app.snapshot().headroom;
    expect(h.onePhaseLine).toBe('L2');
    // L2: 25 - 2 - max(0, 4 - 5) = 23
    expect(h.onePhaseA).toBeCloseTo(23, 5);
    expect(s.model.amp).toBe(23);
  });

  test('an own current older than 15 s is not used (the car counts as house load again)', () => {
    const model = newGoe({ currentsA: [3, 3, 3] });
    const s = setup(model);
    // 90 s: the engine rises at most once every 5 s (riseIntervalS), so the ramp takes over a minute.
    for (let i = 0; i < 90; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    expect(s.h.app.snapshot().headroom.threePhaseA).toBeCloseTo(22, 5);
    s.client.answer = (req) => (req.url.indexOf('/api/status') > 0 ? { error: 'timeout' } : { status: 200, body: '{"amp":true}' });
    for (let i = 0; i < 40; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    expect(s.h.app.snapshot().headroom.threePhaseA).toBeCloseTo(19, 5);
  });

  test('down the ladder: the safe current at 30 s, paused (frc=1) past 60 s', () => {
    const s = setup(newGoe());
    for (let i = 0; i < 60; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    s.h.advance(36_000);
    expect(s.h.app.snapshot().headroom.status).toBe('safe-fallback');
    expect(s.model.amp).toBe(6);
    expect(s.model.frc).toBe(0);
    s.h.advance(30_000);
    expect(s.h.app.snapshot().headroom.status).toBe('no-data');
    expect(s.model.frc).toBe(1);
    expect(s.status().state).toBe('paused');
  });

  test("the charger's ama caps amp; a refused key is an error naming it", () => {
    const s = setup(newGoe({ ama: 16 }));
    for (let i = 0; i < 60; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    expect(s.model.amp).toBe(16);
    const model = s.model;
    s.client.answer = (req) =>
      req.url.indexOf('/api/set') > 0 ? { status: 200, body: '{"amp":"value out of range"}' } : goeHandle(model, '/api/status', queryOf(req.url), s.h.now());
    s.model.amp = 10;
    s.h.advance(10_000);
    expect(s.status().lastError).toBe('the go-e refused amp: value out of range');
  });
});
