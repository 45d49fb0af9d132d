/**
 * The line currents every output serves (HomeWizard v1 data, MQTT, the SDM630 Modbus meter
 * emulation, charger pushes): the one definition of "what may a consumer read as the current on
 * line N". Outputs take the snapshot's headroom and merged reading, never a raw frame.
 *
 * - A line the engine works with a current for (measured, estimated from power, or an IT grid's
 *   L2 bound): that current. It is the engine's own value, so it is never below what the engine
 *   believes the line carries: an unknown line is never served as idle.
 * - Sign: negative only when the meter says that line exports (its per-phase export power is
 *   larger than its import power), as HomeWizard reports it (an SDM630 reports the magnitude and
 *   puts the sign in the line's power: outputs/sdm630-registers.ts serves it that way). A current the meter did
 *   not measure (IT L2, a short frame's estimate) is always served as import: a charger must never
 *   read an unknown line as idle or as exporting, both of which would raise its allowance.
 * - No current known for a line (no data yet, or the answer is past the fail-safe ladder): the line
 *   is absent, and `live` is false once the ladder has gone beyond holding. Each output then does
 *   its own documented fail-safe (Modbus: the fuse rating on every line; pushes: 0 A or pause;
 *   HomeWizard: a 503 for the whole answer, since its consumers read a missing current as 0 A;
 *   MQTT: the value left out).
 *
 * Pure: no platform imports, no time (the headroom already carries the data's age).
 */
import type { Headroom, CurrentSource } from '../../../decoders/headroom/index';
import type { MeterReading, PhaseReading } from '../../../decoders/reading';

export interface OutputLine {
  /** Signed line current, A (export negative; see above). */
  currentA: number;
  /** How the engine knows it (measured, estimated, bound). */
  source: CurrentSource;
  /** Fuse rating of the line, A. */
  limitA: number;
}

export interface OutputLineCurrents {
  /**
   * True while the answer rests on data that is fresh or merely held ('ok', 'estimated',
   * 'stale'); false on 'safe-fallback' and 'no-data', when outputs must take their fail-safe.
   */
  live: boolean;
  /** Lines the supply has (1 or 3 entries, L1 first); a line's value is absent when not known. */
  lines: (OutputLine | undefined)[];
  /** Fuse rating per line, A (what the Modbus emulation serves when not live). */
  fuseA: number;
}

const LIVE_STATUSES: readonly string[] = ['ok', 'estimated', 'stale'];

function exports(phase: PhaseReading | undefined): boolean {
  if (!phase) return false;
  const exportW = phase.powerExportW;
  if (typeof exportW !== 'number' || !(exportW > 0)) return false;
  const importW = phase.powerImportW;
  return typeof importW !== 'number' || exportW > importW;
}

export function outputLineCurrents(headroom: Headroom, reading: MeterReading | null | undefined): OutputLineCurrents {
  const phases = [headroom.phases.l1, headroom.phases.l2, headroom.phases.l3];
  const readingPhases = [reading?.l1, reading?.l2, reading?.l3];
  const live = LIVE_STATUSES.indexOf(headroom.status) >= 0;
  const lines: (OutputLine | undefined)[] = [];
  let fuseA = 0;
  for (let i = 0; i < 3; i++) {
    const p = phases[i];
    if (!p || p.limitA <= 0) break; // a line the supply does not have (1-phase: only L1)
    fuseA = Math.max(fuseA, p.limitA);
    const c = p.currentA;
    if (!live || typeof c !== 'number' || !Number.isFinite(c) || p.currentSource === 'unknown') {
      lines.push(undefined);
      continue;
    }
    const magnitude = Math.abs(c);
    const signed = p.currentSource === 'measured' && exports(readingPhases[i]) ? -magnitude : magnitude;
    lines.push({ currentA: signed === 0 ? 0 : signed, source: p.currentSource, limitA: p.limitA });
  }
  return { live, lines, fuseA };
}
