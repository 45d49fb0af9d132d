/**
 * The JSON published on <base>/state, built from the snapshot (merged, plausibility-checked reading
 * and the headroom answer). Flat keys with their units, so a Home Assistant value_template is
 * `{{ value_json.currentL1A }}`:
 *
 *   { "time": "2026-01-01T12:00:00.000Z", "meterTime"?: "...", "status": "ok", "limitedBy": "fuse-l2",
 *     "reason": "...", "ageS": 0.4,
 *     "powerImportW", "powerExportW", "powerW" (import - export), "energyImportKwh", "energyExportKwh",
 *     "currentL1A".."currentL3A" (outputs/line-currents.ts: signed by direction, IT L2 the engine's
 *     safe value), "currentL1Source".. ("measured" | "estimated" | "bound"),
 *     "voltageL1V".., "powerL1W".. (import - export per line),
 *     "headroomL1A".., "allowanceThreePhaseA", "allowanceOnePhaseA", "allowanceOnePhaseLine"? }
 *
 * A value the meter did not send is absent, never 0. While the answer is past the fail-safe ladder
 * (line currents not live) every measured value is left out, so Home Assistant shows them as
 * unknown; the headroom, allowance and status keys are always there (the engine's fail-safe answer).
 */
import type { Snapshot } from '../snapshot';
import { outputLineCurrents } from './line-currents';
import { energyExportTotalWh, energyImportTotalWh } from './energy-totals';

const LINES = ['L1', 'L2', 'L3'];

function round(value: number, digits: number): number {
  const f = digits === 3 ? 1000 : digits === 2 ? 100 : 10;
  const r = Math.round(value * f) / f;
  return r === 0 ? 0 : r;
}

function net(importW: number | undefined, exportW: number | undefined): number | undefined {
  if (importW === undefined && exportW === undefined) return undefined;
  return (importW ?? 0) - (exportW ?? 0);
}

/** Reason texts are kept under Home Assistant's 255-character state limit. */
export function clipReason(text: string): string {
  return text.length > 255 ? text.slice(0, 254) + '…' : text;
}

export function mqttState(snapshot: Pick<Snapshot, 'reading' | 'headroom'>, nowMs: number): Record<string, unknown> {
  const h = snapshot.headroom;
  const out: Record<string, unknown> = {};
  const put = (name: string, value: unknown): void => {
    if (value !== undefined && value !== null && !(typeof value === 'number' && !Number.isFinite(value))) out[name] = value;
  };
  put('time', new Date(nowMs).toISOString());
  put('status', h.status);
  put('limitedBy', h.limitedBy);
  put('reason', clipReason(h.reason));
  put('ageS', h.ageS);
  const currents = outputLineCurrents(h, snapshot.reading);
  const r = snapshot.reading;
  if (currents.live && r) {
    put('meterTime', r.meterTime);
    put('powerImportW', r.powerImportW);
    put('powerExportW', r.powerExportW);
    put('powerW', net(r.powerImportW, r.powerExportW));
    const importWh = energyImportTotalWh(r);
    const exportWh = energyExportTotalWh(r);
    put('energyImportKwh', importWh === undefined ? undefined : round(importWh / 1000, 3));
    put('energyExportKwh', exportWh === undefined ? undefined : round(exportWh / 1000, 3));
    const phases = [r.l1, r.l2, r.l3];
    for (let i = 0; i < 3; i++) {
      const line = currents.lines[i];
      if (line) {
        put(`current${LINES[i]}A`, round(line.currentA, 2));
        put(`current${LINES[i]}Source`, line.source);
      }
      const phase = phases[i];
      put(`voltage${LINES[i]}V`, phase?.voltageV);
      put(`power${LINES[i]}W`, phase ? net(phase.powerImportW, phase.powerExportW) : undefined);
    }
  }
  const ph = [h.phases.l1, h.phases.l2, h.phases.l3];
  for (let i = 0; i < 3; i++) if (ph[i].limitA > 0) put(`headroom${LINES[i]}A`, ph[i].headroomA);
  put('allowanceThreePhaseA', h.threePhaseA);
  put('allowanceOnePhaseA', h.onePhaseA);
  put('allowanceOnePhaseLine', h.onePhaseLine);
  return out;
}
