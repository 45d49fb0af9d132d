/**
 * What every charger push driver (smartevse-push.ts, openevse-push.ts, goe-push.ts) offers the
 * chargers output, and the two rules they share:
 *
 * - allowanceFor: which of the engine's answers a charger takes (threePhaseA for a three-phase
 *   charger, onePhaseA for a one-phase one). 0 means "below the minimum current: pause".
 * - ownCurrentOnLines: how a charger's own measured current is handed back to the headroom engine
 *   (HeadroomInput.chargerA: the engine adds it back so the car is not counted against itself, and
 *   the allowance becomes what the charger may draw in total). Conservative by construction: an
 *   over-stated own current would hand out amps the fuse does not have, so a three-phase charger
 *   reports the SMALLEST of its line currents on every line (its wiring may be phase-rotated; a car
 *   charging on one phase then reports 0), and a one-phase charger reports its current only on the
 *   line(s) of the headroom setting chargerLine (without it: nothing, the car counts as house load).
 */
import type { HeadroomSettings } from '../../../decoders/headroom/index';
import type { Snapshot } from '../snapshot';
import type { ChargerSettings, ChargerType } from './outputs-settings';
import type { PushResult } from './http-push-port';
import type { PlannedRequest, Verdict } from './push-channel';

export interface DriverInput {
  snapshot: Snapshot;
  headroom: HeadroomSettings;
  nowMs: number;
  /** A frame was decoded since the last call. */
  newFrame: boolean;
}

export interface ChargerDriver {
  readonly type: ChargerType;
  readonly settings: ChargerSettings;
  /** Sees every update (every frame and tick), also while a request is in flight or backing off. */
  observe(input: DriverInput): void;
  /** The request due now, or undefined. Called only when nothing is in flight and no back-off runs. */
  plan(input: DriverInput): PlannedRequest | undefined;
  /** The verdict on an answer (and whatever the driver learns from it). */
  judge(planned: PlannedRequest, result: PushResult, nowMs: number): Verdict;
  /** The charger's measured present current per line for the engine, when fresh; else undefined. */
  ownCurrentA?(nowMs: number, headroom: HeadroomSettings): [number, number, number] | undefined;
  /** Driver-specific state for the status (mode, why paused, the charger's own current...). */
  state(): Record<string, unknown>;
}

/** An own current older than this is not handed to the engine (it counts the car as house load). */
export const OWN_CURRENT_MAX_AGE_MS = 15000;

export function allowanceFor(snapshot: Snapshot, phases: 1 | 3): number {
  const a = phases === 1 ? snapshot.headroom.onePhaseA : snapshot.headroom.threePhaseA;
  return typeof a === 'number' && Number.isFinite(a) && a > 0 ? a : 0;
}

/**
 * The engine's chargerA for a charger that measured `lineCurrentsA` (its own L1, L2, L3), or
 * undefined when it cannot be placed safely (see the file comment).
 */
export function ownCurrentOnLines(lineCurrentsA: readonly number[], phases: 1 | 3, headroom: HeadroomSettings): [number, number, number] | undefined {
  for (const a of lineCurrentsA) if (typeof a !== 'number' || !Number.isFinite(a) || a < 0) return undefined;
  if (phases === 3) {
    if (lineCurrentsA.length < 3) return undefined;
    const m = Math.min(lineCurrentsA[0]!, lineCurrentsA[1]!, lineCurrentsA[2]!);
    return [m, m, m];
  }
  const line = headroom.chargerLine;
  if (!line) return undefined;
  let c = 0;
  for (const a of lineCurrentsA) c = Math.max(c, a);
  const on = (name: string) => (line.indexOf(name) >= 0 ? c : 0);
  return [on('L1'), on('L2'), on('L3')];
}

/** JSON of an answer body, or undefined when it is not a JSON object. */
export function parseJsonObject(body: string | undefined): Record<string, unknown> | undefined {
  if (body === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** "HTTP 404" style text for a non-2xx answer, or undefined for 2xx. */
export function httpProblem(result: PushResult): string | undefined {
  const s = result.status;
  if (typeof s !== 'number') return 'no HTTP status';
  return s >= 200 && s < 300 ? undefined : `HTTP ${s}`;
}
