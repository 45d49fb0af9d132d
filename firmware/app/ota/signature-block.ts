/**
 * The signature an ESP-IDF app image carries when it is built for "signed app verification without
 * hardware secure boot" (CONFIG_SECURE_SIGNED_APPS_NO_SECURE_BOOT + CONFIG_SECURE_SIGNED_ON_UPDATE_NO_SECURE_BOOT),
 * as ESP-IDF v6.0 checks it in esp_ota_end (components/bootloader_support/src/esp_image_format.c,
 * secure_boot_v1/secure_boot_signatures_app.c, secure_boot_v2/secure_boot_signatures_app.c) and as
 * espsecure `sign-data` writes it. Which scheme a chip can use (Kconfig SECURE_SIGNED_APPS_SCHEME):
 *
 *   ecdsa-p256-v1  ESP32 (every revision): "Secure Boot V1" ECDSA scheme.
 *     [image as built, incl. its appended SHA-256] [68-byte block]
 *     block: u32 LE version = 0, then r (32 bytes, big-endian), s (32 bytes, big-endian)
 *     signed: ECDSA P-256 over SHA-256 of every byte before the block; the public key is compiled
 *     into the running firmware (CONFIG_SECURE_BOOT_VERIFICATION_KEY, raw X||Y, 64 bytes).
 *
 *   rsa3072-v2     ESP32-C3 (and ESP32 from revision 3.0): "Secure Boot V2" RSA scheme.
 *     [image] [padding up to the next 4096-byte boundary, 0xFF from espsecure] [4096-byte sector]
 *     sector: up to 3 blocks of 1216 bytes, then 0xFF; ESP-IDF reads the first block only here:
 *       +0 magic 0xE7, +1 version 0x02, +2 two zero bytes, +4 image digest (32)
 *       +36 RSA modulus n (384, little-endian), +420 exponent e (u32 LE), +424 rinv (384, LE),
 *       +808 mdash (u32 LE), +812 RSA-PSS signature (384, little-endian)
 *       +1196 CRC-32 (little-endian, zlib polynomial) of bytes 0..1195, +1200 16 zero bytes
 *     signed: RSA-3072 PSS (MGF1 SHA-256, 32-byte salt) over SHA-256 of image + padding; the key
 *     trusted is the one in the running image's own signature block (SHA-256 of bytes 36..811).
 *
 * Pure: parsing and layout only. The cryptographic check is a platform port (ota-ports.ts
 * ImageSignatureVerifier): node:crypto on the PC, ESP-IDF itself on the device.
 */
export type SignatureScheme = 'ecdsa-p256-v1' | 'rsa3072-v2';

export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['ecdsa-p256-v1', 'rsa3072-v2'];

export const ECDSA_V1_BLOCK_BYTES = 68;
export const SECTOR_BYTES = 4096;
export const SBV2_BLOCK_BYTES = 1216;
export const SBV2_MAGIC = 0xe7;
export const SBV2_VERSION_RSA = 0x02;
export const SBV2_CRC_BYTES = 1196;
export const SBV2_KEY_OFFSET = 36;
export const SBV2_KEY_BYTES = 776; // n 384 + e 4 + rinv 384 + mdash 4
export const SBV2_SIGNATURE_OFFSET = 812;
export const RSA3072_BYTES = 384;

/** Bytes of padding before the signature: 0 for v1, up to the 4096-byte boundary for v2. */
export function paddingBytes(scheme: SignatureScheme, imageEndOffset: number): number {
  if (scheme === 'ecdsa-p256-v1') return 0;
  const rest = imageEndOffset % SECTOR_BYTES;
  return rest === 0 ? 0 : SECTOR_BYTES - rest;
}

/** Length of what follows the padding: the v1 block, or the v2 sector. */
export function signatureBytes(scheme: SignatureScheme): number {
  return scheme === 'ecdsa-p256-v1' ? ECDSA_V1_BLOCK_BYTES : SECTOR_BYTES;
}

function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/**
 * CRC-32 (zlib, reflected 0xEDB88320), what espsecure and esp_rom_crc32_le(0, ...) compute. Bit by
 * bit, no table: it runs once per image over 1196 bytes, and a module-level table would be mutable
 * state in a preloaded module.
 */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i];
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Why the bytes after the padding are not a signature of `scheme` (format only), or undefined. */
export function signatureFormatProblem(scheme: SignatureScheme, block: Uint8Array): string | undefined {
  if (block.length !== signatureBytes(scheme)) return `signature block is ${block.length} bytes, expected ${signatureBytes(scheme)}`;
  if (scheme === 'ecdsa-p256-v1') {
    const version = u32le(block, 0);
    return version === 0 ? undefined : `signature block version is ${version}, not 0 (is the image signed for this chip's scheme, ECDSA P-256?)`;
  }
  if (block[0] !== SBV2_MAGIC) return `signature sector does not start with a signature block (magic 0x${block[0].toString(16)}, expected 0xe7)`;
  if (block[1] !== SBV2_VERSION_RSA) return `signature block is for scheme ${block[1]}, this box checks RSA-3072 (2)`;
  if (u32le(block, SBV2_CRC_BYTES) !== crc32(block.subarray(0, SBV2_CRC_BYTES))) return 'signature block CRC does not match: damaged signature';
  return undefined;
}

/** The parts a verifier needs, big-endian as cryptographic libraries take them. */
export function ecdsaV1Signature(block: Uint8Array): Uint8Array {
  return block.subarray(4, 68);
}

export function rsaV2Parts(block: Uint8Array): { modulusBigEndian: Uint8Array; exponent: number; signatureBigEndian: Uint8Array; keyBytes: Uint8Array } {
  const reverse = (offset: number) => {
    const out = new Uint8Array(RSA3072_BYTES);
    for (let i = 0; i < RSA3072_BYTES; i++) out[i] = block[offset + RSA3072_BYTES - 1 - i];
    return out;
  };
  return {
    modulusBigEndian: reverse(SBV2_KEY_OFFSET),
    exponent: u32le(block, SBV2_KEY_OFFSET + RSA3072_BYTES),
    signatureBigEndian: reverse(SBV2_SIGNATURE_OFFSET),
    keyBytes: block.subarray(SBV2_KEY_OFFSET, SBV2_KEY_OFFSET + SBV2_KEY_BYTES),
  };
}
