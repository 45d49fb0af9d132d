/**
 * The OTA state machine driven against the PC file-backed slots (the same adapter `npm start` uses),
 * so "running slot untouched" is checked on the slot file bytes and the boot record.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OtaMachine } from '../../firmware/app/ota/ota-machine';
import { FileOtaSlots } from '../../firmware/host/ota-file-slots';
import { buildTestImage } from './esp-image-builder';
import type { TestImageOptions } from './esp-image-builder';

const SLOT_BYTES = 8192;
const DEADLINE_MS = 120_000;

function rig() {
  const dir = mkdtempSync(join(tmpdir(), 'ota-machine-'));
  let now = 1_000_000;
  const restarts: string[] = [];
  let machine: OtaMachine;
  const slots = new FileOtaSlots({
    dir,
    slotSizeBytes: SLOT_BYTES,
    factoryVersion: '1.0.0',
    onRestart: (label) => {
      restarts.push(label);
      machine.boot(now);
    },
  });
  machine = new OtaMachine(slots, {
    projectName: 'meterbox',
    firmwareVersion: '1.0.0',
    healthDeadlineMs: DEADLINE_MS,
    rebootDelayMs: 1500,
    allowUnsigned: true,
  });
  machine.boot(now);
  const fileHash = (label: string) =>
    createHash('sha256')
      .update(readFileSync(join(dir, `${label}.bin`)))
      .digest('hex');
  const otadata = () => JSON.parse(readFileSync(join(dir, 'otadata.json'), 'utf8'));
  return {
    dir,
    slots,
    restarts,
    fileHash,
    otadata,
    get machine() {
      return machine;
    },
    now: () => now,
    advance(ms: number) {
      now += ms;
      machine.tick(now);
    },
    /** Uploads in 100-byte chunks; `cutAt` simulates the connection dropping there. */
    upload(image: Uint8Array, o: { force?: boolean; cutAt?: number; announce?: boolean } = {}) {
      const opened = machine.beginUpload({ sizeBytes: o.announce === false || o.cutAt !== undefined ? undefined : image.length, force: o.force }, now);
      if (!opened.ok) return { ok: false as const, reason: opened.reason, status: opened.status };
      const end = o.cutAt ?? image.length;
      for (let i = 0; i < end; i += 100) {
        const reason = opened.session.write(image.subarray(i, Math.min(i + 100, end)), now);
        if (reason) return { ok: false as const, reason };
      }
      if (o.cutAt !== undefined) {
        opened.session.abort('connection closed', now);
        return { ok: false as const, reason: machine.status(now).lastResult?.reason ?? '' };
      }
      const verdict = opened.session.end(now);
      return verdict.ok ? { ok: true as const, version: verdict.info.version } : { ok: false as const, reason: verdict.reason };
    },
  };
}

describe('OTA: good image -> pending -> healthy -> valid', () => {
  test('the whole happy path, with the boot record at each step', () => {
    const r = rig();
    expect(r.machine.status(r.now())).toMatchObject({ state: 'idle', runningVersion: '1.0.0', runningSlot: 'ota_0' });
    const image = buildTestImage({ version: '1.1.0' });
    expect(r.upload(image)).toEqual({ ok: true, version: '1.1.0' });
    expect(r.machine.status(r.now()).state).toBe('reboot-scheduled');
    expect(r.otadata()).toEqual({ running: 0, nextBoot: 1, states: ['valid', 'new'] });
    expect(readFileSync(join(r.dir, 'ota_1.bin'))).toEqual(Buffer.from(image));
    r.advance(1000);
    expect(r.restarts).toEqual([]);
    r.advance(600);
    expect(r.restarts).toEqual(['ota_1']);
    expect(r.machine.status(r.now())).toMatchObject({ state: 'pending-verify', runningVersion: '1.1.0', runningSlot: 'ota_1', healthRemainingMs: DEADLINE_MS });
    expect(r.otadata().states).toEqual(['valid', 'pending-verify']);
    // An upload is refused while the new image has not proven itself.
    expect(r.upload(buildTestImage({ version: '1.2.0' }))).toMatchObject({ ok: false, status: 409 });
    r.advance(30_000);
    r.machine.reportHealthy('meter', r.now());
    expect(r.otadata().states).toEqual(['valid', 'valid']);
    expect(r.machine.status(r.now())).toMatchObject({ state: 'idle', lastResult: { outcome: 'confirmed', version: '1.1.0' } });
    r.advance(DEADLINE_MS * 2);
    expect(r.restarts).toEqual(['ota_1']);
  });
});

