/**
 * The OTA and provisioning machines under the real XS engine (@agoric/xsnap, the engine Moddable
 * runs on the ESP32): the pure modules bundled with the XS suite's purity guard, one scenario
 * (image check good/bad, SHA-256, signature blocks of both schemes as the device checks them,
 * upload -> restart -> rollback, wrong password -> connect ->
 * drop -> back-off -> fallback AP, a captive DNS answer) run in XS and in Node, results compared as JSON.
 * Also prints what SHA-256 costs in XS computrons per KiB (a figure, not a pass/fail limit).
 */
import { bundleForXs } from '../../tools/xs/bundle';
import { XsWorker, xsnapAvailable } from '../../tools/xs/xsnap-driver';
import * as ota from '../../firmware/app/ota/ota-machine';
import * as img from '../../firmware/app/ota/esp-image';
import * as sha from '../../firmware/app/crypto/sha256';
import * as prov from '../../firmware/app/provisioning/provisioning-machine';
import * as dns from '../../firmware/app/provisioning/dns-answer';
import * as sig from '../../firmware/app/ota/signature-block';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { buildTestImage } from './esp-image-builder';

// Plain JS, evaluated in both engines with M = { ota, img, sha, prov }.
const SCENARIO = String.raw`
(function (M, imageBytes) {
  const out = {};
  const hex = (b) => Array.from(b, (x) => (x < 16 ? '0' : '') + x.toString(16)).join('');
  const image = Uint8Array.from(imageBytes);
  const check = (bytes) => {
    const c = new M.img.EspImageChecker({ projectName: 'meterbox', runningVersion: '1.0.0', maxSizeBytes: 8192 });
    for (let i = 0; i < bytes.length; i += 13) if (c.write(bytes.subarray(i, i + 13))) break;
    return c.finish();
  };
  out.good = check(image);
  const flipped = image.slice(); flipped[300] ^= 1;
  out.flipped = check(flipped);
  out.truncated = check(image.subarray(0, 200));
  out.sha = hex(M.sha.sha256(image));

  // Signed images as the device sees them (format checked here, ESP-IDF verifies in esp_ota_end):
  // a v1 block after the image, an unsigned image, a v2 sector with its CRC, a damaged CRC.
  const slotCheck = (scheme, bytes) => {
    const c = new M.img.EspImageChecker({ projectName: 'meterbox', runningVersion: '1.0.0', maxSizeBytes: 16384, signature: { scheme, check: { update() {}, verify() { return undefined; } } } });
    for (let i = 0; i < bytes.length; i += 97) if (c.write(bytes.subarray(i, i + 97))) break;
    return c.finish();
  };
  const v1 = new Uint8Array(image.length + 68); v1.set(image); for (let i = 4; i < 68; i++) v1[image.length + i] = i;
  out.v1Signed = slotCheck('ecdsa-p256-v1', v1);
  out.v1Unsigned = slotCheck('ecdsa-p256-v1', image);
  const start = Math.ceil(image.length / 4096) * 4096;
  const v2 = new Uint8Array(start + 4096).fill(0xff); v2.set(image);
  const block = new Uint8Array(1216); block[0] = 0xe7; block[1] = 2; for (let i = 4; i < 1196; i++) block[i] = (i * 31) & 255;
  const crc = M.sig.crc32(block.subarray(0, 1196)); block[1196] = crc & 255; block[1197] = (crc >>> 8) & 255; block[1198] = (crc >>> 16) & 255; block[1199] = crc >>> 24;
  v2.set(block, start);
  out.v2Signed = slotCheck('rsa3072-v2', v2);
  const v2bad = v2.slice(); v2bad[start + 500] ^= 1;
  out.v2BadCrc = slotCheck('rsa3072-v2', v2bad);
  out.crc = M.sig.crc32(image);
  out.hmac = hex(M.sha.hmacSha256(Uint8Array.from([1, 2, 3]), image.subarray(0, 100)));

  // OTA machine on in-memory slots that follow the bootloader rules.
  const states = ['valid', 'empty'];
  let running = 0, nextBoot = 0;
  const log = [];
  let machine;
  const boot = () => {
    if (states[nextBoot] === 'new') states[nextBoot] = 'pending-verify';
    else if (states[nextBoot] === 'pending-verify') { states[nextBoot] = 'aborted'; nextBoot = 1 - nextBoot; }
    running = nextBoot;
  };
  const slots = {
    rollbackSupported: true,
    running: () => ({ label: 'ota_' + running, pendingVerify: states[running] === 'pending-verify', version: running === 0 ? '1.0.0' : '1.1.0' }),
    nextSlot: () => ({ label: 'ota_' + (1 - running), sizeBytes: 8192 }),
    begin: () => { const t = 1 - running; states[t] = 'empty'; let n = 0;
      return { write: (c) => { n += c.length; }, complete: () => { states[t] = 'new'; nextBoot = t; log.push('complete ' + n); }, abort: () => log.push('abort ' + n) }; },
    markValid: () => { states[running] = 'valid'; },
    rollbackAndReboot: () => { states[running] = 'invalid'; nextBoot = 1 - running; log.push('rollback'); boot(); machine.boot(now); },
    restart: () => { log.push('restart'); boot(); machine.boot(now); },
    slots: () => [0, 1].map((i) => ({ label: 'ota_' + i, sizeBytes: 8192, state: states[i], running: running === i, nextBoot: nextBoot === i })),
  };
  let now = 0;
  machine = new M.ota.OtaMachine(slots, { projectName: 'meterbox', firmwareVersion: '1.0.0', allowUnsigned: true }, (m) => log.push(m));
  machine.boot(now);
  const bad = machine.beginUpload({}, now);
  for (let i = 0; i < flipped.length; i += 100) if (bad.session.write(flipped.subarray(i, i + 100), now)) break;
  out.badUpload = machine.status(now).lastResult;
  const up = machine.beginUpload({ sizeBytes: image.length }, now);
  for (let i = 0; i < image.length; i += 100) up.session.write(image.subarray(i, i + 100), now);
  out.end = up.session.end(now);
  now = 1600; machine.tick(now);
  out.onTrial = machine.status(now);
  now = 1600 + 120000; machine.tick(now);
  out.afterDeadline = machine.status(now);
  out.otaLog = log;
  out.states = states.slice();

  // Provisioning with a scripted radio.
  const calls = [];
  let saved;
  const p = new M.prov.ProvisioningMachine({
    identity: { macAddress: Uint8Array.from([0x24, 0x6f, 0x28, 0x4f, 0x21, 0xa0]), deviceSecret: Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1) },
    wifi: { scan: async () => [], startAccessPoint: (c) => calls.push('ap-up ' + c.ssid), stopAccessPoint: () => calls.push('ap-down'),
      connectStation: (c) => calls.push('connect ' + c.ssid), disconnectStation: () => calls.push('disconnect'), onStationEvent: () => {},
      accessPointAddress: () => '192.168.4.1', mode: () => 'ap' },
    dns: { start: () => calls.push('dns'), stop: () => calls.push('dns-off') },
    mdns: { start: () => calls.push('mdns'), stop: () => calls.push('mdns-off') },
    store: { load: () => saved, save: (c) => { saved = c; }, clear: () => { saved = undefined; } },
  });
  out.label = p.accessPointCredentials();
  p.start(0);
  p.testAndSave({ ssid: 'Home', password: 'wrong-pass' }, 1000);
  p.onStationEvent({ type: 'failed', reason: 'wrong-password' }, 3000);
  out.afterWrong = p.status(3000);
  p.testAndSave({ ssid: 'Home', password: 'right-pass' }, 4000);
  p.onStationEvent({ type: 'connected', ip: '192.168.1.77' }, 6000);
  p.tick(66000);
  calls.length = 0;
  p.onStationEvent({ type: 'dropped' }, 100000);
  const retries = [];
  for (let t = 100000; t <= 100000 + 700000; t += 1000) {
    p.tick(t);
    while (calls.length) { const c = calls.shift(); if (c.startsWith('connect')) { retries.push(t - 100000); p.onStationEvent({ type: 'failed', reason: 'no-ap' }, t); } else if (c.startsWith('ap-up')) retries.push('ap@' + (t - 100000)); }
  }
  out.retries = retries;
  out.final = p.status(800000);
  out.saved = saved;
  const q = [0xbe, 0xef, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0, 0, 1, 0, 1];
  out.dns = Array.from(M.dns.captiveDnsAnswer(Uint8Array.from(q), M.dns.parseIpv4('192.168.4.1')));
  return out;
})`;

