import { defaultHeadroomSettings, validateHeadroomSettings } from '../../decoders/headroom/index';

describe('validateHeadroomSettings refuses nonsense with a reason', () => {
  const cases: [string, unknown, RegExp][] = [
    ['0 A fuse', { fuseA: 0 }, /0 A main fuse/],
    ['4 phases', { phases: 4 }, /phases must be 1 or 3/],
    ['negative margin', { marginA: -1 }, /marginA .*cannot be negative/],
    ['minimum current above the fuse', { fuseA: 10, marginA: 2, minChargeA: 9 }, /could never charge/],
    ['margin eats the fuse', { fuseA: 10, marginA: 10 }, /leaves nothing/],
    ['unknown grid', { gridType: 'TT' }, /gridType must be 'TN'.*or 'IT'/],
    ['thresholds out of order', { staleAfterS: 40, safeFallbackAfterS: 30 }, /must rise/],
    ['safe current below minimum', { safeCurrentA: 3 }, /use 0 or at least the minimum/],
    ['safe current above fuse', { fuseA: 16, safeCurrentA: 16 }, /above the fuse minus margin/],
    ['text instead of number', { fuseA: '25' }, /fuseA must be a number/],
    ['unknown key (typo)', { fuse: 25 }, /unknown setting 'fuse'/],
    ['norway steps not ascending', { tariff: { scheme: 'norway', stepsKwh: [5, 2] } }, /ascending/],
    ['belgium without target', { tariff: { scheme: 'belgium' } }, /targetKw/],
    ['unknown tariff', { tariff: { scheme: 'sweden' } }, /tariff.scheme must be/],
    ['zero power limit', { powerLimitKw: 0 }, /powerLimitKw must be a number above 0/],
    ['pair on TN', { chargerLine: 'L1-L3' }, /TN grid/],
    ['single line on IT', { gridType: 'IT', chargerLine: 'L1' }, /IT grid/],
    ['not an object', 42, /must be an object/],
    ['negative hold-off', { holdOffS: -1 }, /holdOffS -1 is out of range 0..3600/],
    ['hold-off over an hour', { holdOffS: 7200 }, /holdOffS 7200 is out of range/],
  ];
  test.each(cases)('%s', (_name, input, message) => {
    const r = validateHeadroomSettings(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(message);
  });

  test('one mistake gives one message (no cascade from fallback values)', () => {
    const r = validateHeadroomSettings({ fuseA: 0 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toHaveLength(1);
  });
});

describe('validateHeadroomSettings accepts sound settings', () => {
  test('empty object gives the defaults', () => {
    const r = validateHeadroomSettings({});
    expect(r).toEqual({ ok: true, settings: defaultHeadroomSettings });
  });

  test('the defaults validate, and survive a JSON round trip', () => {
    const r = validateHeadroomSettings(JSON.parse(JSON.stringify(defaultHeadroomSettings)));
    expect(r.ok).toBe(true);
  });

  test('Norwegian IT installation with a capacity tariff and a 7 A car', () => {
    const r = validateHeadroomSettings({
      fuseA: 63,
      phases: 3,
      gridType: 'IT',
      marginA: 3,
      minChargeA: 7,
      chargerLine: 'L1-L3',
      tariff: { scheme: 'norway', stepsKwh: [2, 5, 10, 15, 20, 25] },
    });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.settings.minChargeA).toBe(7);
      expect(r.settings.tariff).toEqual({ scheme: 'norway', stepsKwh: [2, 5, 10, 15, 20, 25] });
      expect(r.settings.chargerLine).toBe('L1-L3');
    }
  });

  test('safe current 0 is allowed (stop at once when data is missing)', () => {
    expect(validateHeadroomSettings({ safeCurrentA: 0 }).ok).toBe(true);
  });

  test("the caller's object is not shared with the result", () => {
    const steps = [2, 5, 10];
    const r = validateHeadroomSettings({ tariff: { scheme: 'norway', stepsKwh: steps } });
    steps.push(1);
    expect(r.ok && r.settings.tariff.scheme === 'norway' && r.settings.tariff.stepsKwh).toEqual([2, 5, 10]);
  });
});
