// OpenEVSE pushes (firmware/app/outputs/openevse-push.ts) through the app core with real captures,
// answered by a model of the OpenEVSE's /status handler and current shaper (charger-models.ts): in
// allowance mode the shaper's own formula must come out at the box's allowance.
import { ChargersOutput } from '../../firmware/app/outputs/chargers-output';
import type { ChargerSettings } from '../../firmware/app/outputs/outputs-settings';
import { PAUSE_EXTRA_W } from '../../firmware/app/outputs/openevse-push';
import { DSMR_EXPORT, DSMR_V5, harness } from './fixtures';
import { ScriptedClient } from './scripted-client';
import { newOpenevse, openevseHandle, openevseMaxCurrentA, openevsePaused } from './charger-models';
import type { OpenevseModel } from './charger-models';

function setup(charger: Omit<ChargerSettings, 'type' | 'url' | 'enabled'>, model: OpenevseModel, change?: Parameters<typeof harness>[1]) {
  let now = () => 0;
  const client = new ScriptedClient(
    () => now(),
    (req) => openevseHandle(model, req.method, req.body, now()),
  );
  const output = new ChargersOutput(client, () => now(), [
    { type: 'openevse', url: 'http://openevse.test', enabled: true, phases: 3, mode: 'import', ...charger },
  ]);
  // The allowances below are worked out with a 2 A margin (the engine's default is 0.5 A).
  const h = harness([output], (doc) => {
    doc.headroom.marginA = 2;
    change?.(doc);
  });
  now = h.now;
  return { h, client, model, status: () => (h.app.snapshot().outputs!.chargers!.pushes as Record<string, unknown>[])[0]! };
}

describe('OpenEVSE push', () => {
  test('import mode: POST /status {"shaper_live_pwr": import W} on every frame, JSON', () => {
    const s = setup({ maxPowerW: 11000 }, newOpenevse());
    s.h.feedDsmr(DSMR_V5);
    const req = s.client.sent[0]!.request;
    expect([req.method, req.url, req.contentType]).toEqual(['POST', 'http://openevse.test/status', 'application/json']);
    expect(JSON.parse(req.body!)).toEqual({ shaper_live_pwr: 244 });
    s.h.advance(1000);
    s.h.feedDsmr(DSMR_EXPORT); // exporting: no import
    expect(s.model.livePowerW).toBe(0);
    expect(s.model.posts).toHaveLength(2);
    expect(s.status().lastValue).toEqual({ shaper_live_pwr: 0, why: 'import' });
  });

  test('import mode without frames: every 30 s while held; past the ladder the pause value, which makes the shaper pause', () => {
    const s = setup({}, newOpenevse({ maxPowerW: 11000 }));
    s.h.feedDsmr(DSMR_V5);
    const t0 = s.h.now();
    s.h.advance(29_000);
    expect(s.model.posts).toHaveLength(1);
    s.h.advance(1000); // 30 s: keep-alive with the held value
    expect(s.model.posts.map((p) => p.atMs - t0)).toEqual([0, 30_000]);
    expect(s.model.livePowerW).toBe(244);
    s.h.advance(1000); // over 30 s: the ladder's safe-fallback step, sent at once
    expect(s.model.posts.map((p) => p.atMs - t0)).toEqual([0, 30_000, 31_000]);
    // no maxPowerW configured: fuse 25 A x 230 V x 3 + 75 kW
    expect(s.model.livePowerW).toBe(25 * 230 * 3 + PAUSE_EXTRA_W);
    expect(openevsePaused(s.model, s.h.now())).toBe(true);
    expect(s.status().state).toBe('paused');
  });

  test("allowance mode: the shaper's formula gives the box's allowance, with the OpenEVSE's own current handed to the engine", () => {
    // The car draws 3 A per line of the 4 A the meter sees on each line (Sagemcom T210-D capture).
    const s = setup({ mode: 'allowance', maxPowerW: 11000 }, newOpenevse({ ampsA: 3, voltageV: 231 }));
    for (let i = 0; i < 90; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    const snap = s.h.app.snapshot();
    // engine: fuse 25 - margin 2 - (4 A - 3 A own) = 22 A; without the own current it would be 19 A
    expect(snap.headroom.threePhaseA).toBeCloseTo(22, 5);
    expect(s.model.statusReads).toBeGreaterThan(10);
    expect(openevseMaxCurrentA(s.model)).toBeCloseTo(snap.headroom.threePhaseA, 2);
    expect(s.model.livePowerW).toBe(Math.round(11000 - (22 - 3) * 231 * 3));
    expect(s.status().chargerCurrentA).toBe(3);
    expect(s.status().chargerVoltageV).toBe(231);
  });

  test('allowance mode down the ladder: the safe current at 30 s (charging at the minimum), paused at 60 s', () => {
    const s = setup({ mode: 'allowance', maxPowerW: 11000 }, newOpenevse({ ampsA: 3 }));
    for (let i = 0; i < 60; i++) {
      s.h.feedDsmr(DSMR_EXPORT);
      s.h.advance(1000);
    }
    s.h.advance(31_000);
    expect(s.h.app.snapshot().headroom.status).toBe('safe-fallback');
    expect(openevseMaxCurrentA(s.model)).toBeCloseTo(6, 2);
    expect(openevsePaused(s.model, s.h.now())).toBe(false);
    s.h.advance(30_000);
    expect(s.h.app.snapshot().headroom.status).toBe('no-data');
    expect(s.model.livePowerW).toBe(11000 + PAUSE_EXTRA_W);
    expect(openevsePaused(s.model, s.h.now())).toBe(true);
    // the pause holds whatever the OpenEVSE draws (up to 100 A at 250 V): at most 0 A, below any minimum
    expect(openevseMaxCurrentA({ ...s.model, ampsA: 100, voltageV: 250 })!).toBeLessThanOrEqual(0);
  });

  test('allowance mode before any data: the pause value at once', () => {
    const s = setup({ mode: 'allowance', maxPowerW: 7400, phases: 1 }, newOpenevse({ maxPowerW: 7400, threePhase: false }));
    s.h.advance(1000);
    expect(s.model.livePowerW).toBe(7400 + PAUSE_EXTRA_W);
    expect(openevsePaused(s.model, s.h.now())).toBe(true);
  });

  test('an OpenEVSE that cannot parse the body: the error text in the status', () => {
    const s = setup({ maxPowerW: 11000 }, newOpenevse());
    s.client.answer = () => ({ status: 400, body: '{"msg":"Could not parse JSON"}' });
    s.h.feedDsmr(DSMR_V5);
    expect(s.status().lastError).toBe('HTTP 400');
  });
});
