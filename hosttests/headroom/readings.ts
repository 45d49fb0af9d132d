// Hand-built readings shaped like real meters' frames (see decoders/README.md for the fields each
// meter sends). Not decoded from vectors on purpose: the engine's tests must not depend on the
// decoders.
import type { MeterReading } from '../../decoders/reading';
import { createHeadroomState, stepHeadroom, validateHeadroomSettings } from '../../decoders/headroom/index';
import type { Headroom, HeadroomSettings, HeadroomState } from '../../decoders/headroom/index';

export const T0 = Date.UTC(2026, 10, 23, 17, 0, 0); // 2026-11-23 18:00 CET

/** ISO local time with offset, as DSMR (S/W flag) or COSEM (deviation) give it. */
export function isoLocal(utcMs: number, offsetMin: number): string {
  const d = new Date(utcMs + offsetMin * 60000).toISOString().slice(0, 19);
  const sign = offsetMin < 0 ? '-' : '+';
  const a = Math.abs(offsetMin);
  return `${d}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Dutch DSMR 5 telegram, every second: currents in whole amps (31.7.0), voltages, per-phase power. */
export function dsmr5(utcMs: number, a: [number, number, number], opts: { exportW?: number; v?: [number, number, number] } = {}): MeterReading {
  const v = opts.v ?? [230, 230, 230];
  const phase = (p: number) => ({
    currentA: a[p] as number,
    voltageV: v[p] as number,
    powerImportW: opts.exportW ? 0 : Math.round((a[p] as number) * (v[p] as number)),
    powerExportW: 0,
  });
  const imp = opts.exportW ? 0 : Math.round(a[0] * v[0] + a[1] * v[1] + a[2] * v[2]);
  return {
    protocol: 'dsmr',
    dsmrVersion: '50',
    meterTime: isoLocal(utcMs, 60),
    frameKind: 'full',
    powerImportW: imp,
    powerExportW: opts.exportW ?? 0,
    l1: phase(0),
    l2: phase(1),
    l3: phase(2),
    phaseCount: 3,
  };
}

/** Norwegian IT meter, full list (Kaifa/Aidon list 2, every 10 s): I1, I3, voltages; no I2. */
export function hanItFull(utcMs: number | undefined, i1: number, i3: number, powerW: number, v: [number, number, number] = [231, 229, 230]): MeterReading {
  const r: MeterReading = {
    protocol: 'dlms',
    listId: 'KFM_001',
    frameKind: 'full',
    threeWire: true,
    phaseCount: 3,
    powerImportW: powerW,
    powerExportW: 0,
    l1: { currentA: i1, voltageV: v[0] },
    l2: { voltageV: v[1] },
    l3: { currentA: i3, voltageV: v[2] },
  };
  if (utcMs !== undefined) r.meterTime = isoLocal(utcMs, 60);
  return r;
}

/** Norwegian list 1 (every 2-2.5 s): total import power only. */
export function hanShort(utcMs: number | undefined, powerW: number): MeterReading {
  const r: MeterReading = { protocol: 'dlms', listId: 'KFM_001', frameKind: 'short', powerImportW: powerW };
  if (utcMs !== undefined) r.meterTime = isoLocal(utcMs, 60);
  return r;
}

export function settingsOf(partial: Record<string, unknown>): HeadroomSettings {
  const v = validateHeadroomSettings(partial);
  if (!v.ok) throw new Error(v.errors.join('; '));
  return v.settings;
}

/** Run a sequence of steps, returning every answer and the final state. */
export function run(
  settings: HeadroomSettings,
  steps: { nowMs: number; reading?: MeterReading; chargerA?: [number, number, number] }[],
  state: HeadroomState = createHeadroomState(),
): { answers: Headroom[]; state: HeadroomState } {
  const answers: Headroom[] = [];
  for (const s of steps) {
    const r = stepHeadroom(state, s, settings);
    answers.push(r.headroom);
    state = r.state;
  }
  return { answers, state };
}

/** Same frame every `intervalS` for `count` frames (lets the ramp settle). */
export function repeatFrames(count: number, intervalS: number, start: number, make: (utcMs: number) => MeterReading, chargerA?: [number, number, number]) {
  const steps: { nowMs: number; reading: MeterReading; chargerA?: [number, number, number] }[] = [];
  for (let i = 0; i < count; i++) {
    const t = start + i * intervalS * 1000;
    const s: { nowMs: number; reading: MeterReading; chargerA?: [number, number, number] } = { nowMs: t + 300, reading: make(t) };
    if (chargerA) s.chargerA = chargerA;
    steps.push(s);
  }
  return steps;
}

export function last<T>(a: T[]): T {
  return a[a.length - 1] as T;
}
