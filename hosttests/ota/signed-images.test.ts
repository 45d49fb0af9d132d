/**
 * Signed firmware (issue 15): images must carry a valid signature of the release key before the
 * boot slot changes. Through `npm start`'s HTTP API (started with --ota-public-key, an ECDSA P-256
 * test key: the ESP32 scheme) a signed image is accepted; an unsigned, a wrongly signed, a
 * re-signed-elsewhere, a truncated-signature and a downgraded one are refused with the reason, the
 * running slot's bytes and otadata untouched each time. The ESP32-C3 scheme (RSA-3072 v2) and a
 * box without a release key run on the machine and the file slots directly.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OtaMachine } from '../../firmware/app/ota/ota-machine';
import { FileOtaSlots } from '../../firmware/host/ota-file-slots';
import { releaseKeyVerifier } from '../../firmware/host/ota-signature';
import { getJson, spawnApp, tempDir } from '../e2e/helpers';
import type { SpawnedApp } from '../e2e/helpers';
import { buildTestImage } from './esp-image-builder';
import { makeTestKey } from './test-release-key';

const release = makeTestKey('ecdsa-p256-v1');
const stranger = makeTestKey('ecdsa-p256-v1');

describe('through the HTTP API of npm start (ECDSA P-256, the ESP32 scheme)', () => {
  let app: SpawnedApp;
  let dir: string;
  let token: string;
  const otadata = () => readFileSync(join(dir, 'ota', 'otadata.json'), 'utf8');
  const slot0 = () =>
    createHash('sha256')
      .update(readFileSync(join(dir, 'ota', 'ota_0.bin')))
      .digest('hex');
  const upload = (image: Uint8Array, query = '') =>
    getJson(app.url + '/api/v1/firmware' + query, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
      body: Buffer.from(image),
    });

  beforeAll(async () => {
    dir = tempDir('ota-signed-');
    app = await spawnApp([
      '--settings',
      join(dir, 'settings.json'),
      '--ota-dir',
      join(dir, 'ota'),
      '--ota-public-key',
      release.publicPath,
      '--ota-health-deadline-ms',
      '60000',
    ]);
    const setup = await getJson(app.url + '/api/v1/auth/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'box-admin-password' }),
    });
    token = setup.body.token;
  }, 30000);
  afterAll(() => app?.stop());

  test('the status says what an image must carry', async () => {
    const s = await getJson(app.url + '/api/v1/firmware');
    expect(s.body.signature).toEqual({ required: true, scheme: 'ecdsa-p256-v1', checkedBy: 'here' });
    expect(app.output()).toMatch(/images must be signed \(ecdsa-p256-v1\)/);
  });

  const image = buildTestImage({ version: '1.1.0', fillerSeed: 11 });
  const signed = release.sign(image);
  const otherImage = buildTestImage({ version: '1.1.0', fillerSeed: 12 });
  test.each([
    ['unsigned', image, /image is not signed/],
    ['signed with another key', stranger.sign(image), /not made with this box's release key/],
    [
      'signature taken from another signed image',
      Buffer.concat([Buffer.from(otherImage), Buffer.from(signed.subarray(image.length))]),
      /not made with this box's release key/,
    ],
    ['truncated signature', signed.subarray(0, signed.length - 10), /signature is truncated/],
    [
      'signature block of another scheme',
      Buffer.concat([Buffer.from(image), Buffer.from([2, 0, 0, 0]), Buffer.from(signed.subarray(image.length + 4))]),
      /version is 2, not 0/,
    ],
    ['bytes after the signature', Buffer.concat([Buffer.from(signed), Buffer.from([0])]), /unexpected data after the signature/],
    ['downgraded (signed, older version)', release.sign(buildTestImage({ version: '0.0.9' })), /older than running 0\.1\.0; upload with force/],
  ])('%s: refused with the reason, running slot and otadata untouched', async (_name, bytes, reason) => {
    const before = { slot: slot0(), otadata: otadata() };
    const r = await upload(bytes);
    // 400 when refused while arriving (format, version), 422 when refused at the end (signature).
    expect([400, 422]).toContain(r.status);
    expect(r.body.error).toMatch(reason);
    expect(slot0()).toBe(before.slot);
    expect(otadata()).toBe(before.otadata);
    expect(JSON.parse(otadata())).toMatchObject({ running: 0, nextBoot: 0 });
  });

  test('a signed image is accepted and becomes the next boot image', async () => {
    const before = slot0();
    const r = await upload(signed);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, version: '1.1.0' });
    expect(readFileSync(join(dir, 'ota', 'ota_1.bin'))).toEqual(Buffer.from(signed));
    expect(slot0()).toBe(before);
  });
});

describe('on the machine and the file slots', () => {
  function rig(config: Partial<ConstructorParameters<typeof OtaMachine>[1]>) {
    const dir = tempDir('ota-signed-machine-');
    const slots = new FileOtaSlots({ dir, slotSizeBytes: 0x20000, factoryVersion: '1.0.0' });
    const machine = new OtaMachine(slots, { projectName: 'meterbox', firmwareVersion: '1.0.0', ...config });
    machine.boot(0);
    const install = (bytes: Uint8Array) => {
      const opened = machine.beginUpload({ sizeBytes: bytes.length }, 0);
      if (!opened.ok) return opened.reason;
      for (let i = 0; i < bytes.length; i += 1000) {
        const stop = opened.session.write(bytes.subarray(i, i + 1000), 0);
        if (stop) return stop;
      }
      const end = opened.session.end(0);
      return end.ok ? 'installed' : end.reason;
    };
    const otadata = () => readFileSync(join(dir, 'otadata.json'), 'utf8');
    return { machine, install, otadata };
  }

  test('RSA-3072 v2 (the ESP32-C3 scheme): signed accepted; unsigned, another key and a damaged block refused', () => {
    const c3 = makeTestKey('rsa3072-v2');
    const other = makeTestKey('rsa3072-v2');
    const r = rig({ signature: releaseKeyVerifier(readFileSync(c3.publicPath)) });
    const image = buildTestImage({ version: '1.1.0' });
    const good = c3.sign(image);
    expect(good.length % 4096).toBe(0);
    const before = r.otadata();
    expect(r.install(image)).toMatch(/image signature is truncated|image is not signed/);
    expect(r.install(other.sign(image))).toMatch(/another RSA key/);
    const damaged = good.slice();
    damaged[good.length - 4096 + 900] ^= 1;
    expect(r.install(damaged)).toMatch(/CRC does not match/);
    expect(r.otadata()).toBe(before);
    expect(r.install(good)).toBe('installed');
    expect(JSON.parse(r.otadata())).toMatchObject({ nextBoot: 1, states: ['valid', 'new'] });
  });

  test('a box without a release key installs nothing and says why', () => {
    const r = rig({});
    const before = r.otadata();
    expect(r.install(release.sign(buildTestImage({ version: '1.1.0' })))).toMatch(/no release key to check images with/);
    expect(r.machine.status(0).signature).toEqual({ required: false, reason: 'no release key: no image is installed' });
    expect(r.otadata()).toBe(before);
  });

  test('a forced downgrade of a signed image is accepted (the owner asked for it); force never skips the signature', () => {
    const r = rig({ signature: releaseKeyVerifier(readFileSync(release.publicPath)) });
    const old = buildTestImage({ version: '0.9.0' });
    const forced = (bytes: Uint8Array) => {
      const opened = r.machine.beginUpload({ force: true }, 0);
      if (!opened.ok) return opened.reason;
      const stop = opened.session.write(bytes, 0);
      if (stop) return stop;
      const end = opened.session.end(0);
      return end.ok ? 'installed' : end.reason;
    };
    expect(forced(old)).toMatch(/image is not signed/);
    expect(forced(release.sign(old))).toBe('installed');
  });
});
