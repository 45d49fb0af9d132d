/**
 * SmartEVSE (v3, v4) as a mains meter fed over its REST API: the box posts the line currents, the
 * SmartEVSE balances its own charge current against its MAINS setting.
 *
 *   POST <url>/currents?L1=<dA>&L2=<dA>&L3=<dA>     (empty body, Content-Length: 0)
 *
 * Transcribed from SmartEVSE/SmartEVSE-3 (commit 2bc42383, 2026-01-14):
 * - src/esp32.cpp, the "/currents" handler: only taken when MainsMeter.Type == EM_API, and only with
 *   all of L1, L2 and L3 present, each `toInt()` in deci-amps, signed; the answer carries "TOTAL"
 *   (the sum) when the currents were taken. No TOTAL means the SmartEVSE ignored them (mains meter
 *   not set to "API", or a load-balancing node): reported as an error naming the setting.
 * - src/main.h COMM_TIMEOUT 11 and src/main.cpp: each POST sets the mains meter time-out to 11 s; at
 *   0 (in Smart and Solar mode) it raises CT_NOCOMM and stops charging (setStatePowerUnavailable).
 * - docs/REST_API.md: "Ampere must be multiplied by 10"; POSTs need a body (-d '').
 *
 * Pace: on every decoded frame, and at least every KEEPALIVE_MS (5 s, well inside the 11 s).
 * Values: the line currents of the one rule (line-currents.ts): signed by measured direction, an
 * IT grid's L2 as the engine's safe value (never 0), a line with no known current as the fuse
 * rating; a 1-phase supply sends 0 on L2 and L3 (lines it does not have).
 * When the answer is past the fail-safe ladder (not live): nothing is sent, so the SmartEVSE stops
 * charging 11 s later by its own CT_NOCOMM time-out. Sending the fuse rating instead would not stop
 * it: SmartEVSE counts its own car inside the mains current, and a mains current at its MAINS
 * setting makes it hold, not drop.
 */
import type { ChargerSettings } from './outputs-settings';
import { outputLineCurrents } from './line-currents';
import type { ChargerDriver, DriverInput } from './charger-driver';
import { httpProblem, parseJsonObject } from './charger-driver';
import type { PlannedRequest, Verdict } from './push-channel';
import { PUSH_TIMEOUT_MS } from './push-channel';
import type { PushResult } from './http-push-port';

export const SMARTEVSE_KEEPALIVE_MS = 5000;

/** The deci-amp values for L1..L3, or undefined when the answer is not live (nothing may be sent). */
export function smartevseDeciAmps(input: Pick<DriverInput, 'snapshot'>): [number, number, number] | undefined {
  const lines = outputLineCurrents(input.snapshot.headroom, input.snapshot.reading);
  if (!lines.live || lines.lines.length === 0) return undefined;
  const out: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < lines.lines.length; i++) {
    const line = lines.lines[i];
    const a = line ? line.currentA : lines.fuseA;
    const dA = Math.round(a * 10);
    out[i] = dA === 0 ? 0 : dA; // no "-0" in the URL
  }
  return out;
}

export class SmartevseDriver implements ChargerDriver {
  readonly type = 'smartevse' as const;
  private lastPushMs: number | undefined;
  private pendingFrame = true;
  private paused: string | undefined;

  constructor(readonly settings: ChargerSettings) {}

  observe(input: DriverInput): void {
    if (input.newFrame) this.pendingFrame = true;
  }

  plan(input: DriverInput): PlannedRequest | undefined {
    const dA = smartevseDeciAmps(input);
    if (!dA) {
      this.paused = 'the answer is past the fail-safe ladder: no currents sent; the SmartEVSE stops 11 s after the last one (CT_NOCOMM)';
      return undefined;
    }
    this.paused = undefined;
    const due = this.pendingFrame || this.lastPushMs === undefined || input.nowMs - this.lastPushMs >= SMARTEVSE_KEEPALIVE_MS;
    if (!due) return undefined;
    this.pendingFrame = false;
    this.lastPushMs = input.nowMs;
    return {
      kind: 'push',
      request: { method: 'POST', url: `${this.settings.url}/currents?L1=${dA[0]}&L2=${dA[1]}&L3=${dA[2]}`, body: '', timeoutMs: PUSH_TIMEOUT_MS },
      value: { L1: dA[0], L2: dA[1], L3: dA[2], unit: 'dA' },
    };
  }

  judge(_planned: PlannedRequest, result: PushResult, _nowMs: number): Verdict {
    const problem = httpProblem(result);
    if (problem) return { ok: false, error: problem };
    const body = parseJsonObject(result.body);
    if (!body) return { ok: false, error: 'the answer is not JSON: is this a SmartEVSE?' };
    if (typeof body.TOTAL !== 'number') {
      return {
        ok: false,
        error:
          'the SmartEVSE did not take the currents: set its mains meter (MAINSMET) to "API"' +
          (typeof body.TOTAL === 'string' ? ` (it says: ${body.TOTAL})` : ''),
      };
    }
    return { ok: true };
  }

  state(): Record<string, unknown> {
    const s: Record<string, unknown> = { state: this.paused ? 'paused' : 'pushing' };
    if (this.paused) s.reason = this.paused;
    return s;
  }
}
