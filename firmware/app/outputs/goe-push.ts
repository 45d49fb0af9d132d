/**
 * go-e Charger (HOME+ V3/V4, HOMEfix, Gemini, Gemini flex) through its local HTTP API v2: the box
 * sets the charge current to its allowance, or pauses the charger below the minimum current.
 *
 *   GET <url>/api/set?amp=<A>[&frc=0]     charge current in whole amps; frc=0 (neutral) resumes
 *   GET <url>/api/set?frc=1               pause (forceState Off)
 *   GET <url>/api/status?filter=amp,ama,frc,car,nrg   what the charger has, and its own currents
 *
 * Transcribed from goecharger/go-eCharger-API-v2 (commit b4d7f853, 2026-08-12):
 * - http-en.md: values are set with /api/set?key=value (JSON-encoded), several per call; the answer
 *   is a JSON object with true per key, or an error text; /api/status?filter=a,b since firmware 051.4.
 * - API_KEYS_FIRMWARE/apikeys-en.md: amp "requestedCurrent in Ampere", ama "ampere_max limit",
 *   frc "forceState (Neutral=0, Off=1, On=2)", nrg "U (L1, L2, L3, N), I (L1, L2, L3), P (...)".
 * API v2 has no `amx` (the temporary current of API v1 on the older HOME+ V1/V2 hardware); evcc
 * sets `amp` on v2 (evcc-io/evcc charger/go-e.go MaxCurrent: "amx" for v1, "amp" for v2) and reads
 * nrg[4..6] as the line currents in A (charger/go-e/types2.go Currents). The v2 key `tcl`
 * ("temporary current limit ... reset after 10min if not updated") is not used: its reset would
 * hand the charger its full user limit back whenever the box is silent for ten minutes.
 *
 * Values: the allowance (threePhaseA, or onePhaseA for a one-phase charger) floored to whole amps
 * (never rounded up), at most the charger's ama; 0 (below the minimum current, or the ladder's
 * no-data step) pauses with frc=1; coming back sends frc=0. Pace: only when the wanted value differs
 * from what the charger has (what it last acknowledged, or what the last poll showed, so a charger
 * that restarted or was changed by hand is corrected), and at most every SET_MIN_INTERVAL_MS (5 s).
 * The charger's own currents (nrg, polled every POLL_MS) go back to the engine (charger-driver.ts).
 * When the box goes silent the go-e keeps the last current it was given: it has no time-out.
 */
import type { HeadroomSettings } from '../../../decoders/headroom/index';
import type { ChargerSettings } from './outputs-settings';
import type { ChargerDriver, DriverInput } from './charger-driver';
import { OWN_CURRENT_MAX_AGE_MS, allowanceFor, httpProblem, ownCurrentOnLines, parseJsonObject } from './charger-driver';
import type { PlannedRequest, Verdict } from './push-channel';
import { PUSH_TIMEOUT_MS } from './push-channel';
import type { PushResult } from './http-push-port';

export const GOE_SET_MIN_INTERVAL_MS = 5000;
export const GOE_POLL_MS = 5000;
/** The largest current any go-e model takes (Gemini 22 kW: 32 A). */
const GOE_MAX_A = 32;

export interface GoeWanted {
  frc: 0 | 1;
  /** Whole amps while running. */
  amp?: number;
}

/** What the charger should have now. */
export function goeWanted(input: Pick<DriverInput, 'snapshot'>, phases: 1 | 3, chargerMaxA: number | undefined): GoeWanted {
  const allowanceA = allowanceFor(input.snapshot, phases);
  if (allowanceA <= 0) return { frc: 1 };
  const cap = chargerMaxA !== undefined && chargerMaxA > 0 ? Math.min(chargerMaxA, GOE_MAX_A) : GOE_MAX_A;
  return { frc: 0, amp: Math.max(1, Math.min(cap, Math.floor(allowanceA))) };
}

export class GoeDriver implements ChargerDriver {
  readonly type = 'goe' as const;
  private lastSetMs: number | undefined;
  private lastPollMs: number | undefined;
  /** What the charger has, as far as the box knows (acknowledged sets and polls). */
  private has: { amp?: number; frc?: number } = {};
  private ama: number | undefined;
  private car: number | undefined;
  private lineA: number[] | undefined;
  private lineAtMs: number | undefined;
  private wanted: GoeWanted | undefined;

