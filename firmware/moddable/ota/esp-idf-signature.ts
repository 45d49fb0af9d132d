/**
 * The device's release-key check: ESP-IDF's own. With the signed-app sdkconfig
 * (npm run build:esp32 -- --signed, docs/signing-keys.md) esp_ota_end verifies the image's signature
 * (ECDSA P-256 against the key compiled into the running firmware on ESP32; RSA-3072 against the
 * key in the running image's own signature block on ESP32-C3) before esp_ota_set_boot_partition,
 * so OtaWriter.complete() throws for a bad one and the boot slot stays. Here only the block's
 * format is checked as it arrives (signature-block.ts), so an unsigned or wrongly formatted image
 * is refused with a clear reason before the slot is even finished.
 * Only for builds made with that sdkconfig: main.ts passes it when config.ota.signatureScheme is set.
 */
import type { ImageSignatureVerifier } from '../../app/ota/ota-ports';
import type { SignatureScheme } from '../../app/ota/signature-block';

export function espIdfSignatureCheck(scheme: SignatureScheme): ImageSignatureVerifier {
  return {
    scheme,
    where: 'slot',
    begin: () => ({
      update() {},
      verify: () => undefined,
    }),
  };
}
