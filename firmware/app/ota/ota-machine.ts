/**
 * OTA update state machine (platform-neutral; time comes in as `nowMs`, no timers here).
 *
 *   idle ──upload begins──> receiving ──image complete and checked──> reboot-scheduled ──tick──> restart
 *     ^                        │ bad image / dropped connection / flash error: slot aborted,
 *     └────────────────────────┘ boot slot unchanged, reason kept in lastResult
 *
 *   (after the restart, the bootloader starts the new image in state pending-verify)
 *   boot() ──running image pending-verify──> pending-verify ──reportHealthy──> idle (markValid)
 *                                                │ deadline passes without a healthy signal
 *                                                └──> rollbackAndReboot: the bootloader returns to
 *                                                     the previous image, which boots into idle and
 *                                                     reports the rollback
 *
 * Why a health deadline: an image can pass every static check and still be broken on this box
 * (crashes after start, cannot read the meter, cannot serve). Only the running image can tell, so it
 * must prove itself (a decoded meter frame or an answered web request) before it is kept. A crash
 * loop is covered by the bootloader itself: a reset while pending-verify marks the image aborted.
 */
import { EspImageChecker } from './esp-image';
import type { ImageInfo } from './esp-image';
import type { Sha256Factory } from '../crypto/sha256';
import type { ImageSignatureVerifier, OtaSlots, OtaWriter } from './ota-ports';

export interface OtaConfig {
  /** esp_app_desc_t.project_name an image must carry. */
  projectName: string;
  /** Version of this build, used when the slots cannot tell the running version. */
  firmwareVersion: string;
  /** How long a new image has to report healthy before it is rolled back. */
  healthDeadlineMs?: number;
  /** Delay between accepting an image and restarting, so the HTTP answer reaches the client. */
  rebootDelayMs?: number;
  /** An upload that sends nothing for this long is abandoned (a stalled client must not hold the slot). */
  uploadIdleTimeoutMs?: number;
  expectedChipId?: number;
  sha256Factory?: Sha256Factory;
  /**
   * The release-key check every image must pass before the boot slot is switched. Without it an
   * upload is refused, unless `allowUnsigned` says this build knowingly takes unsigned images
   * (the simulator; a device built without the signed-app sdkconfig, which the status says).
   */
  signature?: ImageSignatureVerifier;
  allowUnsigned?: boolean;
}

export const DEFAULT_HEALTH_DEADLINE_MS = 120_000;
export const DEFAULT_REBOOT_DELAY_MS = 1_500;
export const DEFAULT_UPLOAD_IDLE_TIMEOUT_MS = 60_000;

export type OtaState = 'idle' | 'receiving' | 'reboot-scheduled' | 'pending-verify';
export type HealthSource = 'meter' | 'owner';

export interface OtaResult {
  outcome: 'installed' | 'rejected' | 'aborted' | 'confirmed' | 'rolled-back';
  atMs: number;
  version?: string;
  reason?: string;
}

export interface UploadSession {
  /** Returns a reason when the upload must stop (bad image, flash error). */
  write(chunk: Uint8Array, nowMs: number): string | undefined;
  /** Upload complete: verdict. */
  end(nowMs: number): { ok: true; info: ImageInfo; rebootAtMs: number } | { ok: false; reason: string };
  abort(reason: string, nowMs: number): void;
}

export interface OtaStatus {
  state: OtaState;
  projectName: string;
  runningVersion: string;
  runningSlot: string;
  rollbackSupported: boolean;
  nextSlot: { label: string; sizeBytes: number };
  receivedBytes?: number;
  expectedBytes?: number;
  healthDeadlineMs?: number;
  healthRemainingMs?: number;
  rebootAtMs?: number;
  lastResult?: OtaResult;
  slots: ReturnType<OtaSlots['slots']>;
  /** What an image must carry: a signature of `scheme` (checked `here` or by the `slot`, i.e. ESP-IDF), or nothing. */
  signature: { required: true; scheme: string; checkedBy: 'here' | 'slot' } | { required: false; reason: string };
}

export class OtaMachine {
  private state: OtaState = 'idle';
  private writer: OtaWriter | undefined;
  private checker: EspImageChecker | undefined;
  private receivedBytes = 0;
  private expectedBytes: number | undefined;
  private lastWriteMs = 0;
  private uploadId = 0;
  private healthDeadlineAtMs = 0;
  private rebootAtMs = 0;
  private lastResult: OtaResult | undefined;
  private readonly healthDeadlineMs: number;
  private readonly rebootDelayMs: number;
  private readonly uploadIdleTimeoutMs: number;

