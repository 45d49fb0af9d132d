/**
 * PC stand-in for the ESP32's two OTA app partitions and the bootloader's otadata:
 *   <dir>/ota_0.bin, <dir>/ota_1.bin   the slots (raw image bytes, written as uploaded)
 *   <dir>/otadata.json                 { running, nextBoot, states: [state0, state1] }, written atomically
 *
 * The "bootloader" here follows ESP-IDF with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE:
 *   - boot the nextBoot slot; an image in state 'new' becomes 'pending-verify' as it starts;
 *   - an image still 'pending-verify' at the next boot never confirmed itself (crash, reset,
 *     rollback): it becomes 'aborted' and the other slot boots;
 *   - 'invalid' / 'aborted' / 'empty' slots are skipped.
 * A damaged otadata.json (empty, truncated, not the shape above) does not stop the box: like
 * ESP-IDF's bootloader with both otadata sectors invalid, it boots ota_0 with its state unknown
 * ('undefined', bootable) after keeping the damaged file as otadata.json.unreadable-<sha256 prefix>.
 * Constructing the object is a power-on; `restart()` is a reset. The process keeps running: the
 * `onRestart` hook tells the host to re-run its boot step (the OTA machine's `boot`). What a PC
 * cannot simulate is the new code actually running: the "new image" is only bytes and a version.
 */
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { OtaSlotInfo, OtaSlotState, OtaSlots, OtaWriter } from '../app/ota/ota-ports';

export interface FileSlotsOptions {
  dir: string;
  slotSizeBytes: number;
  /** Version reported for the initial (placeholder) image in ota_0. */
  factoryVersion: string;
  /** Default true, like the firmware's sdkconfig. */
  rollbackSupported?: boolean;
  onRestart?: (runningLabel: string) => void;
  log?: (message: string) => void;
}

interface OtaData {
  running: 0 | 1;
  nextBoot: 0 | 1;
  states: [OtaSlotState, OtaSlotState];
}

const LABELS = ['ota_0', 'ota_1'];

export class FileOtaSlots implements OtaSlots {
  readonly rollbackSupported: boolean;
  private data: OtaData;
  private readonly log: (message: string) => void;

  constructor(private readonly options: FileSlotsOptions) {
    this.rollbackSupported = options.rollbackSupported !== false;
    this.log = options.log ?? (() => {});
    mkdirSync(options.dir, { recursive: true });
    if (existsSync(this.otadataPath())) {
      this.data = this.readOtadata();
    } else {
      writeFileSync(this.slotPath(0), `meterbox factory image ${options.factoryVersion} (PC simulation placeholder)\n`);
      writeFileSync(this.slotPath(1), '');
      this.data = { running: 0, nextBoot: 0, states: ['valid', 'empty'] };
    }
    this.bootloader();
  }

  slotPath(index: number): string {
    return join(this.options.dir, `${LABELS[index]}.bin`);
  }

  otadataPath(): string {
    return join(this.options.dir, 'otadata.json');
  }

  running(): { label: string; pendingVerify: boolean; version?: string } {
    const r = this.data.running;
    return { label: LABELS[r], pendingVerify: this.data.states[r] === 'pending-verify', version: this.versionOf(r) };
  }

  nextSlot(): { label: string; sizeBytes: number } {
    return { label: LABELS[1 - this.data.running], sizeBytes: this.options.slotSizeBytes };
  }

