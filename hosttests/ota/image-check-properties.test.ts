/**
 * Properties of the streaming image check: it never throws on any input or chunking, and with the
 * appended SHA-256 every single-bit change anywhere in a good image is refused (header, segment
 * headers, data, padding, checksum or the hash itself).
 */
import fc from 'fast-check';
import { EspImageChecker } from '../../firmware/app/ota/esp-image';
import { buildTestImage } from './esp-image-builder';

const options = { projectName: 'meterbox', runningVersion: '1.0.0', maxSizeBytes: 4096 };

function run(bytes: Uint8Array, chunk: number) {
  const c = new EspImageChecker(options);
  for (let i = 0; i < bytes.length; i += chunk) if (c.write(bytes.subarray(i, i + chunk))) break;
  return c.finish();
}

test('never throws, always gives a verdict, on random bytes and random chunking', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 512 }), (bytes, chunk) => {
      const r = run(bytes, chunk);
      return r.ok ? typeof r.info.version === 'string' : typeof r.reason === 'string' && r.reason.length > 0;
    }),
    { numRuns: 300 },
  );
});

test('never throws on a good image with random bytes overwritten (header-shaped garbage)', () => {
  const good = buildTestImage({ version: '1.1.0' });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.integer({ min: 1, max: 64 }),
      (edits, chunk) => {
        const b = good.slice();
        for (const [i, v] of edits) b[i] = v;
        const r = run(b, chunk);
        return r.ok || r.reason.length > 0;
      },
    ),
    { numRuns: 300 },
  );
});

test('every single-bit flip of a hashed image is refused', () => {
  const good = buildTestImage({ version: '1.1.0', segmentSizes: [300, 40, 24] });
  expect(run(good, 64).ok).toBe(true);
  let accepted = 0;
  for (let i = 0; i < good.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const b = good.slice();
      b[i] ^= bit;
      if (run(b, 64).ok) accepted++;
    }
  }
  expect(accepted).toBe(0);
});
