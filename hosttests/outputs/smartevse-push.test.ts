// SmartEVSE pushes (firmware/app/outputs/smartevse-push.ts) through the app core with real captures,
// answered by the SmartEVSE's own /currents handler (charger-models.ts).
import { ChargersOutput } from '../../firmware/app/outputs/chargers-output';
import type { ChargerSettings } from '../../firmware/app/outputs/outputs-settings';
import { AIDON_IT_LIST2, DSMR_EXPORT, DSMR_V5, harness } from './fixtures';
import { ScriptedClient } from './scripted-client';
import { newSmartevse, queryOf, smartevseCurrents, smartevseNoComm } from './charger-models';

const SMARTEVSE: ChargerSettings = { type: 'smartevse', url: 'http://smartevse.test', enabled: true };

function setup(change?: Parameters<typeof harness>[1], apiMode = true) {
  const model = newSmartevse(apiMode);
  let now = () => 0;
  const client = new ScriptedClient(
    () => now(),
    (req) => ({ status: 200, body: smartevseCurrents(model, queryOf(req.url), now()) }),
  );
  const output = new ChargersOutput(client, () => now(), [SMARTEVSE]);
  const h = harness([output], change);
  now = h.now;
  return { h, model, client, output, status: () => (h.app.snapshot().outputs!.chargers!.pushes as Record<string, unknown>[])[0]! };
}

describe('SmartEVSE push', () => {
  test('every frame: POST /currents with the engine currents in deci-amps, empty body', () => {
    const s = setup();
    s.h.feedDsmr(DSMR_V5);
    const snap = s.h.app.snapshot();
    expect(s.client.sent).toHaveLength(1);
    const req = s.client.sent[0]!.request;
    expect(req.method).toBe('POST');
    expect(req.body).toBe('');
    expect(req.url.startsWith('http://smartevse.test/currents?')).toBe(true);
    const tenths = (a: number | undefined) => Math.round(a! * 10);
    expect(s.model.irmsDa).toEqual([
      tenths(snap.headroom.phases.l1.currentA),
      tenths(snap.headroom.phases.l2.currentA),
      tenths(snap.headroom.phases.l3.currentA),
    ]);
    expect(s.status().lastValue).toEqual({ L1: s.model.irmsDa![0], L2: s.model.irmsDa![1], L3: s.model.irmsDa![2], unit: 'dA' });
    expect(s.status().lastSuccessMs).toBe(s.h.now());
    s.h.advance(1000);
    s.h.feedDsmr(DSMR_V5);
    expect(s.model.posts).toHaveLength(2);
  });

  test('exporting lines are sent negative (SmartEVSE takes the sign as the direction)', () => {
    const s = setup();
    s.h.feedDsmr(DSMR_EXPORT);
    expect(s.model.irmsDa!.every((dA) => dA < 0)).toBe(true);
    expect(s.model.irmsDa).toEqual([-40, -40, -40]);
  });

  test("IT grid: L2 (not measured) is the engine's safe value, positive, never 0", () => {
    const s = setup((doc) => {
      doc.headroom.gridType = 'IT';
      doc.headroom.fuseA = 40;
    });
    s.h.feed(AIDON_IT_LIST2);
    const l2 = s.h.app.snapshot().headroom.phases.l2;
    expect(l2.currentSource).not.toBe('measured');
    expect(s.model.irmsDa![1]).toBe(Math.round(l2.currentA! * 10));
    expect(s.model.irmsDa![1]).toBeGreaterThan(0);
  });

  test('1-phase supply: L2 and L3 are 0 (all three must be sent)', () => {
    const s = setup((doc) => {
      doc.headroom.phases = 1;
    });
    s.h.feedDsmr(DSMR_V5);
    expect(s.model.irmsDa![0]).toBeGreaterThan(0);
    expect(s.model.irmsDa!.slice(1)).toEqual([0, 0]);
  });

  test('without frames: at least every 5 s while the answer is held; nothing past the ladder, so the SmartEVSE stops by its own 11 s time-out; back with the next frame', () => {
    const s = setup();
    s.h.feedDsmr(DSMR_V5);
    const t0 = s.h.now();
    for (let i = 0; i < 45; i++) {
      s.h.advance(1000);
    }
    const times = s.model.posts.map((p) => (p.atMs - t0) / 1000);
    // held answer (stale from 15 s) keeps being sent until safe-fallback at 30 s
    expect(times).toEqual([0, 5, 10, 15, 20, 25, 30]);
    expect(s.h.app.snapshot().headroom.status).toBe('safe-fallback');
    expect(s.status().state).toBe('paused');
    expect(String(s.status().reason)).toMatch(/CT_NOCOMM/);
    // the SmartEVSE model: no currents for 11 s -> CT_NOCOMM (charging stops) at 41 s, within the ladder's 60 s
    expect(smartevseNoComm(s.model, t0 + 40_000)).toBe(false);
    expect(smartevseNoComm(s.model, t0 + 41_000)).toBe(true);
    s.h.feedDsmr(DSMR_V5);
    expect(s.model.posts).toHaveLength(8);
    expect(s.status().state).toBe('pushing');
  });

  test('a SmartEVSE whose mains meter is not "API" ignores the currents: the status says which setting', () => {
    const s = setup(undefined, false);
    s.h.feedDsmr(DSMR_V5);
    expect(s.status().lastError).toMatch(/MAINSMET.*API/);
    expect(s.status().requestsFailed).toBe(1);
  });

  test('an unreachable SmartEVSE: back-off, errors in the status, frames keep being decoded', () => {
    const s = setup();
    s.client.answer = () => ({ error: 'connect ECONNREFUSED' });
    for (let i = 0; i < 10; i++) {
      s.h.feedDsmr(DSMR_V5);
      s.h.advance(1000);
    }
    expect(s.h.app.framesDecoded()).toBe(10);
    // 1 s, 2 s, 4 s back-off: 4 attempts in 10 s instead of 12
    expect(s.client.sent.length).toBe(4);
    expect(s.status().lastError).toBe('connect ECONNREFUSED');
    expect(s.status().consecutiveFailures).toBe(4);
  });
});
