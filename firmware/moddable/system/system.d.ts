/** Declaration of the "meterbox-system" native module (system.js). */
export interface NativeSlotInfo {
  label: string;
  sizeBytes: number;
  state: 'valid' | 'new' | 'pending-verify' | 'invalid' | 'aborted' | 'undefined' | 'empty';
  version?: string;
  running: boolean;
  nextBoot: boolean;
}

export interface NativeOtaInfo {
  rollbackSupported: boolean;
  /** False in the simulator: there are no app partitions. */
  hasSlots: boolean;
  running: { label: string; pendingVerify: boolean; version?: string };
  next: { label: string; sizeBytes: number };
  slots: NativeSlotInfo[];
}

export function fillRandom(buffer: Uint8Array): void;
export function restart(): void;
export function otaInfo(): NativeOtaInfo;
export function otaMarkValid(): void;
export function otaRollback(): void;
