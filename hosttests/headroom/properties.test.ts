// Property tests over random readings and settings (fast-check): the answer never exceeds what the
// fuse allows, never grows when the load grows (same state), and is 0 once data has been missing
// beyond the ladder. Also: answers and state are plain JSON.
import fc from 'fast-check';
import { createHeadroomState, stepHeadroom, validateHeadroomSettings } from '../../decoders/headroom/index';
import type { Headroom, HeadroomSettings, HeadroomState } from '../../decoders/headroom/index';
import type { MeterReading, PhaseReading } from '../../decoders/reading';
import { T0, isoLocal } from './readings';

const settingsArb = fc
  .record({
    fuseA: fc.constantFrom(16, 20, 25, 32, 35, 40, 50, 63, 80),
    phases: fc.constantFrom(1 as const, 3 as const),
    gridType: fc.constantFrom('TN' as const, 'IT' as const),
    marginA: fc.constantFrom(0, 0.5, 1, 2, 3),
    minChargeA: fc.constantFrom(6, 7),
    powerLimitKw: fc.option(fc.constantFrom(5, 11, 17), { nil: undefined }),
    tariff: fc.constantFrom<HeadroomSettings['tariff']>(
      { scheme: 'none' },
      { scheme: 'norway', stepsKwh: [2, 5, 10, 15, 20] },
      { scheme: 'belgium', targetKw: 2.5 },
    ),
  })
  .map((p) => {
    const input: Record<string, unknown> = { ...p };
    if (p.powerLimitKw === undefined) delete input.powerLimitKw;
    const v = validateHeadroomSettings(input);
    if (!v.ok) throw new Error(v.errors.join('; '));
    return v.settings;
  });

const phaseArb = fc.record(
  {
    currentA: fc.double({ min: 0, max: 90, noNaN: true }),
    voltageV: fc.double({ min: 207, max: 253, noNaN: true }),
    powerImportW: fc.integer({ min: 0, max: 20000 }),
  },
  { requiredKeys: [] },
);

const readingArb = fc.record({
  l1: fc.option(phaseArb, { nil: undefined }),
  l2: fc.option(phaseArb, { nil: undefined }),
  l3: fc.option(phaseArb, { nil: undefined }),
  powerImportW: fc.option(fc.integer({ min: 0, max: 40000 }), { nil: undefined }),
  powerExportW: fc.option(fc.integer({ min: 0, max: 10000 }), { nil: undefined }),
  short: fc.boolean(),
  withTime: fc.boolean(),
  energyImportWh: fc.option(fc.integer({ min: 0, max: 1e6 }), { nil: undefined }),
  averageDemandW: fc.option(fc.integer({ min: 0, max: 20000 }), { nil: undefined }),
});
type ReadingSpec = typeof readingArb extends fc.Arbitrary<infer T> ? T : never;

function build(spec: ReadingSpec, t: number): MeterReading {
  const r: MeterReading = { protocol: 'dlms' };
  if (spec.short) {
    r.frameKind = 'short';
    r.powerImportW = spec.powerImportW ?? 0;
  } else {
    r.frameKind = 'full';
    const clean = (p: Partial<PhaseReading> | undefined) => (p ? { ...p } : undefined);
    const l1 = clean(spec.l1);
    const l2 = clean(spec.l2);
    const l3 = clean(spec.l3);
    if (l1) r.l1 = l1;
    if (l2) r.l2 = l2;
    if (l3) r.l3 = l3;
    if (spec.powerImportW !== undefined) r.powerImportW = spec.powerImportW;
    if (spec.powerExportW !== undefined) r.powerExportW = spec.powerExportW;
    if (spec.energyImportWh !== undefined) r.energyImportWh = spec.energyImportWh;
    if (spec.averageDemandW !== undefined) r.averageDemandW = spec.averageDemandW;
  }
  if (spec.withTime) r.meterTime = isoLocal(t, 60);
  return r;
}

const chargerArb = fc.option(
  fc.tuple(fc.double({ min: 0, max: 32, noNaN: true }), fc.double({ min: 0, max: 32, noNaN: true }), fc.double({ min: 0, max: 32, noNaN: true })),
  { nil: undefined },
);

const historyArb = fc.array(
  fc.record({
    dtMs: fc.oneof(fc.integer({ min: 200, max: 12000 }), fc.integer({ min: 12000, max: 120000 })),
    spec: readingArb,
    charger: chargerArb,
    tick: fc.boolean(),
  }),
  { minLength: 0, maxLength: 25 },
);

