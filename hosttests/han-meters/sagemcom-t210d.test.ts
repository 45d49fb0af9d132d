/**
 * Sagemcom T210-D (Austria, M-Bus, glo-ciphering SC 0x20). No capture with its key is public, so
 * the list is tested on the plaintexts the sources printed (hosttests/han-meters/apdus/): the
 * firmware's own decryption of the wire frames in hosttests/vectors/han-nokey/ (same frame
 * counter), a reporter's decryption (#867) and the maintainer's annotated frame (austria.raw).
 *
 * The list: { date-time, 11 x (OBIS, value, scaler_unit), meter number } - flat, OBIS
 * interleaved with scaler_unit, which the generic obis-named shape already maps (the meter
 * number is the untagged octet-string at the end; 1-0:13.7.0 power factor is not in the contract).
 */
import type { MeterReading } from '../../decoders/reading';
import { DlmsApduDecoder } from '../../decoders/dlms/apdu';
import { listToReading } from '../../decoders/dlms/lists/registry';
import { aesGcmEncrypt } from '../../decoders/crypto/gcm';
import { MbusSplitter } from '../../decoders/mbus/mbus-splitter';
import { APDUS, VECTORS, at, capture, capturesIn, codes, feed } from '../../tools/captures/han-captures';
import { join } from 'node:path';

const DIR = join(APDUS, 'amsreader-firmware');
const plaintexts = capturesIn(DIR).filter((c) => c.name.includes('sagemcom'));

function viaRegistry(bytes: Uint8Array): { reading: MeterReading; shape: string } {
  const o = new DlmsApduDecoder().decode(bytes);
  if (o.kind !== 'list') throw new Error(`not a notification: ${JSON.stringify(o)}`);
  const m = listToReading(o.list, o.timeIso, o.encrypted);
  if (!m.ok) throw new Error(m.error.message);
  return m;
}

test('four real T210-D plaintexts, each the 243 bytes its glo-ciphering length announces (0xF8 - 5)', () => {
  expect(plaintexts).toHaveLength(4);
  for (const p of plaintexts) expect(p.bytes.length).toBe(0xf8 - 5);
});

describe.each(plaintexts.map((p) => [p.name, p] as const))('%s', (_name, p) => {
  test('decodes to the values of the list', () => {
    const { reading, shape } = viaRegistry(p.bytes);
    expect(shape).toBe('obis-named');
    for (const [path, value] of Object.entries(p.sidecar.expected_reading as Record<string, number | string>)) {
      expect({ path, value: at(reading, path) }).toEqual({ path, value });
    }
    expect(reading.phaseCount).toBe(3);
    expect(reading.threeWire).toBeUndefined(); // 230/400 V TN: all three voltages ~233 V
    expect(reading.frameKind).toBe('full');
  });
});

/**
 * End to end through the non-standard header. BUILT IN THIS TEST, not a capture: the real
 * plaintext of gh248-3 is encrypted with a test key under the real frame's system title and frame
 * counter, and cut into the real capture's two segments (252 + 8 APDU bytes behind the real
 * 68 01 01 68 / 68 0D 0D 68 headers), checksums recomputed. It shows that a user who has the key
 * gets the list out of such frames.
 */
test('68 01 01 68 + 68 0D 0D 68 with a key: the list comes out (frames built from the real ones)', () => {
  const wire = capture(join(VECTORS, 'han-nokey', 'amsreader-firmware'), 'sagemcom-t210d-gh248-3').bytes;
  const plain = capture(DIR, 'sagemcom-t210d-gh248-3-plaintext').bytes;
  const key = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const head = wire.subarray(9, 9 + 17); // DB 08 <system title> 81 F8 20 <frame counter>
  const iv = new Uint8Array(12);
  iv.set(head.subarray(2, 10), 0);
  iv.set(head.subarray(13, 17), 8);
  const { ciphertext } = aesGcmEncrypt({ key, iv, plaintext: plain }); // SC 0x20: the tag is not sent;
  const apdu = new Uint8Array(head.length + ciphertext.length);
  apdu.set(head, 0);
  apdu.set(ciphertext, head.length);
  expect(apdu.length).toBe(252 + 8);
  const frame = (header: Uint8Array, data: Uint8Array): number[] => {
    const body = [...header.subarray(4), ...data];
    const cs = body.reduce((s, b) => (s + b) & 0xff, 0);
    return [...header.subarray(0, 4), ...body, cs, 0x16];
  };
  const bytes = Uint8Array.from([...frame(wire.subarray(0, 9), apdu.subarray(0, 252)), ...frame(wire.subarray(263, 272), apdu.subarray(252))]);
  expect([...bytes.subarray(0, 4)]).toEqual([0x68, 0x01, 0x01, 0x68]);
  expect(bytes.length).toBe(wire.length);

  const rs = feed(new MbusSplitter({ encryptionKey: key }), bytes, 5);
  expect(codes(rs)).toEqual(['ok']);
  const reading = (rs[0] as { reading: MeterReading }).reading;
  expect(reading).toEqual({ ...viaRegistry(plain).reading, encrypted: true });
  // and without it, the real capture: a clear "no key" instead of numbers
  expect(codes(feed(new MbusSplitter(), wire))).toEqual(['encrypted-no-key']);
});