  constructor(
    private readonly slots: OtaSlots,
    private readonly config: OtaConfig,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.healthDeadlineMs = config.healthDeadlineMs ?? DEFAULT_HEALTH_DEADLINE_MS;
    this.rebootDelayMs = config.rebootDelayMs ?? DEFAULT_REBOOT_DELAY_MS;
    this.uploadIdleTimeoutMs = config.uploadIdleTimeoutMs ?? DEFAULT_UPLOAD_IDLE_TIMEOUT_MS;
  }

  runningVersion(): string {
    return this.slots.running().version ?? this.config.firmwareVersion;
  }

  /** Call once per (real or simulated) boot. */
  boot(nowMs: number): void {
    this.dropUpload();
    this.rebootAtMs = 0;
    const running = this.slots.running();
    if (running.pendingVerify) {
      this.state = 'pending-verify';
      this.healthDeadlineAtMs = nowMs + this.healthDeadlineMs;
      this.log(`ota: running new image ${this.runningVersion()} in ${running.label}; confirm within ${this.healthDeadlineMs / 1000} s or roll back`);
      return;
    }
    this.state = 'idle';
    // A slot left invalid/aborted means the last update did not survive: say so after the rollback.
    const failed = this.slots.slots().find((s) => !s.running && (s.state === 'invalid' || s.state === 'aborted'));
    if (failed && !this.lastResult) {
      this.lastResult = {
        outcome: 'rolled-back',
        atMs: nowMs,
        version: failed.version,
        reason:
          failed.state === 'aborted'
            ? `image ${failed.version ?? '?'} was reset before it confirmed itself; the bootloader returned to ${this.runningVersion()}`
            : `image ${failed.version ?? '?'} did not report healthy in time; rolled back to ${this.runningVersion()}`,
      };
    }
  }

  /** A sign the running image works (a meter frame decoded, a web request answered). */
  reportHealthy(source: HealthSource, nowMs: number): void {
    if (this.state !== 'pending-verify') return;
    this.slots.markValid();
    this.state = 'idle';
    this.lastResult = { outcome: 'confirmed', atMs: nowMs, version: this.runningVersion(), reason: `healthy (${source})` };
    this.log(`ota: image ${this.runningVersion()} confirmed (${source})`);
  }

  tick(nowMs: number): void {
    if (this.state === 'pending-verify' && nowMs >= this.healthDeadlineAtMs) {
      this.log(`ota: image ${this.runningVersion()} not healthy within ${this.healthDeadlineMs / 1000} s: rolling back`);
      this.state = 'idle';
      this.lastResult = undefined;
      this.slots.rollbackAndReboot();
      return;
    }
    if (this.state === 'receiving' && nowMs - this.lastWriteMs >= this.uploadIdleTimeoutMs) {
      this.fail('aborted', `upload stalled: nothing received for ${this.uploadIdleTimeoutMs / 1000} s`, nowMs);
      return;
    }
    if (this.state === 'reboot-scheduled' && nowMs >= this.rebootAtMs) {
      this.log('ota: restarting into the new image');
      this.state = 'idle';
      this.slots.restart();
    }
  }