/** Play a random history; returns the state, the time and the answers. */
function play(settings: HeadroomSettings, history: { dtMs: number; spec: ReadingSpec; charger: [number, number, number] | undefined; tick: boolean }[]) {
  let state = createHeadroomState();
  let t = T0;
  const answers: Headroom[] = [];
  for (const h of history) {
    t += h.dtMs;
    const input: Parameters<typeof stepHeadroom>[1] = { nowMs: t };
    if (!h.tick) input.reading = build(h.spec, t - 250);
    if (h.charger) input.chargerA = h.charger;
    const r = stepHeadroom(state, input, settings);
    state = r.state;
    answers.push(r.headroom);
  }
  return { state, t, answers };
}

function checkAnswer(h: Headroom, s: HeadroomSettings): void {
  const lines = [h.phases.l1, h.phases.l2, h.phases.l3];
  expect(['ok', 'estimated', 'stale', 'safe-fallback', 'no-data']).toContain(h.status);
  for (const [p, l] of lines.entries()) {
    expect(['measured', 'from-power', 'estimated', 'bound', 'implausible', 'unknown']).toContain(l.currentSource);
    expect(l.limitA).toBe(p < s.phases ? s.fuseA : 0);
    expect(l.headroomA).toBeGreaterThanOrEqual(0);
    expect(l.headroomA).toBeLessThanOrEqual(Math.max(0, l.limitA - s.marginA) + 1e-9);
    // A line with nothing believable to go on has no headroom.
    if (l.currentSource === 'unknown' || (l.currentSource === 'implausible' && l.currentA === undefined)) expect(l.headroomA).toBe(0);
    if (l.currentA !== undefined) {
      expect(Number.isFinite(l.currentA)).toBe(true);
      // Headroom never exceeds limit - margin - (current - own charger) rounded; and never
      // implies a missing current was 0 A (unknown lines have 0 headroom, checked above).
    }
  }
  for (const v of [h.threePhaseA, h.onePhaseA]) {
    expect(Number.isFinite(v)).toBe(true);
    expect(v === 0 || v >= s.minChargeA).toBe(true);
    expect(v).toBeLessThanOrEqual(s.fuseA - s.marginA + 1e-9);
  }
  if (s.phases === 1) expect(h.threePhaseA).toBe(0);
  // The three-phase answer fits every line; the one-phase answer fits the line(s) it names.
  for (const l of lines.slice(0, s.phases)) expect(h.threePhaseA).toBeLessThanOrEqual(l.headroomA + 1e-9);
  if (h.onePhaseLine && h.onePhaseA > 0) {
    for (const name of h.onePhaseLine.split('-')) {
      const l = lines[Number(name[1]) - 1]!;
      expect(h.onePhaseA).toBeLessThanOrEqual(l.headroomA + 1e-9);
    }
  }
  if (h.status === 'safe-fallback') {
    expect(h.threePhaseA).toBeLessThanOrEqual(s.safeCurrentA);
    expect(h.onePhaseA).toBeLessThanOrEqual(s.safeCurrentA);
  }
  expect(JSON.parse(JSON.stringify(h))).toEqual(h);
}

test('every answer stays within the fuse minus the margin, on every line', () => {
  fc.assert(
    fc.property(settingsArb, historyArb, (s, history) => {
      const { answers, state } = play(s, history);
      for (const h of answers) checkAnswer(h, s);
      expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    }),
    { numRuns: 150 },
  );
});

test('more load never gives more headroom (same state)', () => {
  const bump = fc.tuple(fc.double({ min: 0, max: 20, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true }));
  fc.assert(
    fc.property(settingsArb, historyArb, readingArb, bump, chargerArb, fc.integer({ min: 200, max: 15000 }), (s, history, spec, d, charger, dtMs) => {
      const { state, t } = play(s, history);
      const now = t + dtMs;
      // With export flowing, more load means LESS current (the flows cancel), and the plausibility
      // check weighs the lines against the net power: "more load" is only defined without export.
      spec = { ...spec, powerExportW: undefined };
      const more: ReadingSpec = { ...spec };
      const bumpPhase = (p: Partial<PhaseReading> | undefined, dA: number): Partial<PhaseReading> | undefined => {
        if (!p) return p;
        const q = { ...p };
        if (q.currentA !== undefined) q.currentA += dA;
        if (q.powerImportW !== undefined) q.powerImportW += Math.round(dA * 253);
        return q;
      };
      more.l1 = bumpPhase(spec.l1, d[0]);
      // On IT an L2 of exactly 0 A means "not measured" (currents.ts: some 3-wire meters send 0
      // instead of leaving it out); lifting it off 0 changes its meaning, not the load. Excluded.
      more.l2 = s.gridType === 'IT' && spec.l2?.currentA === 0 ? spec.l2 : bumpPhase(spec.l2, d[1]);
      more.l3 = bumpPhase(spec.l3, d[2]);
      // With export flowing, more import means LESS current (the flows cancel): only bump import
      // power when nothing is exported, so "more" really is more load.
      if (spec.powerImportW !== undefined) more.powerImportW = spec.powerImportW + Math.round((d[0] + d[1] + d[2]) * 253);
      if (spec.averageDemandW !== undefined) more.averageDemandW = spec.averageDemandW + Math.round((d[0] + d[1] + d[2]) * 253);
      const inA: Parameters<typeof stepHeadroom>[1] = { nowMs: now, reading: build(spec, now - 250) };
      const inB: Parameters<typeof stepHeadroom>[1] = { nowMs: now, reading: build(more, now - 250) };
      if (charger) {
        inA.chargerA = charger;
        inB.chargerA = charger;
      }
      const a = stepHeadroom(state, inA, s).headroom;
      const b = stepHeadroom(state, inB, s).headroom;
      expect(b.threePhaseA).toBeLessThanOrEqual(a.threePhaseA);
      expect(b.onePhaseA).toBeLessThanOrEqual(a.onePhaseA);
      expect(b.phases.l1.headroomA).toBeLessThanOrEqual(a.phases.l1.headroomA);
      expect(b.phases.l2.headroomA).toBeLessThanOrEqual(a.phases.l2.headroomA);
      expect(b.phases.l3.headroomA).toBeLessThanOrEqual(a.phases.l3.headroomA);
    }),
    { numRuns: 500 },
  );
});

