/**
 * SHA-256 from the SDK's native digest (Moddable `crypt` Digest, mbedTLS on the ESP32) behind the
 * app core's Sha256 interface. The pure TypeScript hash costs about 286,000 XS computrons per KiB
 * (docs/provisioning-ota.md): checking a 1.5 MiB firmware image with it would take the device tens
 * of seconds; the native one runs at C speed. The OTA image check and the access-point password
 * derivation take it through their `sha256Factory` option.
 */
import { Digest } from 'crypt';
import type { Sha256, Sha256Factory } from '../../app/crypto/sha256';

export const createNativeSha256: Sha256Factory = (): Sha256 => {
  const digest = new Digest('SHA256');
  return {
    update(bytes: Uint8Array): void {
      // Digest.write reads any buffer source, views included (xsmcGetBufferReadable in
      // modules/crypt/digest/modCrypt.c), so upload chunks are hashed in place, not copied. The
      // SDK's own typings (which mcconfig compiles against) only admit string | ArrayBuffer.
      digest.write(bytes as unknown as ArrayBuffer);
    },
    digest(): Uint8Array {
      return new Uint8Array(digest.close());
    },
  };
};
