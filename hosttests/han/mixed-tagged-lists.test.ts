/**
 * Lists of OBIS-tagged structures with scalars between them (TINETZ Kaifa over M-Bus starts with
 * a bare clock name 0-0:1.0.0 and the clock, then tagged structures): the one list reader
 * (push-list.ts) folds each tagged structure into one named item and names the clock by the bare
 * name before it; the generic OBIS shape maps them when more than half of the items are tagged
 * structures (or two or more names are interleaved). Lists at the edge of that rule, and every
 * cut of a good one, give a clear result and never throw.
 */
import type { FrameResult } from '../../decoders/frame-result';
import { decodeRawApdu } from '../../decoders/dlms/raw-apdu';

const stamp = [0x09, 0x0c, 0x07, 0xe5, 0x07, 0x13, 0x01, 0x0f, 0x2e, 0x23, 0x00, 0xff, 0x88, 0x80];
const name = (...n: number[]) => [0x09, 0x06, ...n];
/** { name, double-long-unsigned value, scaler_unit } */
const tagged = (c: number, d: number, value: number, scaler: number, unit: number) => [
  0x02,
  0x03,
  ...name(1, 0, c, d, 0, 0xff),
  0x06,
  (value >>> 24) & 0xff,
  (value >>> 16) & 0xff,
  (value >>> 8) & 0xff,
  value & 0xff,
  0x02,
  0x02,
  0x0f,
  scaler & 0xff,
  0x16,
  unit,
];
/** { name, long-unsigned value, scaler_unit } for a voltage. */
const voltage = (c: number, value: number) => [0x02, 0x03, ...name(1, 0, c, 7, 0, 0xff), 0x12, value >> 8, value & 0xff, 0x02, 0x02, 0x0f, 0xff, 0x16, 0x23];

function notification(items: number[][]): Uint8Array {
  return Uint8Array.from([0x0f, 0, 0, 0, 1, 0x00, 0x02, items.length, ...items.flat()]);
}

function one(apdu: Uint8Array): FrameResult {
  const rs = decodeRawApdu(apdu);
  expect(rs).toHaveLength(1);
  return rs[0];
}

const power = tagged(1, 7, 1234, 0, 27);
const energy = tagged(1, 8, 56789, 1, 30);

describe('tagged structures with scalars between them', () => {
  it('a bare clock name and the clock first (TINETZ layout): the clock named by it, every tagged value mapped', () => {
    const r = one(notification([name(0, 0, 1, 0, 0, 0xff), stamp, power, energy, voltage(32, 2301), voltage(52, 2299)]));
    expect(r).toMatchObject({
      ok: true,
      reading: { meterTime: '2021-07-19T15:46:35+02:00', powerImportW: 1234, energyImportWh: 567890, l1: { voltageV: 230.1 }, l2: { voltageV: 229.9 } },
    });
  });

  it.each([
    ['a printable first name (could be a list id)', [name(0x4b, 0x46, 0x4d, 0x30, 0x30, 0x31), stamp, power, energy, voltage(32, 2301)]],
    ["Austria's 0-6:25.9.0 first", [name(0, 6, 25, 9, 0, 0xff), stamp, power, energy, voltage(32, 2301)]],
  ])('%s: more than half tagged, mapped by name (the unknown first name ignored)', (_what, items) => {
    const r = one(notification(items as number[][]));
    expect(r).toMatchObject({ ok: true, reading: { powerImportW: 1234, energyImportWh: 567890, l1: { voltageV: 230.1 } } });
  });

  it.each([
    ['half of the items tagged, not more', [name(0, 0, 1, 0, 0, 0xff), stamp, power, energy]],
    ['a stray scaler_unit between them', [name(0, 0, 1, 0, 0, 0xff), stamp, power, [0x02, 0x02, 0x0f, 0x00, 0x16, 0x1b], energy, voltage(32, 2301)]],
  ])('%s: no shape claims it: "not recognised", not a guess', (_what, items) => {
    const r = one(notification(items as number[][]));
    expect(r).toMatchObject({ ok: false, error: { code: 'unsupported', message: 'data-notification list shape not recognised' } });
  });

  it('cut short anywhere: never a reading, a clear error, never a throw', () => {
    const whole = notification([name(0, 0, 1, 0, 0, 0xff), stamp, power, energy, voltage(32, 2301), voltage(52, 2299)]);
    for (let n = 6; n < whole.length; n++) {
      const r = one(whole.subarray(0, n));
      expect({ n, ok: r.ok }).toEqual({ n, ok: false });
      if (!r.ok) expect(['malformed', 'truncated']).toContain(r.error.code);
    }
  });
});