  begin(imageSizeBytes: number | undefined): OtaWriter {
    const target = (1 - this.data.running) as 0 | 1;
    if (imageSizeBytes !== undefined && imageSizeBytes > this.options.slotSizeBytes) {
      throw new Error(`image of ${imageSizeBytes} bytes exceeds the slot (${this.options.slotSizeBytes})`);
    }
    // "Erase" the target; if it was queued to boot, the running slot boots instead from now on.
    this.data.states[target] = 'empty';
    if (this.data.nextBoot === target) this.data.nextBoot = this.data.running;
    this.save();
    let fd: number | undefined = openSync(this.slotPath(target), 'w');
    let written = 0;
    const close = () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    };
    return {
      write: (chunk) => {
        if (fd === undefined) throw new Error('slot writer is closed');
        if (written + chunk.length > this.options.slotSizeBytes) throw new Error('write beyond the end of the slot');
        writeSync(fd, chunk);
        written += chunk.length;
      },
      complete: () => {
        if (fd === undefined) throw new Error('slot writer is closed');
        close();
        this.data.states[target] = 'new';
        this.data.nextBoot = target;
        this.save();
        this.log(`ota-file-slots: ${LABELS[target]} holds a new image (${written} bytes), set as next boot`);
      },
      abort: () => {
        close();
        this.log(`ota-file-slots: write to ${LABELS[target]} abandoned after ${written} bytes; boot slot unchanged`);
      },
    };
  }

  markValid(): void {
    this.data.states[this.data.running] = 'valid';
    this.save();
  }

  rollbackAndReboot(): void {
    const r = this.data.running;
    this.data.states[r] = 'invalid';
    this.data.nextBoot = (1 - r) as 0 | 1;
    this.save();
    this.restart();
  }

  restart(): void {
    this.log('ota-file-slots: simulated reset');
    this.bootloader();
    this.options.onRestart?.(LABELS[this.data.running]);
  }

  slots(): OtaSlotInfo[] {
    return [0, 1].map((i) => {
      const info: OtaSlotInfo = {
        label: LABELS[i],
        sizeBytes: this.options.slotSizeBytes,
        state: this.data.states[i],
        running: this.data.running === i,
        nextBoot: this.data.nextBoot === i,
      };
      const v = this.data.states[i] === 'empty' ? undefined : this.versionOf(i);
      if (v !== undefined) info.version = v;
      return info;
    });
  }

  /** otadata.json as stored, or the invalid-otadata fallback (see the top of this file). */
  private readOtadata(): OtaData {
    let problem: string;
    try {
      const raw = JSON.parse(readFileSync(this.otadataPath(), 'utf8')) as unknown;
      problem = otadataProblem(raw);
      if (!problem) return raw as OtaData;
    } catch (e) {
      problem = (e as Error).message;
    }
    const bytes = readFileSync(this.otadataPath());
    const kept = `${this.otadataPath()}.unreadable-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}`;
    if (!existsSync(kept)) copyFileSync(this.otadataPath(), kept);
    this.log(`ota-file-slots: otadata.json is damaged (${problem}); kept as ${kept}; booting ota_0 with its state unknown, as the ESP-IDF bootloader does`);
    const hasImage = (i: number) => existsSync(this.slotPath(i)) && readFileSync(this.slotPath(i)).length > 0;
    if (!hasImage(0) && !hasImage(1)) {
      writeFileSync(this.slotPath(0), `meterbox factory image ${this.options.factoryVersion} (PC simulation placeholder)\n`);
      return { running: 0, nextBoot: 0, states: ['valid', 'empty'] };
    }
    return { running: 0, nextBoot: 0, states: [hasImage(0) ? 'undefined' : 'empty', hasImage(1) ? 'undefined' : 'empty'] };
  }

  /** The bootloader's choice of image, as ESP-IDF makes it with rollback enabled. */
  private bootloader(): void {
    let candidate = this.data.nextBoot;
    for (let attempt = 0; attempt < 2; attempt++) {
      const state = this.data.states[candidate];
      if (state === 'new') {
        this.data.states[candidate] = this.rollbackSupported ? 'pending-verify' : 'valid';
        break;
      }
      if (state === 'valid' || state === 'undefined') break;
      if (state === 'pending-verify' && this.rollbackSupported) {
        this.log(`ota-file-slots: ${LABELS[candidate]} was never confirmed: marked aborted`);
        this.data.states[candidate] = 'aborted';
      } else if (state === 'pending-verify') {
        break;
      }
      candidate = (1 - candidate) as 0 | 1;
      if (attempt === 1) throw new Error('ota-file-slots: no bootable slot');
    }
    this.data.running = candidate;
    this.data.nextBoot = candidate;
    this.save();
    this.log(`ota-file-slots: booted ${LABELS[candidate]} (${this.data.states[candidate]}, version ${this.versionOf(candidate) ?? '?'})`);
  }

  /** esp_app_desc_t.version at image offset 48, or the factory version for the placeholder. */
  private versionOf(index: number): string | undefined {
    const path = this.slotPath(index);
    if (!existsSync(path)) return undefined;
    const head = readFileSync(path).subarray(0, 96);
    if (head.length >= 80 && head[0] === 0xe9 && head.readUInt32LE(32) === 0xabcd5432) {
      const raw = head.subarray(48, 80);
      const end = raw.indexOf(0);
      return raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
    }
    if (index === 0 && head.toString('latin1').startsWith('meterbox factory image')) return this.options.factoryVersion;
    return undefined;
  }

  private save(): void {
    const tmp = this.otadataPath() + '.tmp';
    writeFileSync(tmp, JSON.stringify(this.data) + '\n');
    renameSync(tmp, this.otadataPath());
  }
}

const STATES: readonly string[] = ['valid', 'new', 'pending-verify', 'invalid', 'aborted', 'undefined', 'empty'];

/** Why a parsed otadata.json is not {running, nextBoot, states: [state, state]}, or '' when it is. */
function otadataProblem(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not an object';
  const d = raw as Record<string, unknown>;
  if (d.running !== 0 && d.running !== 1) return 'running is not 0 or 1';
  if (d.nextBoot !== 0 && d.nextBoot !== 1) return 'nextBoot is not 0 or 1';
  if (!Array.isArray(d.states) || d.states.length !== 2 || !d.states.every((x) => typeof x === 'string' && STATES.indexOf(x) >= 0))
    return 'states is not two slot states';
  return '';
}