test('data missing beyond the ladder: always 0 A', () => {
  fc.assert(
    fc.property(settingsArb, historyArb, fc.integer({ min: 1, max: 86400000 }), (s, history, extraMs) => {
      const { state, t } = play(s, history);
      const lastFresh = state.lastFreshMs ?? t;
      const h = stepHeadroom(state, { nowMs: Math.max(t, lastFresh + s.zeroAfterS * 1000 + extraMs) }, s).headroom;
      expect(h.threePhaseA).toBe(0);
      expect(h.onePhaseA).toBe(0);
      for (const l of [h.phases.l1, h.phases.l2, h.phases.l3]) expect(l.headroomA).toBe(0);
      expect(h.status).toBe('no-data');
    }),
    { numRuns: 300 },
  );
});

test('a stepped state survives storage as JSON (same next answer)', () => {
  fc.assert(
    fc.property(settingsArb, historyArb, readingArb, (s, history, spec) => {
      const { state, t } = play(s, history);
      const stored = JSON.parse(JSON.stringify(state)) as HeadroomState;
      const input = { nowMs: t + 1000, reading: build(spec, t + 750) };
      expect(stepHeadroom(stored, input, s)).toEqual(stepHeadroom(state, input, s));
    }),
    { numRuns: 200 },
  );
});

test('stepHeadroom does not modify the state it is given', () => {
  fc.assert(
    fc.property(settingsArb, historyArb, readingArb, (s, history, spec) => {
      const { state, t } = play(s, history);
      const before = JSON.stringify(state);
      stepHeadroom(state, { nowMs: t + 1000, reading: build(spec, t + 750) }, s);
      expect(JSON.stringify(state)).toBe(before);
    }),
    { numRuns: 100 },
  );
});

test('garbage in reading fields (strings, NaN, null, negative, huge) never throws and stays within the fuse', () => {
  const junk = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.constant(NaN),
    fc.constant(Infinity),
    fc.constant(-Infinity),
    fc.double(),
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.string({ maxLength: 12 }),
    fc.boolean(),
    fc.constant([]),
    fc.constant({}),
  );
  const phaseJunk = fc.oneof(fc.constant(undefined), fc.constant(null), fc.record({ currentA: junk, voltageV: junk, powerImportW: junk, powerExportW: junk }));
  const garbage = fc.record({
    l1: phaseJunk,
    l2: phaseJunk,
    l3: phaseJunk,
    powerImportW: junk,
    powerExportW: junk,
    energyImportWh: junk,
    energyImportTariffWh: fc.oneof(junk, fc.array(junk, { maxLength: 3 })),
    averageDemandW: junk,
    monthPeakW: junk,
    meterTime: fc.oneof(junk, fc.constantFrom('2026-11-23T18:00:00', '2026-11-23T18:00:00+01:00', '2026-13-45T99:99:99Z', 'yesterday', '')),
    frameKind: fc.oneof(junk, fc.constantFrom('short', 'full')),
    threeWire: junk,
  });
  fc.assert(
    fc.property(settingsArb, fc.array(fc.tuple(garbage, fc.integer({ min: 0, max: 20000 })), { maxLength: 12 }), (s, frames) => {
      let state = createHeadroomState();
      let t = T0;
      for (const [g, dt] of frames) {
        t += dt;
        const reading = { protocol: 'dlms', ...g } as unknown as MeterReading;
        const r = stepHeadroom(state, { nowMs: t, reading }, s);
        state = r.state;
        checkAnswer(r.headroom, s);
      }
    }),
    { numRuns: 200 },
  );
});
