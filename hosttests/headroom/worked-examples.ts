/**
 * The two worked examples in docs/headroom.md, run through the engine. The JSON in the document
 * is generated here, never written by hand:
 *
 *   npx tsx hosttests/headroom/worked-examples.ts --write    rewrites the marked blocks in docs/headroom.md
 *                                                            and the summary tables in README.md
 *
 * and hosttests/headroom/worked-examples.test.ts fails when the document and the engine disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHeadroomState, stepHeadroom, validateHeadroomSettings } from '../../decoders/headroom/index';
import type { Headroom, HeadroomInput, HeadroomSettings, HeadroomState } from '../../decoders/headroom/index';
import type { MeterReading } from '../../decoders/reading';

export interface Example {
  name: string;
  settings: HeadroomSettings;
  /** The steps shown in the document, with the answer to each. */
  shown: { label: string; input: HeadroomInput; headroom: Headroom }[];
}

function settingsOf(input: Record<string, unknown>): HeadroomSettings {
  const v = validateHeadroomSettings(input);
  if (!v.ok) throw new Error(v.errors.join('; '));
  return v.settings;
}

const iso = (utcMs: number, offsetMin: number) => {
  const d = new Date(utcMs + offsetMin * 60000).toISOString().slice(0, 19);
  return `${d}+${String(offsetMin / 60).padStart(2, '0')}:00`;
};

/**
 * Norway: a detached house on a 3x230 V IT grid, 50 A main fuse, Kaifa MA304H3E (3-wire: I1 and
 * I3 only). List 1 (power only) every 2 s, list 2 (currents, voltages) every 10 s, list 3 (energy
 * registers) at every whole hour. A three-phase charger drawing 10 A. Capacity tariff with the
 * usual steps; the month so far has had evening peaks of 4.2, 3.6 and 4.6 kWh/h on three days.
 */
export function norwayExample(): Example {
  const settings = settingsOf({
    fuseA: 50,
    phases: 3,
    gridType: 'IT',
    marginA: 3,
    minChargeA: 6,
    tariff: { scheme: 'norway', stepsKwh: [2, 5, 10, 15, 20, 25] },
  });
  let state: HeadroomState = createHeadroomState();
  const step = (input: HeadroomInput) => {
    const r = stepHeadroom(state, input, settings);
    state = r.state;
    return r.headroom;
  };
  // History: 20-22 November, 1 kW all day with one evening hour at 4.2 / 3.6 / 4.6 kWh.
  const nov20 = Date.UTC(2026, 10, 19, 23); // 20 Nov 00:00 CET
  const peaks = [4200, 3600, 4600];
  for (let m = 0; m < 3 * 1440; m++) {
    const t = nov20 + m * 60000;
    const hour = Math.floor(m / 60) % 24;
    const w = hour === 18 ? (peaks[Math.floor(m / 1440)] as number) : 1000;
    const i = w / (Math.sqrt(3) * 230);
    step({
      nowMs: t + 300,
      reading: { protocol: 'dlms', listId: 'KFM_001', meterTime: iso(t, 60), powerImportW: w, l1: { currentA: i }, l3: { currentA: i } },
    });
  }
  // 23 November, 17:00-17:20 at 5.6 kW: the house 1.6 kW and the car at 10 A (10 A x sqrt(3) x 230 V = 3984 W).
  const t17 = Date.UTC(2026, 10, 23, 16);
  for (let s = 0; s < 20 * 60; s += 10) {
    const t = t17 + s * 1000;
    step({
      nowMs: t + 300,
      chargerA: [10, 10, 10],
      reading: {
        protocol: 'dlms',
        listId: 'KFM_001',
        frameKind: 'full',
        threeWire: true,
        meterTime: iso(t, 60),
        powerImportW: 5600,
        l1: { currentA: 15.1, voltageV: 231 },
        l3: { currentA: 13.2, voltageV: 229 },
      },
    });
  }
  const t0 = t17 + 20 * 60000;
  const full: MeterReading = {
    protocol: 'dlms',
    listId: 'KFM_001',
    meterId: '6970631401234567',
    meterModel: 'MA304H3E',
    frameKind: 'full',
    threeWire: true,
    meterTime: iso(t0, 60),
    powerImportW: 5640,
    powerExportW: 0,
    reactivePowerImportVar: 310,
    reactivePowerExportVar: 0,
    l1: { currentA: 15.2, voltageV: 231.2 },
    l2: { voltageV: 230.4 },
    l3: { currentA: 13.1, voltageV: 229.1 },
  };
  const short: MeterReading = { protocol: 'dlms', listId: 'KFM_001', frameKind: 'short', meterTime: iso(t0 + 2000, 60), powerImportW: 7940 };
  const shown: Example['shown'] = [];
  const show = (label: string, input: HeadroomInput) => shown.push({ label, input, headroom: step(input) });
  show('list 2 (full) at 17:20:00, the car drawing 10 A on all three lines', { nowMs: t0 + 350, reading: full, chargerA: [10, 10, 10] });
  show('list 1 (short) at 17:20:02: a 2.3 kW heater switched on', { nowMs: t0 + 2350, reading: short, chargerA: [10, 10, 10] });
  show('no frame for 40 s (cable pulled at 17:20:03): the ladder', { nowMs: t0 + 42350 });
  return { name: 'norway', settings, shown };
}

/**
 * The Netherlands: 3x25 A TN (230/400 V), DSMR 5 telegram every second (currents in whole amps,
 * voltages, per-phase power). A three-phase car charging; a 2 kW kettle on L1 goes on, off, on
 * again (a cycling load), off.
 */