describe('OTA: bad images are rejected and the running slot is untouched', () => {
  const cases: [string, TestImageOptions, { force?: boolean; cutAt?: number; trim?: number }, RegExp][] = [
    ['bad magic', { magic: 0x00 }, {}, /not an ESP32 app image/],
    ['wrong chip', { chipId: 0x0005 }, {}, /ESP32-C3/],
    ['wrong project', { projectName: 'blink' }, {}, /project "blink"/],
    ['older version', { version: '0.8.0' }, {}, /older than running 1.0.0/],
    ['too big', { segmentSizes: [4000, 4000, 400] }, {}, /does not fit|larger than the update slot|more than the update slot/],
    ['interrupted upload', {}, { cutAt: 300 }, /upload interrupted: connection closed/],
    ['truncated file (no Content-Length)', {}, { trim: 40 }, /truncated/],
  ];
  test.each(cases)('%s', (_name, imageOptions, how, reason) => {
    const r = rig();
    const before = r.fileHash('ota_0');
    let image = buildTestImage({ version: '1.1.0', ...imageOptions });
    if (how.trim) image = image.subarray(0, image.length - how.trim);
    const result = r.upload(image, { cutAt: how.cutAt, announce: how.trim ? false : undefined });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
    expect(r.fileHash('ota_0')).toBe(before);
    expect(r.otadata()).toMatchObject({ running: 0, nextBoot: 0 });
    expect(r.otadata().states[0]).toBe('valid');
    const status = r.machine.status(r.now());
    expect(status.state).toBe('idle');
    if (!/too big/.test(_name)) expect(status.lastResult?.reason).toMatch(reason);
    r.advance(10_000);
    expect(r.restarts).toEqual([]);
    // The slot is free again: a good image goes in afterwards.
    expect(r.upload(buildTestImage({ version: '1.1.0' }))).toEqual({ ok: true, version: '1.1.0' });
  });

  test('Content-Length larger than the slot is refused before any byte is written', () => {
    const r = rig();
    const opened = r.machine.beginUpload({ sizeBytes: SLOT_BYTES + 1 }, r.now());
    expect(opened).toMatchObject({ ok: false, status: 413 });
    expect(r.otadata().states[1]).toBe('empty');
  });
  test('a second upload while one runs is refused with 409', () => {
    const r = rig();
    expect(r.machine.beginUpload({}, r.now()).ok).toBe(true);
    expect(r.machine.beginUpload({}, r.now())).toMatchObject({ ok: false, status: 409 });
  });
  test('a stalled upload is abandoned after the idle timeout', () => {
    const r = rig();
    const opened = r.machine.beginUpload({}, r.now());
    if (!opened.ok) throw new Error('no upload');
    opened.session.write(buildTestImage().subarray(0, 50), r.now());
    r.advance(59_000);
    expect(r.machine.status(r.now()).state).toBe('receiving');
    r.advance(1_000);
    expect(r.machine.status(r.now())).toMatchObject({ state: 'idle', lastResult: { outcome: 'aborted' } });
    expect(opened.session.write(new Uint8Array(10), r.now())).toMatch(/stalled/);
  });
  test('force installs an older version', () => {
    const r = rig();
    expect(r.upload(buildTestImage({ version: '0.9.0' }), { force: true })).toEqual({ ok: true, version: '0.9.0' });
  });
});

describe('OTA: a new image that does not prove itself is rolled back', () => {
  test('health deadline passes -> rollback to the previous image, reported after the reboot', () => {
    const r = rig();
    const factory = r.fileHash('ota_0');
    expect(r.upload(buildTestImage({ version: '1.1.0' })).ok).toBe(true);
    r.advance(2000);
    expect(r.machine.status(r.now()).state).toBe('pending-verify');
    r.advance(DEADLINE_MS - 1);
    expect(r.machine.status(r.now())).toMatchObject({ state: 'pending-verify', healthRemainingMs: 1 });
    r.advance(1);
    expect(r.restarts).toEqual(['ota_1', 'ota_0']);
    expect(r.otadata()).toEqual({ running: 0, nextBoot: 0, states: ['valid', 'invalid'] });
    expect(r.fileHash('ota_0')).toBe(factory);
    expect(r.machine.status(r.now())).toMatchObject({
      state: 'idle',
      runningVersion: '1.0.0',
      lastResult: { outcome: 'rolled-back', version: '1.1.0', reason: expect.stringMatching(/did not report healthy/) },
    });
    // A late health report changes nothing.
    r.machine.reportHealthy('owner', r.now());
    expect(r.otadata().states).toEqual(['valid', 'invalid']);
  });

  test('a reset before confirming (crash) makes the bootloader abandon the image', () => {
    const r = rig();
    expect(r.upload(buildTestImage({ version: '1.1.0' })).ok).toBe(true);
    r.advance(2000);
    expect(r.otadata().states).toEqual(['valid', 'pending-verify']);
    // Power cycle: a new process constructs the slots again (the bootloader runs).
    const again = new FileOtaSlots({ dir: r.dir, slotSizeBytes: SLOT_BYTES, factoryVersion: '1.0.0' });
    expect(again.running()).toMatchObject({ label: 'ota_0', pendingVerify: false, version: '1.0.0' });
    expect(r.otadata().states).toEqual(['valid', 'aborted']);
    const m = new OtaMachine(again, { projectName: 'meterbox', firmwareVersion: '1.0.0', allowUnsigned: true });
    m.boot(0);
    expect(m.status(0).lastResult).toMatchObject({ outcome: 'rolled-back', reason: expect.stringMatching(/reset before it confirmed/) });
  });
});
