/**
 * meterbox release signing (docs/signing-keys.md says where the keys live and who runs what).
 *
 *   npx tsx tools/firmware/sign-image.ts keygen --scheme ecdsa-p256-v1|rsa3072-v2 --out DIR
 *       new key pair: DIR/meterbox-release.key.pem (private, mode 0600: keep it offline),
 *       DIR/meterbox-release.pub.pem (public: keys/ in the repository, --ota-public-key on the PC),
 *       and for ecdsa-p256-v1 DIR/signature_verification_key.bin (raw X||Y: the ESP32 build's
 *       CONFIG_SECURE_BOOT_VERIFICATION_KEY). ecdsa-p256-v1 is for ESP32, rsa3072-v2 for ESP32-C3.
 *   npx tsx tools/firmware/sign-image.ts sign --key KEY.pem IMAGE.bin [--out SIGNED.bin]
 *       appends the signature block espsecure `sign-data` would (esp-signing.ts); default output
 *       IMAGE.signed.bin. The scheme follows the key.
 *   npx tsx tools/firmware/sign-image.ts verify --key PUBLIC.pem SIGNED.bin
 *       the PC build's own check (firmware/host/ota-signature.ts); exit 0 when valid.
 *   npx tsx tools/firmware/sign-image.ts public --key KEY.pem --out DIR
 *       the public files of an existing private key.
 */
import { generateKeyPairSync, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paddingBytes, signatureBytes, signatureFormatProblem, SIGNATURE_SCHEMES } from '../../firmware/app/ota/signature-block';
import type { SignatureScheme } from '../../firmware/app/ota/signature-block';
import { releaseKeyVerifier } from '../../firmware/host/ota-signature';
import { rawP256PublicKey, schemeOfPrivateKey, signImage } from './esp-signing';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  args.splice(i, 2);
  return value;
}

function writePublic(privatePem: Buffer | string, dir: string): string[] {
  const privateKey = createPrivateKey(privatePem);
  const publicKey = createPublicKey(privateKey);
  mkdirSync(dir, { recursive: true });
  const written = [join(dir, 'meterbox-release.pub.pem')];
  writeFileSync(written[0], publicKey.export({ type: 'spki', format: 'pem' }));
  if (schemeOfPrivateKey(privateKey) === 'ecdsa-p256-v1') {
    written.push(join(dir, 'signature_verification_key.bin'));
    writeFileSync(written[1], rawP256PublicKey(publicKey));
  }
  return written;
}

/** Splits a signed file into the signed bytes and the block, trying the key's scheme. */
export function verifySignedFile(file: Uint8Array, publicPem: Buffer | string): string | undefined {
  const verifier = releaseKeyVerifier(publicPem);
  const blockBytes = signatureBytes(verifier.scheme);
  if (file.length <= blockBytes) return 'file is too short to hold a signature';
  const signedEnd = file.length - blockBytes;
  if (verifier.scheme === 'rsa3072-v2' && paddingBytes(verifier.scheme, signedEnd) !== 0) return 'the signature sector does not start on a 4096-byte boundary';
  const block = file.subarray(signedEnd);
  const problem = signatureFormatProblem(verifier.scheme, block);
  if (problem) return problem;
  const check = verifier.begin();
  check.update(file.subarray(0, signedEnd));
  return check.verify(block);
}

export function main(argv: string[]): number {
  const args = argv.slice();
  const command = args.shift();
  if (command === 'keygen') {
    const scheme = option(args, '--scheme') as SignatureScheme | undefined;
    const out = option(args, '--out');
    if (!scheme || SIGNATURE_SCHEMES.indexOf(scheme) < 0) throw new Error('--scheme must be ' + SIGNATURE_SCHEMES.join(' or '));
    if (!out) throw new Error('--out DIR is required');
    const pair =
      scheme === 'ecdsa-p256-v1'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 65537 });
    mkdirSync(out, { recursive: true });
    const privatePath = join(out, 'meterbox-release.key.pem');
    writeFileSync(privatePath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    const written = writePublic(readFileSync(privatePath), out);
    console.log(`${scheme} key pair: private ${privatePath} (keep it offline), public ${written.join(', ')}`);
    return 0;
  }
  if (command === 'public') {
    const key = option(args, '--key');
    const out = option(args, '--out');
    if (!key || !out) throw new Error('public needs --key KEY.pem --out DIR');
    console.log('wrote ' + writePublic(readFileSync(key), out).join(', '));
    return 0;
  }
  if (command === 'sign') {
    const key = option(args, '--key');
    const out = option(args, '--out');
    const input = args[0];
    if (!key || !input) throw new Error('sign needs --key KEY.pem IMAGE.bin');
    const image = readFileSync(input);
    if (image[0] !== 0xe9) throw new Error(`${input} is not an ESP image (first byte 0x${image[0]?.toString(16)}, expected 0xe9)`);
    const { signed, scheme } = signImage(image, readFileSync(key));
    const target = out ?? input.replace(/\.bin$/, '') + '.signed.bin';
    writeFileSync(target, signed);
    console.log(`${target}: ${image.length} bytes signed (${scheme}), ${signed.length} bytes`);
    return 0;
  }
  if (command === 'verify') {
    const key = option(args, '--key');
    const input = args[0];
    if (!key || !input) throw new Error('verify needs --key PUBLIC.pem SIGNED.bin');
    const problem = verifySignedFile(readFileSync(input), readFileSync(key));
    if (problem) {
      console.error(`${input}: signature refused: ${problem}`);
      return 1;
    }
    console.log(`${input}: signature valid`);
    return 0;
  }
  console.error('usage: sign-image.ts keygen|sign|verify|public ... (see the top of tools/firmware/sign-image.ts)');
  return 2;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error('sign-image: ' + (e instanceof Error ? e.message : String(e)));
    process.exitCode = 2;
  }
}
