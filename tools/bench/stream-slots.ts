/**
 * npx tsx tools/bench/stream-slots.ts [capture ...]
 *
 * XS heap slots a MeterStream holds after 20 frames of one capture, beyond what it held before its
 * first (after gc(), xsnap's currentHeapCount): what a locked stream keeps per meter, e.g. the HAN
 * list layouts and their mapping plans (decoders/dlms/list-layout.ts). Slots are 16 bytes on the
 * ESP32; typed-array contents are chunk bytes, not counted here. Figures, not a test
 * (BENCHMARKS.md, "Issue 13's bounds").
 */
import { bundleForXs } from '../xs/bundle';
import { bytesToHex } from '../xs/harness-core';
import { loadVectors } from '../xs/vector-catalog';
import { XsWorker } from '../xs/xsnap-driver';

const DEFAULT = ['AIDON_V0001__6525-3-FC722-ok-L375-1', 'Kamstrup228', 'KFM_001__MA304H3E-1-ok-L121-1', 'telegram_v5_eon_hu'];

async function main(): Promise<void> {
  const names = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT;
  const bundle = await bundleForXs({ core: 'tools/xs/harness-core', ms: 'decoders/meter-stream' });
  for (const [m, why] of Object.entries(bundle.missing)) throw new Error(`module ${m} missing from the XS bundle: ${why}`);
  for (const name of names) {
    const v = loadVectors().find((x) => x.name.includes(name));
    if (v === undefined) throw new Error(`no capture named like ${name}`);
    const xs = new XsWorker();
    try {
      await xs.evaluate(`${bundle.code}\n;0`);
      await xs.evaluate(
        `globalThis.__in = __xs.core.hexToBytes(${JSON.stringify(bytesToHex(v.bytes))}); globalThis.__ok = 0;
         globalThis.__s = new __xs.ms.MeterStream(__xs.core.decoderOptions(${JSON.stringify(v.options)})); globalThis.__cb = (r) => { if (r.ok) __ok++; }; 0`,
      );
      const slots = async (): Promise<number> => (await xs.evaluate('gc(); 0')).meter.currentHeapCount;
      const before = await slots();
      await xs.evaluate(
        `for (let k = 0; k < 20; k++) for (let at = 0; at < __in.length; at += 128) __s.push(__in.subarray(at, Math.min(at + 128, __in.length)), __cb); 0`,
      );
      const after = await slots();
      const ok = (await xs.evaluateJson<number>('__ok')).value;
      console.log(`${v.name.slice(0, 64).padEnd(64)} ${String(ok).padStart(3)} frames decoded, ${String(after - before).padStart(5)} slots held`);
    } finally {
      xs.close();
    }
  }
}

main().catch((e) => {
  process.stderr.write(`stream-slots: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
