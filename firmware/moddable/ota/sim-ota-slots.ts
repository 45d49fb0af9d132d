/**
 * OtaSlots for the simulator (mcsim has no app partitions): two slots kept in memory as sizes and
 * states only (the image bytes are counted and dropped), so the OTA routes and state machine run
 * end to end under the simulator; restart only switches the running slot label.
 * Module key "meterbox/ota-slots" on lin (manifests/manifest_ota.json); only type imports here.
 */
import type { OtaSlotInfo, OtaSlotState, OtaSlots, OtaWriter } from '../../app/ota/ota-ports';

const SLOT_BYTES = 0x1f0000;

export function createOtaSlots(): OtaSlots {
  const slots: { label: string; state: OtaSlotState; version?: string }[] = [
    { label: 'ota_0', state: 'valid', version: 'sim' },
    { label: 'ota_1', state: 'empty' },
  ];
  let runningIndex = 0;
  let bootIndex = 0;
  return {
    rollbackSupported: false,
    running() {
      const slot = slots[runningIndex]!;
      const result: { label: string; pendingVerify: boolean; version?: string } = { label: slot.label, pendingVerify: slot.state === 'pending-verify' };
      if (slot.version !== undefined) result.version = slot.version;
      return result;
    },
    nextSlot() {
      return { label: slots[1 - runningIndex]!.label, sizeBytes: SLOT_BYTES };
    },
    begin(imageSizeBytes: number | undefined): OtaWriter {
      if (imageSizeBytes !== undefined && imageSizeBytes > SLOT_BYTES) throw new Error('image too large for the slot');
      const target = slots[1 - runningIndex]!;
      target.state = 'empty';
      delete target.version;
      let written = 0;
      return {
        write(chunk: Uint8Array) {
          written += chunk.byteLength;
          if (written > SLOT_BYTES) throw new Error('image too large for the slot');
        },
        complete() {
          target.state = 'new';
          bootIndex = 1 - runningIndex;
        },
        abort() {
          target.state = 'aborted';
        },
      };
    },
    markValid() {
      slots[runningIndex]!.state = 'valid';
    },
    rollbackAndReboot() {
      slots[runningIndex]!.state = 'invalid';
      runningIndex = bootIndex = 1 - runningIndex;
    },
    restart() {
      trace('meterbox: restart requested (simulator: switching slot only)\n');
      runningIndex = bootIndex;
    },
    slots(): OtaSlotInfo[] {
      return slots.map((slot, index) => {
        const info: OtaSlotInfo = {
          label: slot.label,
          sizeBytes: SLOT_BYTES,
          state: slot.state,
          running: index === runningIndex,
          nextBoot: index === bootIndex,
        };
        if (slot.version !== undefined) info.version = slot.version;
        return info;
      });
    },
  };
}
