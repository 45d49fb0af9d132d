/**
 * The PC build's release-key check for OTA images (ota-ports.ts ImageSignatureVerifier), with
 * node:crypto, doing what ESP-IDF's esp_ota_end does on the device (signature-block.ts has the
 * formats and the ESP-IDF files they come from):
 *   ecdsa-p256-v1: ECDSA P-256 / SHA-256 over every byte before the 68-byte block, r||s raw.
 *   rsa3072-v2:    the block's public key must be the release key (the device trusts the key in its
 *                  running image's block, which a release carries), then RSA-PSS (MGF1 SHA-256,
 *                  32-byte salt) over SHA-256 of image + padding.
 * The scheme follows the key: a P-256 key checks ESP32 (v1) images, an RSA-3072 key ESP32-C3 (v2).
 */
import { createPublicKey, createVerify, constants } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ImageSignatureVerifier } from '../app/ota/ota-ports';
import { ecdsaV1Signature, rsaV2Parts } from '../app/ota/signature-block';
import type { SignatureScheme } from '../app/ota/signature-block';

const WRONG_KEY = "it was not made with this box's release key (another key, or the image was changed after signing)";

/** The scheme a public key checks, or why it cannot be a release key. */
export function schemeOfKey(key: KeyObject): SignatureScheme {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return 'ecdsa-p256-v1';
  if (key.asymmetricKeyType === 'rsa' && details.modulusLength === 3072) return 'rsa3072-v2';
  throw new Error(
    `a release key must be ECDSA P-256 (ESP32) or RSA-3072 (ESP32-C3), not ${key.asymmetricKeyType} ${details.namedCurve ?? details.modulusLength ?? ''}`.trim(),
  );
}

/** A verifier for the release public key (PEM, or a private key PEM whose public half is used). */
export function releaseKeyVerifier(keyPem: string | Buffer): ImageSignatureVerifier {
  const key = createPublicKey(keyPem);
  const scheme = schemeOfKey(key);
  const jwk = key.export({ format: 'jwk' });
  const modulus = scheme === 'rsa3072-v2' ? Buffer.from(jwk.n as string, 'base64url') : undefined;
  const exponent =
    scheme === 'rsa3072-v2' ? Buffer.from(jwk.e as string, 'base64url').readUIntBE(0, Buffer.from(jwk.e as string, 'base64url').length) : undefined;
  return {
    scheme,
    where: 'here',
    begin() {
      const verifier = createVerify('sha256');
      return {
        update: (bytes) => {
          verifier.update(bytes);
        },
        verify(block) {
          if (scheme === 'ecdsa-p256-v1') {
            return verifier.verify({ key, dsaEncoding: 'ieee-p1363' }, ecdsaV1Signature(block)) ? undefined : WRONG_KEY;
          }
          const parts = rsaV2Parts(block);
          if (!Buffer.from(parts.modulusBigEndian).equals(modulus!) || parts.exponent !== exponent)
            return "it was signed with another RSA key than this box's release key";
          const ok = verifier.verify({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, parts.signatureBigEndian);
          return ok ? undefined : WRONG_KEY;
        },
      };
    },
  };
}

export function releaseKeyVerifierFromFile(path: string): ImageSignatureVerifier {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read the release key ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return releaseKeyVerifier(text);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}