  /** Opens an upload; refuses when another one runs or the running image is not confirmed yet. */
  beginUpload(
    request: { sizeBytes?: number; force?: boolean },
    nowMs: number,
  ): { ok: true; session: UploadSession } | { ok: false; status: number; reason: string } {
    if (this.state === 'receiving') return { ok: false, status: 409, reason: 'another firmware upload is in progress' };
    if (this.state === 'reboot-scheduled') return { ok: false, status: 409, reason: 'a new image is installed; the box is restarting' };
    if (this.state === 'pending-verify') {
      // ESP-IDF refuses esp_ota_begin here too: the slot holding the known-good image would be overwritten.
      return { ok: false, status: 409, reason: 'the running image is not confirmed yet; try again once it is' };
    }
    const verifier = this.config.signature;
    if (!verifier && !this.config.allowUnsigned) {
      return {
        ok: false,
        status: 403,
        reason: 'this box has no release key to check images with, so it installs none (docs/provisioning-ota.md, "Signed firmware")',
      };
    }
    const slot = this.slots.nextSlot();
    if (request.sizeBytes !== undefined && request.sizeBytes > slot.sizeBytes) {
      return { ok: false, status: 413, reason: `image of ${request.sizeBytes} bytes does not fit the ${slot.sizeBytes}-byte update slot` };
    }
    let writer: OtaWriter;
    try {
      writer = this.slots.begin(request.sizeBytes);
    } catch (e) {
      return { ok: false, status: 500, reason: `cannot open the update slot: ${String((e as Error)?.message ?? e)}` };
    }
    this.writer = writer;
    this.checker = new EspImageChecker({
      projectName: this.config.projectName,
      runningVersion: this.runningVersion(),
      force: request.force === true,
      maxSizeBytes: slot.sizeBytes,
      expectedChipId: this.config.expectedChipId,
      sha256Factory: this.config.sha256Factory,
      signature: verifier ? { scheme: verifier.scheme, check: verifier.begin() } : undefined,
    });
    this.state = 'receiving';
    this.receivedBytes = 0;
    this.expectedBytes = request.sizeBytes;
    this.lastWriteMs = nowMs;
    const id = ++this.uploadId;
    this.log(`ota: upload started into ${slot.label}${request.force ? ' (forced)' : ''}`);
    const active = () => this.state === 'receiving' && this.uploadId === id;
    return {
      ok: true,
      session: {
        write: (chunk, now) => {
          if (!active()) return this.lastResult?.reason ?? 'upload is no longer active';
          this.lastWriteMs = now;
          const reason = this.checker!.write(chunk);
          if (reason) {
            this.fail('rejected', reason, now);
            return reason;
          }
          try {
            this.writer!.write(chunk);
          } catch (e) {
            const why = `flash write failed: ${String((e as Error)?.message ?? e)}`;
            this.fail('aborted', why, now);
            return why;
          }
          this.receivedBytes += chunk.length;
          return undefined;
        },
        end: (now) => {
          if (!active()) return { ok: false, reason: this.lastResult?.reason ?? 'upload is no longer active' };
          if (this.expectedBytes !== undefined && this.receivedBytes !== this.expectedBytes) {
            const why = `upload ended after ${this.receivedBytes} of ${this.expectedBytes} bytes`;
            this.fail('aborted', why, now);
            return { ok: false, reason: why };
          }
          const verdict = this.checker!.finish();
          if (!verdict.ok) {
            this.fail('rejected', verdict.reason, now);
            return verdict;
          }
          try {
            this.writer!.complete();
          } catch (e) {
            const why = `the slot refused the image${verifier?.where === 'slot' ? " (ESP-IDF's image and signature check)" : ''}: ${String((e as Error)?.message ?? e)}`;
            this.fail('aborted', why, now);
            return { ok: false, reason: why };
          }
          this.writer = undefined;
          this.checker = undefined;
          this.state = 'reboot-scheduled';
          this.rebootAtMs = now + this.rebootDelayMs;
          this.lastResult = { outcome: 'installed', atMs: now, version: verdict.info.version, reason: `restarting into ${verdict.info.version}` };
          this.log(`ota: image ${verdict.info.version} (${verdict.info.sizeBytes} bytes) written and checked; restart at +${this.rebootDelayMs} ms`);
          return { ok: true, info: verdict.info, rebootAtMs: this.rebootAtMs };
        },
        abort: (reason, now) => {
          if (active()) this.fail('aborted', `upload interrupted: ${reason}`, now);
        },
      },
    };
  }

  status(nowMs: number): OtaStatus {
    const running = this.slots.running();
    const s: OtaStatus = {
      state: this.state,
      projectName: this.config.projectName,
      runningVersion: this.runningVersion(),
      runningSlot: running.label,
      rollbackSupported: this.slots.rollbackSupported,
      nextSlot: this.slots.nextSlot(),
      slots: this.slots.slots(),
      signature: this.config.signature
        ? { required: true, scheme: this.config.signature.scheme, checkedBy: this.config.signature.where }
        : { required: false, reason: this.config.allowUnsigned ? 'this build takes unsigned images' : 'no release key: no image is installed' },
    };
    if (this.state === 'receiving') {
      s.receivedBytes = this.receivedBytes;
      if (this.expectedBytes !== undefined) s.expectedBytes = this.expectedBytes;
    }
    if (this.state === 'pending-verify') {
      s.healthDeadlineMs = this.healthDeadlineMs;
      s.healthRemainingMs = Math.max(0, this.healthDeadlineAtMs - nowMs);
    }
    if (this.state === 'reboot-scheduled') s.rebootAtMs = this.rebootAtMs;
    if (this.lastResult) s.lastResult = { ...this.lastResult };
    return s;
  }

  private fail(outcome: 'rejected' | 'aborted', reason: string, nowMs: number): void {
    this.log(`ota: upload ${outcome}: ${reason}`);
    this.lastResult = { outcome, atMs: nowMs, reason };
    this.dropUpload();
    this.state = 'idle';
  }

  private dropUpload(): void {
    if (this.writer) this.writer.abort();
    this.writer = undefined;
    this.checker = undefined;
    this.receivedBytes = 0;
    this.expectedBytes = undefined;
  }
}
