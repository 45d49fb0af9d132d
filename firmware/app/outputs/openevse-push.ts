/**
 * OpenEVSE (WiFi firmware v4.x/v5.x, ESP32) through its current shaper: the box posts the live
 * power, the OpenEVSE works out its own charge current.
 *
 *   POST <url>/status   {"shaper_live_pwr": W}          (application/json)
 *   GET  <url>/status   -> {"amp": mA, "voltage": V, ...} (allowance mode: the charger's own current)
 *
 * Transcribed from OpenEVSE/openevse_esp32_firmware (commit 1797b7a3, 2026-07-21):
 * - src/web_server.cpp handleStatusPost: "shaper_live_pwr" -> shaper.setLivePwr(); answer 200 with
 *   the posted JSON echoed; 400 {"msg":"Could not parse JSON"} otherwise.
 * - src/current_shaper.cpp shapeCurrent: max_cur = (max_pwr - live_pwr) / V + evse_amps, divided by
 *   3 as well when the OpenEVSE is set to three phase; below the EVSE's minimum current it pauses
 *   (EvseState::Disabled). loop(): without a new live_pwr for current_shaper_data_maxinterval
 *   (src/app_config.cpp default 120 s) it pauses by itself.
 * - src/input.cpp: GET /status "amp" is getAmps() x AMPS_SCALE_FACTOR (src/emonesp.h: 1000, so mA),
 *   "voltage" the voltage the shaper divides by.
 *
 * Modes (outputs.chargers[].mode):
 * - "import": live_pwr = the house import power (import - export, never below 0), so the OpenEVSE
 *   balances against its own max_pwr. The box's margin, tariff and ladder do not reach it.
 * - "allowance": live_pwr = max_pwr - (allowanceA - evseA) x V x phases, which makes the shaper's
 *   formula give exactly the box's allowance. evseA is the current the engine was told the charger
 *   draws (the "amp" the box polls every POLL_MS; 0 while unknown, and then the engine counts the
 *   car as house load, so the allowance is what may be ADDED, which is again what the formula adds
 *   to evse_amps). V is the OpenEVSE's own voltage from the poll (the nominal voltage until then).
 * Pause (allowance 0, i.e. below the minimum current; or, in import mode, the answer past the
 * fail-safe ladder): live_pwr = PAUSE_EXTRA_W above max_pwr (or above the house's own maximum,
 * fuse x nominal voltage x 3, when max_pwr is not configured): the formula then gives 0 A or less
 * for any OpenEVSE current up to 100 A at up to 250 V, below any minimum current, and it pauses.
 * Pace: every decoded frame, at once when the value changes between frames (a step of the fail-safe
 * ladder), and at least every KEEPALIVE_MS (30 s; the OpenEVSE pauses by itself after 120 s).
 */
import type { HeadroomSettings } from '../../../decoders/headroom/index';
import type { ChargerSettings } from './outputs-settings';
import type { ChargerDriver, DriverInput } from './charger-driver';
import { OWN_CURRENT_MAX_AGE_MS, allowanceFor, httpProblem, ownCurrentOnLines, parseJsonObject } from './charger-driver';
import type { PlannedRequest, Verdict } from './push-channel';
import { PUSH_TIMEOUT_MS } from './push-channel';
import type { PushResult } from './http-push-port';

export const OPENEVSE_KEEPALIVE_MS = 30000;
export const OPENEVSE_POLL_MS = 5000;
/** 100 A x 250 V x 3 phases: more than any OpenEVSE can add back through evse_amps. */
export const PAUSE_EXTRA_W = 75000;

export interface OpenevseValue {
  livePowerW: number;
  why: 'import' | 'allowance' | 'pause';
  allowanceA?: number;
  evseA?: number;
  voltageV?: number;
}

/** What to post now, or undefined when there is nothing to post (no power in the reading yet). */
export function openevseLivePower(
  input: Pick<DriverInput, 'snapshot' | 'headroom'>,
  settings: ChargerSettings,
  evse: { currentA?: number; voltageV?: number },
): OpenevseValue | undefined {
  const { snapshot, headroom } = input;
  const phases = settings.phases === 1 ? 1 : 3;
  const status = snapshot.headroom.status;
  const live = status === 'ok' || status === 'estimated' || status === 'stale';
  const base = settings.maxPowerW ?? headroom.fuseA * headroom.nominalVoltageV * 3;
  const pause: OpenevseValue = { livePowerW: Math.round(base + PAUSE_EXTRA_W), why: 'pause' };
  if (settings.mode === 'allowance') {
    const allowanceA = allowanceFor(snapshot, phases);
    if (allowanceA <= 0) return pause;
    const evseA = evse.currentA ?? 0;
    const voltageV = evse.voltageV ?? headroom.nominalVoltageV;
    const livePowerW = Math.round((settings.maxPowerW as number) - (allowanceA - evseA) * voltageV * phases);
    return { livePowerW, why: 'allowance', allowanceA, evseA, voltageV };
  }
  if (!live) return pause;
  const r = snapshot.reading;
  if (!r || (typeof r.powerImportW !== 'number' && typeof r.powerExportW !== 'number')) return undefined;
  const net = (typeof r.powerImportW === 'number' ? r.powerImportW : 0) - (typeof r.powerExportW === 'number' ? r.powerExportW : 0);
  return { livePowerW: Math.round(Math.max(0, net)), why: 'import' };
}

