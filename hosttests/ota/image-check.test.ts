import { createHash } from 'node:crypto';
import { EspImageChecker } from '../../firmware/app/ota/esp-image';
import type { ImageCheckOptions } from '../../firmware/app/ota/esp-image';
import { hmacSha256, sha256 } from '../../firmware/app/crypto/sha256';
import { compareVersions } from '../../firmware/app/ota/version';
import { buildTestImage } from './esp-image-builder';
import { createHmac } from 'node:crypto';

const base: ImageCheckOptions = { projectName: 'meterbox', runningVersion: '1.0.0', maxSizeBytes: 4096 };

function check(image: Uint8Array, options: Partial<ImageCheckOptions> = {}, chunkSize = 7) {
  const c = new EspImageChecker({ ...base, ...options });
  for (let i = 0; i < image.length; i += chunkSize) {
    if (c.write(image.subarray(i, i + chunkSize))) break;
  }
  return c.finish();
}

describe('sha256 and hmac agree with node:crypto', () => {
  test.each([0, 1, 55, 56, 63, 64, 65, 1000])('sha256 of %i bytes', (n) => {
    const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
    expect(Buffer.from(sha256(data)).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });
  test('hmac with short and long keys', () => {
    for (const keyLength of [16, 64, 100]) {
      const key = Uint8Array.from({ length: keyLength }, (_, i) => i);
      const msg = new TextEncoder().encode('meterbox-ap-password');
      expect(Buffer.from(hmacSha256(key, msg)).toString('hex')).toBe(createHmac('sha256', key).update(msg).digest('hex'));
    }
  });
});

describe('version order', () => {
  test.each([
    ['1.2.3', '1.2.3', 0],
    ['1.2.4', '1.2.3', 1],
    ['v1.10.0', '1.9.9', 1],
    ['1.2', '1.2.0', 0],
    ['1.2.3-rc.1', '1.2.3', -1],
    ['v1.2.3-4-gabc123', 'v1.2.3', 1],
    ['0.9.0', '1.0.0', -1],
    ['1.0.0-dirty', '1.0.0', 0],
    ['garbage', '1.0.0', undefined],
  ])('%s vs %s', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});

describe('ESP32 image check', () => {
  test('a good image passes in any chunking, with its description read', () => {
    const image = buildTestImage({ version: '1.1.0' });
    for (const chunk of [1, 7, 16, 100, image.length]) {
      const r = check(image, {}, chunk);
      expect(r).toEqual({
        ok: true,
        info: expect.objectContaining({
          version: '1.1.0',
          projectName: 'meterbox',
          chipId: 0,
          segmentCount: 3,
          hashChecked: true,
          sizeBytes: image.length,
          idfVersion: 'v5.4.1',
        }),
      });
    }
  });
  test('an image without an appended hash passes on its checksum alone', () => {
    const r = check(buildTestImage({ hashAppended: false }));
    expect(r.ok && r.info.hashChecked).toBe(false);
    expect(r.ok).toBe(true);
  });
  test('an empty segment (length 0) is allowed', () => {
    expect(check(buildTestImage({ segmentSizes: [300, 0, 40] })).ok).toBe(true);
  });

  const rejected: [string, () => Uint8Array, Partial<ImageCheckOptions>, RegExp][] = [
    ['bad magic', () => buildTestImage({ magic: 0x7f }), {}, /not an ESP32 app image: first byte is 0x7f/],
    ['wrong chip (ESP32-S3)', () => buildTestImage({ chipId: 0x0009 }), {}, /built for ESP32-S3, this box is ESP32/],
    ['segment count 0', () => buildTestImage({ segmentCountByte: 0 }), {}, /segment count 0/],
    ['segment count 17', () => buildTestImage({ segmentCountByte: 17 }), {}, /segment count 17/],
    ['no app description', () => buildTestImage({ appDescMagic: 0x12345678 }), {}, /no app description/],
    ['wrong project', () => buildTestImage({ projectName: 'hello_world' }), {}, /project "hello_world", this box runs "meterbox"/],
    ['older version', () => buildTestImage({ version: '0.9.0' }), {}, /older than running 1.0.0/],
    ['unparseable version', () => buildTestImage({ version: 'nightly' }), {}, /cannot compare/],
    ['too big for the slot', () => buildTestImage({ segmentSizes: [2000, 2000, 2000] }), {}, /larger than the update slot|more than the update slot/],
    ['truncated in a segment', () => buildTestImage().subarray(0, 500), {}, /truncated: upload ended at byte 500 while reading the segment-data/],
    [
      'truncated in the hash',
      () => {
        const i = buildTestImage();
        return i.subarray(0, i.length - 5);
      },
      {},
      /truncated/,
    ],
    [
      'flipped data byte',
      () => {
        const i = buildTestImage({ hashAppended: false }).slice();
        i[400] ^= 0x01;
        return i;
      },
      {},
      /checksum mismatch/,
    ],
    [
      'flipped byte with hash: checksum still caught first',
      () => {
        const i = buildTestImage().slice();
        i[400] ^= 0x01;
        return i;
      },
      {},
      /checksum mismatch/,
    ],
    [
      'padding byte changed (outside the checksum): only the hash sees it',
      () => {
        const i = buildTestImage({ segmentSizes: [300] }).slice();
        i[i.length - 33 - 1] ^= 0x40;
        return i;
      },
      {},
      /SHA-256 does not match/,
    ],
    [
      'hash itself corrupted',
      () => {
        const i = buildTestImage().slice();
        i[i.length - 1] ^= 0xff;
        return i;
      },
      {},
      /SHA-256 does not match/,
    ],
    [
      'trailing bytes',
      () => {
        const i = buildTestImage();
        const o = new Uint8Array(i.length + 4);
        o.set(i);
        return o;
      },
      {},
      /unexpected data after the image end/,
    ],
    ['empty upload', () => new Uint8Array(0), {}, /truncated: upload ended at byte 0/],
  ];
  test.each(rejected)('%s is rejected with a reason', (_name, make, options, reason) => {
    const r = check(make(), options);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  test('force allows a downgrade but never a wrong project or chip', () => {
    expect(check(buildTestImage({ version: '0.9.0' }), { force: true }).ok).toBe(true);
    expect(check(buildTestImage({ version: '0.9.0', projectName: 'other' }), { force: true }).ok).toBe(false);
    expect(check(buildTestImage({ chipId: 5 }), { force: true }).ok).toBe(false);
  });
  test('a wrong project is refused as soon as the description arrives, before the rest is read', () => {
    const image = buildTestImage({ projectName: 'other', segmentSizes: [2000, 1000] });
    const c = new EspImageChecker(base);
    expect(c.write(image.subarray(0, 32 + 256))).toMatch(/project "other"/);
  });
});
