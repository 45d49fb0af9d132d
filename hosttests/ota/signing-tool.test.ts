/**
 * The project's signing tool (tools/firmware/sign-image.ts, esp-signing.ts) against espsecure's own
 * output (hosttests/ota/espsecure-vectors/, provenance in its README):
 * - ECDSA P-256 v1 (ESP32): signing espsecure's input with espsecure's key gives espsecure's signed
 *   file byte for byte (both sign deterministically, RFC 6979), and the raw public key the ESP32
 *   build embeds is the one espsecure extracts.
 * - RSA-3072 v2 (ESP32-C3): the same padding, sector and key fields as espsecure's file; only the
 *   randomized PSS signature (and so the CRC) differs; the PC verifier accepts espsecure's file and
 *   ours; the key digest ESP-IDF trusts (SHA-256 of block bytes 36..811) is the same for both and
 *   equals espsecure's digest-sbv2-public-key output.
 * - The command line: keygen, sign, verify (0 valid, 1 refused).
 */
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SBV2_KEY_BYTES, SBV2_KEY_OFFSET, signatureFormatProblem } from '../../firmware/app/ota/signature-block';
import { releaseKeyVerifier } from '../../firmware/host/ota-signature';
import { rawP256PublicKey, signImage } from '../../tools/firmware/esp-signing';
import { main, verifySignedFile } from '../../tools/firmware/sign-image';
import { repoRoot, tempDir } from '../e2e/helpers';

const vector = (f: string) => readFileSync(join(repoRoot, 'hosttests/ota/espsecure-vectors', f));

test('ECDSA v1: byte for byte what espsecure sign-data -v 1 wrote', () => {
  const { signed, scheme } = signImage(vector('bootloader.bin'), vector('ecdsa256_secure_boot_signing_key.pem'));
  expect(scheme).toBe('ecdsa-p256-v1');
  expect(signed.length).toBe(vector('bootloader.bin').length + 68);
  expect(signed.equals(vector('bootloader_signed.bin'))).toBe(true);
  expect(rawP256PublicKey(createPrivateKey(vector('ecdsa256_secure_boot_signing_key.pem'))).equals(vector('ecdsa256_secure_boot_signing_pubkey_raw.bin'))).toBe(
    true,
  );
  expect(verifySignedFile(vector('bootloader_signed.bin'), vector('ecdsa256_secure_boot_signing_pubkey.pem'))).toBeUndefined();
});

test("RSA v2: espsecure's layout, only the PSS signature differs; both verify", () => {
  const input = vector('bootloader_unsigned_v2.bin');
  const theirs = vector('bootloader_signed_v2_rsa.bin');
  const { signed: ours, scheme } = signImage(input, vector('rsa_secure_boot_signing_key.pem'));
  expect(scheme).toBe('rsa3072-v2');
  expect(ours.length).toBe(theirs.length);
  const sector = input.length;
  const differing: number[] = [];
  for (let i = 0; i < ours.length; i++) if (ours[i] !== theirs[i]) differing.push(i);
  // signature at block offset 812..1195, CRC at 1196..1199: nothing else may differ
  expect(differing.every((i) => i >= sector + 812 && i < sector + 1200)).toBe(true);
  for (const file of [theirs, ours]) {
    expect(signatureFormatProblem('rsa3072-v2', file.subarray(sector))).toBeUndefined();
    expect(verifySignedFile(file, vector('rsa_secure_boot_signing_pubkey.pem'))).toBeUndefined();
  }
  const digest = (f: Buffer) =>
    createHash('sha256')
      .update(f.subarray(sector + SBV2_KEY_OFFSET, sector + SBV2_KEY_OFFSET + SBV2_KEY_BYTES))
      .digest('hex');
  expect(digest(ours)).toBe(digest(theirs));
  // ...which is what espsecure digest-sbv2-public-key gives for that key (the digest ESP-IDF trusts).
  expect(digest(ours)).toBe(vector('rsa_public_key_digest.bin').toString('hex'));
});

test("the verifier refuses a changed byte, another key, and the other scheme's key", () => {
  const signed = Buffer.from(vector('bootloader_signed.bin'));
  signed[100] ^= 1;
  expect(verifySignedFile(signed, vector('ecdsa256_secure_boot_signing_pubkey.pem'))).toMatch(/not made with this box's release key/);
  expect(verifySignedFile(vector('bootloader_signed_v2_rsa.bin'), vector('ecdsa256_secure_boot_signing_pubkey.pem'))).toMatch(/version/);
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' });
  expect(() => releaseKeyVerifier(p384)).toThrow(/must be ECDSA P-256 \(ESP32\) or RSA-3072 \(ESP32-C3\)/);
});

test('command line: keygen, sign, verify', () => {
  const dir = tempDir('sign-cli-');
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    expect(main(['keygen', '--scheme', 'ecdsa-p256-v1', '--out', dir])).toBe(0);
    expect(readFileSync(join(dir, 'signature_verification_key.bin')).length).toBe(64);
    expect(
      main([
        'sign',
        '--key',
        join(dir, 'meterbox-release.key.pem'),
        join(repoRoot, 'hosttests/ota/espsecure-vectors/bootloader.bin'),
        '--out',
        join(dir, 'signed.bin'),
      ]),
    ).toBe(0);
    expect(main(['verify', '--key', join(dir, 'meterbox-release.pub.pem'), join(dir, 'signed.bin')])).toBe(0);
    expect(main(['verify', '--key', join(repoRoot, 'hosttests/ota/espsecure-vectors/ecdsa256_secure_boot_signing_pubkey.pem'), join(dir, 'signed.bin')])).toBe(
      1,
    );
    expect(() => main(['keygen', '--scheme', 'ecdsa-p256-v1', '--out', dir])).toThrow(/EEXIST/);
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
});
