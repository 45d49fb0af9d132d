/**
 * The platform side of OTA: two app slots (ESP-IDF ota_0 / ota_1 partitions) and the boot state the
 * bootloader keeps in otadata. On the ESP32 the Moddable adapter maps these onto esp_ota_* calls
 * (esp_ota_begin/write/end/abort, esp_ota_set_boot_partition, esp_ota_mark_app_valid_cancel_rollback,
 * esp_ota_mark_app_invalid_rollback_and_reboot, esp_ota_get_state_partition); the bootloader must be
 * built with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y so an unconfirmed image is abandoned on the next
 * reset. On the PC, firmware/host/ota-file-slots.ts simulates them with files.
 */

import type { SignatureScheme } from './signature-block';

/** ESP-IDF esp_ota_img_states_t, plus 'empty' for a slot being written or never written. */
export type OtaSlotState = 'valid' | 'new' | 'pending-verify' | 'invalid' | 'aborted' | 'undefined' | 'empty';

export interface OtaSlotInfo {
  label: string;
  sizeBytes: number;
  state: OtaSlotState;
  /** esp_app_desc_t.version of the image in the slot, when readable. */
  version?: string;
  running: boolean;
  nextBoot: boolean;
}

/** Streams one image into the slot that is not running. */
export interface OtaWriter {
  /** Throws on a flash error. */
  write(chunk: Uint8Array): void;
  /** Finishes the write (esp_ota_end) and makes the slot the next boot slot, state 'new'. Throws on failure. */
  complete(): void;
  /** Abandons the write; the boot slot stays as it was. Never throws. */
  abort(): void;
}

export interface OtaSlots {
  /** True when the bootloader will roll back an unconfirmed image (rollback enabled in the build). */
  readonly rollbackSupported: boolean;
  running(): { label: string; pendingVerify: boolean; version?: string };
  /** The slot the next update is written into, and its size. */
  nextSlot(): { label: string; sizeBytes: number };
  /** Erases the next slot and opens it for writing. Throws when that is impossible. */
  begin(imageSizeBytes: number | undefined): OtaWriter;
  /** Confirms the running image (esp_ota_mark_app_valid_cancel_rollback). */
  markValid(): void;
  /** Marks the running image invalid and reboots into the previous one. Does not return on a device. */
  rollbackAndReboot(): void;
  /** Restarts the device (to boot a freshly written image). Does not return on a device. */
  restart(): void;
  slots(): OtaSlotInfo[];
}

/**
 * Downloads an image for POST /api/v1/firmware/url. Calls onChunk per received chunk (a returned
 * string means stop: cancel the download), then exactly one of onEnd / onError. Non-2xx answers are
 * errors ("HTTP 404"). The Node version is firmware/host/ota-url-fetcher.ts.
 */
export interface ImageFetcher {
  fetch(url: string, sink: { onChunk(chunk: Uint8Array): string | undefined; onEnd(): void; onError(reason: string): void }): void;
}

/** One image's signature check: fed every signed byte, then asked about the block. */
export interface SignatureCheck {
  /** The signed bytes, in order: the image and, for rsa3072-v2, the padding up to the sector. */
  update(bytes: Uint8Array): void;
  /** The signature block (its format already checked): undefined when it signs the bytes with a trusted key, else why not. */
  verify(block: Uint8Array): string | undefined;
}

/**
 * The release-key check an update must pass before the boot slot is switched (signature-block.ts
 * has the formats). On the PC: node:crypto with the release public key
 * (firmware/host/ota-signature.ts). On the ESP32: ESP-IDF's own check in esp_ota_end, which runs
 * before esp_ota_set_boot_partition when the firmware is built with the signed-app sdkconfig
 * (`where: 'slot'`: verify() checks the format only and OtaWriter.complete() refuses a bad one).
 */
export interface ImageSignatureVerifier {
  readonly scheme: SignatureScheme;
  readonly where: 'here' | 'slot';
  begin(): SignatureCheck;
}
