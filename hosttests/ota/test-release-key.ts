/**
 * A release key pair made for the test run (never a real release key): the OTA tests start the
 * app with its public half (--ota-public-key) and sign their synthetic images with the project's
 * own signing code (tools/firmware/esp-signing.ts), as a release would be signed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signImage } from '../../tools/firmware/esp-signing';
import { tempDir } from '../e2e/helpers';

export interface TestKey {
  privatePem: string;
  publicPath: string;
  sign(image: Uint8Array): Uint8Array;
}

export function makeTestKey(scheme: 'ecdsa-p256-v1' | 'rsa3072-v2' = 'ecdsa-p256-v1'): TestKey {
  const pair = scheme === 'ecdsa-p256-v1' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('rsa', { modulusLength: 3072 });
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const publicPath = join(tempDir('ota-key-'), 'test-release.pub.pem');
  writeFileSync(publicPath, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  return { privatePem, publicPath, sign: (image) => new Uint8Array(signImage(image, privatePem).signed) };
}
