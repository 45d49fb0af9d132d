// The four plausibility cases of issue 13, through `npm run headroom` (the same engine the device
// runs): the meter's currents contradict its power, and the allowance stays 0 on every frame.
// Before the plausibility check the engine took the currents as given: fed 0 A at 6.7 kW per
// line it ramped to 23 A with status ok. And through the app: the snapshot's reading never serves
// the contradicted current, while the lines every output serves carry the current from power.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeterReading } from '../../decoders/reading';
import { crc16Arc } from '../../decoders/util/crc16-arc';
import { createApp, type AppDeps } from '../../firmware/app/app';
import { outputLineCurrents } from '../../firmware/app/outputs/line-currents';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const T0 = Date.UTC(2026, 10, 23, 11);

function headroomCli(lines: object[], settings: object): Record<string, unknown>[] {
  const dir = mkdtempSync(join(tmpdir(), 'plausibility-'));
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings));
  const r = spawnSync(tsx, [join(root, 'tools', 'headroom.ts'), '--settings', join(dir, 'settings.json')], {
    cwd: root,
    input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** 60 frames a second apart; the same (contradictory) figures in each. */
function frames(make: (t: number) => MeterReading): object[] {
  const out: object[] = [];
  for (let i = 0; i < 60; i++) {
    const t = T0 + i * 1000;
    out.push({ nowMs: t + 300, reading: make(t) });
  }
  return out;
}

const stamp = (t: number) => new Date(t + 3600000).toISOString().slice(0, 19) + '+01:00';
const line = (currentA: number, importW: number, exportW: number) => ({ currentA, voltageV: 230, powerImportW: importW, powerExportW: exportW });

const cases: { name: string; settings: object; make: (t: number) => MeterReading; source: string }[] = [
  {
    name: 'TN: 0 A on every line at 20 kW import (6.7 kW a line)',
    settings: { fuseA: 25 },
    make: (t) => ({
      protocol: 'dsmr',
      meterTime: stamp(t),
      powerImportW: 20100,
      powerExportW: 0,
      l1: line(0, 6700, 0),
      l2: line(0, 6700, 0),
      l3: line(0, 6700, 0),
    }),
    source: 'from-power',
  },
  {
    name: 'TN: currents a tenth of P/V (2.9 A at 6.7 kW a line)',
    settings: { fuseA: 25 },
    make: (t) => ({
      protocol: 'dsmr',
      meterTime: stamp(t),
      powerImportW: 20100,
      powerExportW: 0,
      l1: line(2.9, 6700, 0),
      l2: line(2.9, 6700, 0),
      l3: line(2.9, 6700, 0),
    }),
    source: 'from-power',
  },
  {
    name: 'TN: 0 A on every line at 20 kW export',
    settings: { fuseA: 25 },
    make: (t) => ({
      protocol: 'dsmr',
      meterTime: stamp(t),
      powerImportW: 0,
      powerExportW: 20100,
      l1: line(0, 0, 6700),
      l2: line(0, 0, 6700),
      l3: line(0, 0, 6700),
    }),
    source: 'from-power',
  },
  {
    name: 'IT: 1 A on L1 and L3 but 20 kW in total',
    settings: { fuseA: 25, gridType: 'IT' },
    make: (t) => ({
      protocol: 'dlms',
      listId: 'KFM_001',
      frameKind: 'full',
      threeWire: true,
      meterTime: stamp(t),
      powerImportW: 20000,
      powerExportW: 0,
      l1: { currentA: 1, voltageV: 230 },
      l2: { voltageV: 0 },
      l3: { currentA: 1, voltageV: 230 },
    }),
    source: 'from-power',
  },
];

describe('npm run headroom: the allowance stays 0', () => {
  test.each(cases)('$name', ({ settings, make, source }) => {
    const answers = headroomCli(frames(make), settings);
    expect(answers).toHaveLength(60);
    for (const h of answers) {
      expect(h.threePhaseA).toBe(0);
      expect(h.onePhaseA).toBe(0);
      const phases = h.phases as Record<string, { currentSource: string; headroomA: number; currentA?: number }>;
      expect(phases.l1?.currentSource).toBe(source);
      expect(phases.l1?.currentA).toBeGreaterThan(25);
      expect(phases.l1?.headroomA).toBe(0);
      expect((h.plausibility as string[]).length).toBeGreaterThan(0);
    }
  });
});

/** A DSMR 5 telegram with its CRC-16/ARC: 0 A on every line, 6.7 kW per line. */
function telegram(t: number): Uint8Array {
  const d = new Date(t + 3600000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const ts = `${p2(d.getUTCFullYear() % 100)}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}W`;
  const body = [
    '/ISk5\\2MT382-1000',
    '',
    '1-3:0.2.8(50)',
    `0-0:1.0.0(${ts})`,
    '0-0:96.1.1(4B384547303034303436333935353037)',
    '1-0:1.8.1(000123.456*kWh)',
    '1-0:1.8.2(000234.567*kWh)',
    '1-0:2.8.1(000000.000*kWh)',
    '1-0:2.8.2(000000.000*kWh)',
    '0-0:96.14.0(0002)',
    '1-0:1.7.0(20.100*kW)',
    '1-0:2.7.0(00.000*kW)',
    '1-0:32.7.0(230.0*V)',
    '1-0:52.7.0(230.0*V)',
    '1-0:72.7.0(230.0*V)',
    '1-0:31.7.0(000*A)',
    '1-0:51.7.0(000*A)',
    '1-0:71.7.0(000*A)',
    '1-0:21.7.0(06.700*kW)',
    '1-0:41.7.0(06.700*kW)',
    '1-0:61.7.0(06.700*kW)',
    '1-0:22.7.0(00.000*kW)',
    '1-0:42.7.0(00.000*kW)',
    '1-0:62.7.0(00.000*kW)',
    '!',
  ].join('\r\n');
  const bytes = new TextEncoder().encode(body);
  const crc = crc16Arc(bytes).toString(16).toUpperCase().padStart(4, '0');
  return new TextEncoder().encode(`${body}${crc}\r\n`);
}

test("the app: the snapshot's reading leaves the contradicted currents out; the lines outputs serve carry the current from power; 0 A allowed", () => {
  let nowMs = T0;
  const deps: AppDeps = {
    clock: { nowMs: () => nowMs },
    scheduler: { every: () => ({ cancel() {} }), after: () => ({ cancel() {} }) },
    settingsStore: { load: () => undefined, save: () => undefined },
    publisher: { broadcast: () => undefined, clientCount: () => 0 },
    logger: { info: () => undefined, warn: () => undefined },
    randomBytes: (n) => new Uint8Array(n).fill(3),
    options: { passwordIterations: 10 },
  };
  const app = createApp(deps);
  app.start();
  for (let i = 0; i < 30; i++) {
    nowMs += 1000;
    app.onMeterBytes(telegram(nowMs), nowMs);
  }
  const snap = app.snapshot();
  expect(app.framesDecoded()).toBe(30);
  expect(snap.reading?.l1?.currentA).toBeUndefined();
  expect(snap.reading?.l1?.powerImportW).toBe(6700);
  expect(snap.headroom.threePhaseA).toBe(0);
  expect(snap.headroom.phases.l1.currentSource).toBe('from-power');
  const out = outputLineCurrents(snap.headroom, snap.reading);
  expect(out.lines.map((l) => l?.currentA)).toEqual([29.1, 29.1, 29.1]);
  app.stop();
});
