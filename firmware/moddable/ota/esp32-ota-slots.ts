/**
 * OtaSlots on the ESP32: the image is streamed with ECMA-419 embedded:update into the partition
 * ESP-IDF names as the next update slot (flash "nextota": ota_0 <-> ota_1 of the partition table,
 * created by manifests' "ota": { "autosplit": 1 }); the slot states, rollback and restart come from
 * the small native module meterbox-system (esp_ota_get_state_partition and friends).
 * complete() = esp_ota_end + esp_ota_set_boot_partition; the new image boots as "new" and, with
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE, must be confirmed (markValid) or the bootloader returns to
 * the previous slot on the next reset.
 * Module key "meterbox/ota-slots" on esp32 (manifests/manifest_ota.json); only type imports here.
 */
import Update from 'embedded:update';
import flash from 'embedded:storage/flash';
import { otaInfo, otaMarkValid, otaRollback, restart } from 'meterbox-system';
import type { OtaSlotInfo, OtaSlots, OtaWriter } from '../../app/ota/ota-ports';

export function createOtaSlots(): OtaSlots {
  return {
    get rollbackSupported() {
      return otaInfo().rollbackSupported;
    },
    running() {
      const running = otaInfo().running;
      const result: { label: string; pendingVerify: boolean; version?: string } = { label: running.label, pendingVerify: running.pendingVerify };
      if (running.version !== undefined) result.version = running.version;
      return result;
    },
    nextSlot() {
      const next = otaInfo().next;
      return { label: next.label, sizeBytes: next.sizeBytes };
    },
    begin(imageSizeBytes: number | undefined): OtaWriter {
      const next = otaInfo().next;
      if (!next.label) throw new Error('no OTA slot in the partition table');
      if (imageSizeBytes !== undefined && imageSizeBytes > next.sizeBytes)
        throw new Error(`image of ${imageSizeBytes} bytes does not fit slot ${next.label} (${next.sizeBytes} bytes)`);
      const update = Update.open({ partition: flash.open({ path: 'nextota' }) });
      let open = true;
      return {
        write(chunk: Uint8Array) {
          update.write(chunk);
        },
        complete() {
          open = false;
          try {
            update.complete();
          } finally {
            update.close();
          }
        },
        abort() {
          if (!open) return;
          open = false;
          try {
            update.close(); // closing an unfinished update calls esp_ota_abort
          } catch {
            /* abort never throws */
          }
        },
      };
    },
    markValid() {
      otaMarkValid();
    },
    rollbackAndReboot() {
      otaRollback();
    },
    restart() {
      restart();
    },
    slots(): OtaSlotInfo[] {
      return otaInfo().slots.map((slot) => ({ ...slot }));
    },
  };
}