export class OpenevseDriver implements ChargerDriver {
  readonly type = 'openevse' as const;
  private lastPushMs: number | undefined;
  private lastPollMs: number | undefined;
  private pendingFrame = true;
  private evseA: number | undefined;
  private evseAtMs: number | undefined;
  private evseVoltageV: number | undefined;
  /** The own current last handed to the engine, and the one in force at the last frame. */
  private reportedA: number | undefined;
  private engineA: number | undefined;
  private last: OpenevseValue | undefined;

  constructor(readonly settings: ChargerSettings) {}

  private get allowanceMode(): boolean {
    return this.settings.mode === 'allowance';
  }

  observe(input: DriverInput): void {
    if (input.newFrame) {
      this.pendingFrame = true;
      // The engine stepped this frame with what ownCurrentA last returned: the allowance is relative to it.
      this.engineA = this.reportedA;
    }
  }

  plan(input: DriverInput): PlannedRequest | undefined {
    const value = openevseLivePower(input, this.settings, { currentA: this.engineA, voltageV: this.evseVoltageV });
    // A frame, a changed value (a step of the ladder between frames), or the keep-alive.
    const changed = value !== undefined && (this.last === undefined || value.livePowerW !== this.last.livePowerW);
    const pushDue =
      value !== undefined && (this.pendingFrame || changed || this.lastPushMs === undefined || input.nowMs - this.lastPushMs >= OPENEVSE_KEEPALIVE_MS);
    if (pushDue && value) {
      this.pendingFrame = false;
      this.lastPushMs = input.nowMs;
      this.last = value;
      const shown: Record<string, unknown> = { shaper_live_pwr: value.livePowerW, why: value.why };
      if (value.allowanceA !== undefined) shown.allowanceA = value.allowanceA;
      if (value.evseA !== undefined) shown.evseA = value.evseA;
      return {
        kind: 'push',
        request: {
          method: 'POST',
          url: `${this.settings.url}/status`,
          body: JSON.stringify({ shaper_live_pwr: value.livePowerW }),
          contentType: 'application/json',
          timeoutMs: PUSH_TIMEOUT_MS,
        },
        value: shown,
      };
    }
    if (this.allowanceMode && (this.lastPollMs === undefined || input.nowMs - this.lastPollMs >= OPENEVSE_POLL_MS)) {
      this.lastPollMs = input.nowMs;
      return { kind: 'poll', request: { method: 'GET', url: `${this.settings.url}/status`, timeoutMs: PUSH_TIMEOUT_MS }, value: {} };
    }
    return undefined;
  }

  judge(planned: PlannedRequest, result: PushResult, nowMs: number): Verdict {
    const problem = httpProblem(result);
    if (problem) return { ok: false, error: problem };
    const body = parseJsonObject(result.body);
    if (planned.kind === 'push') {
      if (body && typeof body.msg === 'string') return { ok: false, error: 'OpenEVSE: ' + body.msg };
      return { ok: true };
    }
    if (!body) return { ok: false, error: 'the status answer is not JSON: is this an OpenEVSE?' };
    const mA = body.amp;
    const v = body.voltage;
    if (typeof mA !== 'number' || !Number.isFinite(mA) || mA < 0) return { ok: false, error: 'the OpenEVSE status has no "amp"' };
    this.evseA = mA / 1000;
    this.evseAtMs = nowMs;
    if (typeof v === 'number' && v > 50 && v < 300) this.evseVoltageV = v;
    return { ok: true };
  }

  ownCurrentA(nowMs: number, headroom: HeadroomSettings): [number, number, number] | undefined {
    let own: [number, number, number] | undefined;
    if (this.allowanceMode && this.evseA !== undefined && this.evseAtMs !== undefined && nowMs - this.evseAtMs <= OWN_CURRENT_MAX_AGE_MS) {
      // OpenEVSE measures one current (its CT); on three phases it is each line's.
      const phases = this.settings.phases === 1 ? 1 : 3;
      own = ownCurrentOnLines(phases === 3 ? [this.evseA, this.evseA, this.evseA] : [this.evseA], phases, headroom);
    }
    this.reportedA = own ? Math.max(own[0], own[1], own[2]) : undefined;
    return own;
  }

  state(): Record<string, unknown> {
    const s: Record<string, unknown> = { mode: this.settings.mode ?? 'import', phases: this.settings.phases ?? 3 };
    if (this.settings.maxPowerW !== undefined) s.maxPowerW = this.settings.maxPowerW;
    if (this.last) s.state = this.last.why === 'pause' ? 'paused' : 'pushing';
    if (this.evseA !== undefined) s.chargerCurrentA = this.evseA;
    if (this.evseVoltageV !== undefined) s.chargerVoltageV = this.evseVoltageV;
    return s;
  }
}