export function dutchExample(): Example {
  const settings = settingsOf({ fuseA: 25, phases: 3, gridType: 'TN', marginA: 2 });
  let state: HeadroomState = createHeadroomState();
  const step = (input: HeadroomInput) => {
    const r = stepHeadroom(state, input, settings);
    state = r.state;
    return r.headroom;
  };
  const telegram = (t: number, house: [number, number, number], carA: number): MeterReading => {
    const a = house.map((h) => Math.round(h + carA)) as [number, number, number];
    const v: [number, number, number] = [231.4, 229.8, 230.6];
    const w = a.map((x, p) => Math.round(x * (v[p] as number)));
    return {
      protocol: 'dsmr',
      dsmrVersion: '50',
      listId: 'ISk5\\2MT382-1000',
      meterId: 'E0043007052870318',
      meterTime: iso(t, 60),
      energyImportTariffWh: [4522108, 3871652],
      energyExportTariffWh: [0, 0],
      tariff: 2,
      powerImportW: (w[0] as number) + (w[1] as number) + (w[2] as number),
      powerExportW: 0,
      l1: { currentA: a[0], voltageV: v[0], powerImportW: w[0], powerExportW: 0 },
      l2: { currentA: a[1], voltageV: v[1], powerImportW: w[1], powerExportW: 0 },
      l3: { currentA: a[2], voltageV: v[2], powerImportW: w[2], powerExportW: 0 },
      phaseCount: 3,
    };
  };
  const t0 = Date.UTC(2026, 10, 23, 18); // 19:00 CET
  // The kettle (9 A on L1) is on from 19:02:01 to 19:02:30 and from 19:03:00 to 19:03:10.
  const kettle = (s: number) => (s >= 121 && s < 150) || (s >= 180 && s < 190);
  const house = (s: number): [number, number, number] => [kettle(s) ? 13 : 4, 2, 1];
  // The car charges at what the answer allows (19 A before the kettle); it follows a new set point 3 s later.
  let car = 19;
  let setpoint = 19;
  let followAt = -1;
  const shown: Example['shown'] = [];
  const labels: Record<number, string> = {
    120: '19:02:00, steady: the car at 19 A, house 4 / 2 / 1 A',
    121: '19:02:01, kettle on L1 (+9 A)',
    150: '19:02:30, kettle off: the 9 A it leaves are kept back (holdOffS 60 s: a kettle, hob or dryer may come back)',
    180: '19:03:00, kettle on again: its room was kept, the answer does not move',
    190: '19:03:10, kettle off again: kept back once more',
    254: '19:04:14, nothing came back for 60 s: the answer rises, 2 A every 5 s',
  };
  for (let s = 0; s <= 254; s++) {
    if (s === followAt) car = setpoint;
    const t = t0 + s * 1000;
    const input: HeadroomInput = { nowMs: t + 200, reading: telegram(t, house(s), car), chargerA: [car, car, car] };
    const h = step(input);
    if (h.threePhaseA !== setpoint) {
      setpoint = h.threePhaseA;
      followAt = s + 3;
    }
    const label = labels[s];
    if (label) shown.push({ label, input, headroom: h });
  }
  return { name: 'netherlands', settings, shown };
}

/** The markdown for one example's steps (between its markers in docs/headroom.md). */
export function renderExample(e: Example): string {
  const out: string[] = [];
  out.push('Settings:', '', '```json', JSON.stringify(e.settings), '```', '');
  for (const s of e.shown) {
    out.push(
      `**${s.label}**`,
      '',
      'Input:',
      '',
      '```json',
      JSON.stringify(s.input),
      '```',
      '',
      'Answer:',
      '',
      '```json',
      JSON.stringify(s.headroom, null, 2),
      '```',
      '',
    );
  }
  return out.join('\n');
}

export const DOC_PATH = join(__dirname, '..', '..', 'docs', 'headroom.md');

export function replaceBlock(doc: string, name: string, body: string): string {
  const begin = `<!-- example:${name}:begin -->`;
  const end = `<!-- example:${name}:end -->`;
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`markers for ${name} not found`);
  return doc.slice(0, a + begin.length) + '\n' + body + '\n' + doc.slice(b);
}

/** One table row per shown step: the short form README.md carries. */
export function renderSummary(e: Example): string {
  const line = (p: Headroom['phases']['l1']) => (p.currentA === undefined ? `? (${p.currentSource})` : `${p.currentA} A ${p.currentSource}`);
  const rows = e.shown.map((s) => {
    const h = s.headroom;
    return `| ${s.label} | ${h.status} | ${h.limitedBy} | ${line(h.phases.l1)} | ${line(h.phases.l2)} | ${line(h.phases.l3)} | ${h.threePhaseA} A | ${h.onePhaseA} A ${h.onePhaseLine ?? ''} |`;
  });
  return ['| step | status | limited by | L1 | L2 | L3 | 3-phase charger | 1-phase charger |', '|---|---|---|---|---|---|---:|---:|', ...rows].join('\n');
}

export const README_PATH = join(__dirname, '..', '..', 'README.md');

export function renderReadme(readme: string): string {
  let d = replaceBlock(readme, 'norway-summary', renderSummary(norwayExample()));
  d = replaceBlock(d, 'netherlands-summary', renderSummary(dutchExample()));
  return d;
}

export function renderDoc(doc: string): string {
  let d = replaceBlock(doc, 'norway', renderExample(norwayExample()));
  d = replaceBlock(d, 'netherlands', renderExample(dutchExample()));
  return d;
}

if (process.argv.includes('--write') && /worked-examples\.ts$/.test(process.argv[1] ?? '')) {
  writeFileSync(DOC_PATH, renderDoc(readFileSync(DOC_PATH, 'utf8')));
  writeFileSync(README_PATH, renderReadme(readFileSync(README_PATH, 'utf8')));
  process.stdout.write('docs/headroom.md examples and README.md summaries rewritten\n');
}
