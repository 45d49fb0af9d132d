/**
 * Lists of OBIS-tagged structures with scalars between them (TINETZ Kaifa over M-Bus starts with
 * a bare clock name 0-0:1.0.0 and the clock, then tagged structures) are mapped straight from the
 * bytes when their first item rules out every shape the registry asks before obis-structures
 * (apdu.ts bareNameFirst). The result must be exactly the general path's (A-XDR tree + registry),
 * also for the lists at the edges of that rule, which must fall back to it.
 */
import { DlmsApduDecoder } from '../../decoders/dlms/apdu';
import { apduOutcomeToResult } from '../../decoders/dlms/dlms-result';

const stamp = [0x09, 0x0c, 0x07, 0xe5, 0x07, 0x13, 0x01, 0x0f, 0x2e, 0x23, 0x00, 0xff, 0x88, 0x80];
const name = (...n: number[]) => [0x09, 0x06, ...n];
/** { name, double-long-unsigned value, scaler_unit } */
const tagged = (c: number, d: number, value: number, scaler: number, unit: number) => [
  0x02, 0x03, ...name(1, 0, c, d, 0, 0xff), 0x06, (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff,
  0x02, 0x02, 0x0f, scaler & 0xff, 0x16, unit,
];
/** { name, long-unsigned value, scaler_unit } for a voltage. */
const voltage = (c: number, value: number) => [0x02, 0x03, ...name(1, 0, c, 7, 0, 0xff), 0x12, value >> 8, value & 0xff, 0x02, 0x02, 0x0f, 0xff, 0x16, 0x23];

function notification(items: number[][]): Uint8Array {
  return Uint8Array.from([0x0f, 0, 0, 0, 1, 0x00, 0x02, items.length, ...items.flat()]);
}

function both(apdu: Uint8Array): [string, string, string] {
  const fast = new DlmsApduDecoder({ mapLists: true }).decode(apdu);
  const general = new DlmsApduDecoder({ mapLists: false }).decode(apdu);
  const show = (o: ReturnType<DlmsApduDecoder['decode']>) => JSON.stringify(apduOutcomeToResult(o, 'mbus', apdu, false), (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v));
  return [fast.kind, show(fast), show(general)];
}

const power = tagged(1, 7, 1234, 0, 27);
const energy = tagged(1, 8, 56789, 1, 30);

describe('tagged structures with scalars between them', () => {
  it('a bare clock name and the clock first (TINETZ layout): mapped from the bytes, same result as the tree', () => {
    const [kind, fast, general] = both(notification([name(0, 0, 1, 0, 0, 0xff), stamp, power, energy, voltage(32, 2301), voltage(52, 2299)]));
    expect(kind).toBe('mapped');
    expect(fast).toBe(general);
    expect(JSON.parse(fast).reading.powerImportW).toBe(1234);
  });

  it.each([
    ['a printable first name (could be a list id)', [name(0x4b, 0x46, 0x4d, 0x30, 0x30, 0x31), stamp, power, energy, voltage(32, 2301)]],
    ["Austria's 0-6:25.9.0 first", [name(0, 6, 25, 9, 0, 0xff), stamp, power, energy, voltage(32, 2301)]],
    ['half of the items tagged, not more', [name(0, 0, 1, 0, 0, 0xff), stamp, power, energy]],
    ['a structure that is not a tagged one', [name(0, 0, 1, 0, 0, 0xff), stamp, power, [0x02, 0x02, 0x0f, 0x00, 0x16, 0x1b], energy, voltage(32, 2301)]],
  ])('%s: the general path decides', (_what, items) => {
    const [kind, fast, general] = both(notification(items as number[][]));
    expect(kind).not.toBe('mapped');
    expect(fast).toBe(general);
  });

  it('cut short anywhere: the same result (or error) as the tree', () => {
    const whole = notification([name(0, 0, 1, 0, 0, 0xff), stamp, power, energy, voltage(32, 2301), voltage(52, 2299)]);
    for (let n = 8; n < whole.length; n++) {
      const [, fast, general] = both(whole.subarray(0, n));
      expect(fast).toBe(general);
    }
  });
});