const available = xsnapAvailable();
(available ? describe : describe.skip)('OTA and provisioning machines under XS', () => {
  test('same results in XS as in Node', async () => {
    const image = Array.from(buildTestImage({ version: '1.1.0', segmentSizes: [600, 200, 100] }));
    const bundle = await bundleForXs({
      ota: 'firmware/app/ota/ota-machine',
      img: 'firmware/app/ota/esp-image',
      sha: 'firmware/app/crypto/sha256',
      prov: 'firmware/app/provisioning/provisioning-machine',
      dns: 'firmware/app/provisioning/dns-answer',
      sig: 'firmware/app/ota/signature-block',
    });
    expect(bundle.missing).toEqual({});
    // eslint-disable-next-line no-new-func
    const nodeResult = JSON.parse(JSON.stringify(new Function(`return ${SCENARIO.trim()}`)()({ ota, img, sha, prov, dns, sig }, image)));
    expect(nodeResult.good.ok).toBe(true);
    expect(nodeResult.v1Signed).toMatchObject({ ok: true, info: { signature: 'ecdsa-p256-v1' } });
    expect(nodeResult.v1Unsigned.reason).toMatch(/not signed/);
    expect(nodeResult.v2Signed).toMatchObject({ ok: true, info: { signature: 'rsa3072-v2' } });
    expect(nodeResult.v2BadCrc.reason).toMatch(/CRC/);
    // The CRC-32 the v2 block carries is zlib's (what espsecure and esp_rom_crc32_le compute).
    expect(nodeResult.crc).toBe(zlibCrc32(Buffer.from(image)));
    expect(nodeResult.flipped.reason).toMatch(/checksum/);
    expect(nodeResult.afterDeadline.lastResult.outcome).toBe('rolled-back');
    expect(nodeResult.afterWrong.test.reason).toBe('wrong password');
    expect(nodeResult.retries.slice(0, 4)).toEqual([2000, 6000, 14000, 30000]);
    expect(nodeResult.dns.slice(-4)).toEqual([192, 168, 4, 1]);

    const xs = new XsWorker();
    try {
      await xs.evaluate(bundle.code);
      const r = await xs.evaluateJson<unknown>(`(${SCENARIO})(globalThis.__xs, ${JSON.stringify(image)})`);
      expect(r.value).toEqual(nodeResult);

      // Figure: computrons per KiB of SHA-256 in XS (the device may inject a native digest instead).
      const kib = 64;
      const m = await xs.evaluateJson<number>(
        `(() => { const b = new Uint8Array(${kib * 1024}); for (let i = 0; i < b.length; i++) b[i] = i & 255; return globalThis.__xs.sha.sha256(b)[0]; })()`,
      );
      console.log(`XS: SHA-256 of ${kib} KiB = ${m.meter.compute} computrons (${Math.round(m.meter.compute / kib)} per KiB)`);
      const plain = Array.from(buildTestImage({ version: '1.1.0', segmentSizes: [kib * 1024], hashAppended: false }));
      const c = await xs.evaluateJson<boolean>(
        `(() => { const b = Uint8Array.from(${JSON.stringify(plain)}); const k = new globalThis.__xs.img.EspImageChecker({ projectName: 'meterbox', runningVersion: '1.0.0', maxSizeBytes: 1 << 21 }); for (let i = 0; i < b.length; i += 4096) k.write(b.subarray(i, i + 4096)); return k.finish().ok; })()`,
      );
      expect(c.value).toBe(true);
      console.log(
        `XS: image check without hash, ${kib} KiB in 4 KiB chunks = ${c.meter.compute} computrons incl. building the array (${Math.round(c.meter.compute / kib)} per KiB)`,
      );
    } finally {
      xs.close();
    }
  }, 60000);
});

if (!available) {
  test('xsnap-worker is built (npm install builds it)', () => {
    throw new Error('the XS engine (tools/xs-engine) is not built: npm run setup:xs');
  });
}