  constructor(readonly settings: ChargerSettings) {}

  private get phases(): 1 | 3 {
    return this.settings.phases === 1 ? 1 : 3;
  }

  observe(input: DriverInput): void {
    this.wanted = goeWanted(input, this.phases, this.ama);
  }

  plan(input: DriverInput): PlannedRequest | undefined {
    const want = this.wanted ?? goeWanted(input, this.phases, this.ama);
    const differs = want.frc !== this.has.frc || (want.amp !== undefined && want.amp !== this.has.amp);
    if (differs && (this.lastSetMs === undefined || input.nowMs - this.lastSetMs >= GOE_SET_MIN_INTERVAL_MS)) {
      this.lastSetMs = input.nowMs;
      const query: string[] = [];
      const value: Record<string, unknown> = {};
      if (want.amp !== undefined && want.amp !== this.has.amp) {
        query.push('amp=' + want.amp);
        value.amp = want.amp;
      }
      if (want.frc !== this.has.frc) {
        query.push('frc=' + want.frc);
        value.frc = want.frc;
      }
      return { kind: 'push', request: { method: 'GET', url: `${this.settings.url}/api/set?${query.join('&')}`, timeoutMs: PUSH_TIMEOUT_MS }, value };
    }
    if (this.lastPollMs === undefined || input.nowMs - this.lastPollMs >= GOE_POLL_MS) {
      this.lastPollMs = input.nowMs;
      return {
        kind: 'poll',
        request: { method: 'GET', url: `${this.settings.url}/api/status?filter=amp,ama,frc,car,nrg`, timeoutMs: PUSH_TIMEOUT_MS },
        value: {},
      };
    }
    return undefined;
  }

  judge(planned: PlannedRequest, result: PushResult, nowMs: number): Verdict {
    const problem = httpProblem(result);
    if (problem) return { ok: false, error: problem };
    const body = parseJsonObject(result.body);
    if (!body) return { ok: false, error: 'the answer is not JSON: is the go-e local HTTP API v2 enabled?' };
    if (planned.kind === 'push') {
      // Counted from the answer too: a request that waited for a connection does not shorten the gap.
      this.lastSetMs = nowMs;
      const refused: string[] = [];
      for (const key of Object.keys(planned.value)) {
        if (body[key] === true) {
          if (key === 'amp') this.has.amp = planned.value.amp as number;
          if (key === 'frc') this.has.frc = planned.value.frc as number;
        } else {
          refused.push(`${key}: ${typeof body[key] === 'string' ? (body[key] as string) : 'not acknowledged'}`);
        }
      }
      return refused.length ? { ok: false, error: 'the go-e refused ' + refused.join(', ') } : { ok: true };
    }
    if (typeof body.amp === 'number') this.has.amp = body.amp;
    if (typeof body.frc === 'number') this.has.frc = body.frc;
    if (typeof body.ama === 'number') this.ama = body.ama;
    if (typeof body.car === 'number') this.car = body.car;
    const nrg = body.nrg;
    if (Array.isArray(nrg) && nrg.length >= 7 && typeof nrg[4] === 'number' && typeof nrg[5] === 'number' && typeof nrg[6] === 'number') {
      this.lineA = [nrg[4], nrg[5], nrg[6]];
      this.lineAtMs = nowMs;
    }
    return typeof body.amp === 'number' ? { ok: true } : { ok: false, error: 'the go-e status has no "amp": is this a go-e with API v2?' };
  }

  ownCurrentA(nowMs: number, headroom: HeadroomSettings): [number, number, number] | undefined {
    if (!this.lineA || this.lineAtMs === undefined || nowMs - this.lineAtMs > OWN_CURRENT_MAX_AGE_MS) return undefined;
    return ownCurrentOnLines(this.lineA, this.phases, headroom);
  }

  state(): Record<string, unknown> {
    const s: Record<string, unknown> = { phases: this.phases };
    if (this.wanted) {
      s.state = this.wanted.frc === 1 ? 'paused' : 'charging allowed';
      s.wanted = this.wanted;
    }
    s.charger = { ...this.has };
    if (this.ama !== undefined) (s.charger as Record<string, unknown>).ama = this.ama;
    if (this.car !== undefined) (s.charger as Record<string, unknown>).car = this.car;
    if (this.lineA) s.chargerCurrentA = this.lineA;
    return s;
  }
}
