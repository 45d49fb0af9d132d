// The one rule for what an output may serve as a line current (firmware/app/outputs/line-currents.ts),
// checked on engine answers made by the real headroom engine.
import { createHeadroomState, stepHeadroom, defaultHeadroomSettings } from '../../decoders/headroom/index';
import type { HeadroomSettings } from '../../decoders/headroom/index';
import type { MeterReading } from '../../decoders/reading';
import { outputLineCurrents } from '../../firmware/app/outputs/line-currents';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);

function answer(reading: MeterReading, settings: HeadroomSettings, ageMs = 0) {
  let state = createHeadroomState();
  const first = stepHeadroom(state, { nowMs: T0, reading }, settings);
  state = first.state;
  if (ageMs === 0) return first.headroom;
  return stepHeadroom(state, { nowMs: T0 + ageMs }, settings).headroom;
}

describe('line currents served to outputs', () => {
  const it3: HeadroomSettings = { ...defaultHeadroomSettings, gridType: 'IT', fuseA: 40 };
  const itReading: MeterReading = {
    protocol: 'dlms',
    meterTime: '2026-01-10T13:00:00+01:00',
    powerImportW: 4000,
    l1: { currentA: 10, voltageV: 230 },
    l3: { currentA: 8, voltageV: 231 },
    threeWire: true,
    phaseCount: 3,
  };

  test('IT grid: L2 (not measured) is served as the engine safe value, never 0 and never as export', () => {
    const h = answer(itReading, it3);
    const out = outputLineCurrents(h, itReading);
    expect(out.live).toBe(true);
    expect(out.lines).toHaveLength(3);
    const l2 = out.lines[1];
    expect(l2).toBeDefined();
    expect(l2!.source).not.toBe('measured');
    expect(l2!.currentA).toBeGreaterThan(0);
    expect(l2!.currentA).toBeGreaterThanOrEqual(h.phases.l2.currentA!);
  });

  test('a measured exporting line is negative, an importing one positive, an idle one 0', () => {
    const reading: MeterReading = {
      protocol: 'dsmr',
      meterTime: '2026-01-10T13:00:00+01:00',
      powerExportW: 3000,
      l1: { currentA: 13, voltageV: 230, powerImportW: 0, powerExportW: 3000 },
      l2: { currentA: 1, voltageV: 230, powerImportW: 200, powerExportW: 0 },
      l3: { currentA: 0, voltageV: 230, powerImportW: 0, powerExportW: 0 },
      phaseCount: 3,
    };
    const h = answer(reading, defaultHeadroomSettings);
    const out = outputLineCurrents(h, reading);
    expect(out.lines[0]!.currentA).toBeLessThan(0);
    expect(out.lines[1]!.currentA).toBeGreaterThan(0);
    expect(out.lines[2]!.currentA).toBe(0);
  });

  test('past the fail-safe ladder nothing is served as live', () => {
    const h = answer(itReading, it3, (it3.safeFallbackAfterS + 1) * 1000);
    expect(h.status).toBe('safe-fallback');
    const out = outputLineCurrents(h, itReading);
    expect(out.live).toBe(false);
    expect(out.lines.every((l) => l === undefined)).toBe(true);
    expect(out.fuseA).toBe(40);
  });

  test('a one-phase supply has one line', () => {
    const settings: HeadroomSettings = { ...defaultHeadroomSettings, phases: 1 };
    const reading: MeterReading = {
      protocol: 'dsmr',
      meterTime: '2026-01-10T13:00:00+01:00',
      powerImportW: 1000,
      l1: { currentA: 4, voltageV: 230 },
      phaseCount: 1,
    };
    const out = outputLineCurrents(answer(reading, settings), reading);
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]!.currentA).toBe(4);
  });
});
