/**
 * npx tsx tools/bench/han-stages.ts [filter]
 *
 * What the stages of a HAN frame's decode cost under XS, per capture (every HAN capture that
 * decodes, or those whose name contains `filter`), on a stream that has seen the capture twice (its
 * list layout kept): the whole MeterStream push (JavaScript CRC and AES, no headroom), the APDU
 * decode, the list read (PushList.read) of the same bytes and of the list with every number's
 * bytes changed (the layout replay must cost the same: it does not look at values), and the
 * mapping (listToReading). The list is read from a copy of its own, so the layout comparison takes
 * its slower copy (the stream's window is larger). Figures, not a test (BENCHMARKS.md, "Issue 13's
 * bounds").
 */
import { bundleForXs } from '../xs/bundle';
import { bytesToHex } from '../xs/harness-core';
import { loadVectors } from '../xs/vector-catalog';
import { openXsSession } from './xs-session';

const N = 20;

async function main(): Promise<void> {
  const filter = process.argv[2] ?? 'han/';
  const bundle = await bundleForXs({
    core: 'tools/xs/harness-core',
    ms: 'decoders/meter-stream',
    pl: 'decoders/dlms/push-list',
    reg: 'decoders/dlms/lists/registry',
    apdu: 'decoders/dlms/apdu',
  });
  for (const [m, why] of Object.entries(bundle.missing)) throw new Error(`module ${m} missing from the XS bundle: ${why}`);
  const { xs, cost } = await openXsSession(bundle.code);
  try {
    // the last list read and the last APDU decoded, kept for measuring them alone
    await xs.evaluate(`
      const PL = __xs.pl.PushList.prototype; const read = PL.read;
      PL.read = function (b, p, e) { globalThis.__list = [this, b.slice(), p, e]; return read.call(this, b, p, e); };
      const AD = __xs.apdu.DlmsApduDecoder.prototype; const decode = AD.decode;
      AD.decode = function (b, s, e) { globalThis.__apdu = [this, b.slice(s, e)]; return decode.call(this, b, s, e); };
      0`);
    console.log(
      `${'capture'.padEnd(64)} ${'bytes'.padStart(5)} ${'stream'.padStart(7)} ${'apdu'.padStart(6)} ${'read'.padStart(6)} ${'values'.padStart(6)} ${'map'.padStart(6)}`,
    );
    for (const v of loadVectors().filter((x) => x.name.includes(filter) && !x.broken)) {
      await xs.evaluate(
        `globalThis.__in = __xs.core.hexToBytes(${JSON.stringify(bytesToHex(v.bytes))}); globalThis.__ok = 0; globalThis.__list = undefined; globalThis.__apdu = undefined;
         globalThis.__s = new __xs.ms.MeterStream(__xs.core.decoderOptions(${JSON.stringify(v.options)})); globalThis.__cb = (r) => { if (r.ok) __ok++; };
         globalThis.__feed = () => { for (let at = 0; at < __in.length; at += 128) __s.push(__in.subarray(at, Math.min(at + 128, __in.length)), __cb); };
         __feed(); __feed(); 0`,
      );
      const ready = (await xs.evaluateJson<boolean>('__ok === 2 && __list !== undefined && __apdu !== undefined')).value;
      if (!ready) continue;
      const stream = (await cost(`for (let k = 0; k < ${N}; k++) __feed()`)) / N;
      const apdu = (await cost(`for (let k = 0; k < ${N}; k++) __apdu[0].decode(__apdu[1], 0, __apdu[1].length)`)) / N;
      const read = (await cost(`for (let k = 0; k < ${N}; k++) __list[0].read(__list[1], __list[2], __list[3])`)) / N;
      // the same list with every number's bytes changed, read in turn with the original
      await xs.evaluate(
        `const L = __list[0]; L.read(__list[1], __list[2], __list[3]); globalThis.__other = __list[1].slice();
         for (let i = 0; i < L.count; i++) if (L.kind[i] === __xs.pl.ITEM_NUMBER) for (let j = 0; j < L.len[i]; j++) __other[L.at[i] + j] ^= 0x5a; 0`,
      );
      const values =
        (await cost(`for (let k = 0; k < ${N}; k++) { __list[0].read(__other, __list[2], __list[3]); __list[0].read(__list[1], __list[2], __list[3]); }`)) /
        N /
        2;
      const map = (await cost(`for (let k = 0; k < ${N}; k++) __xs.reg.listToReading(__list[0], undefined, false)`)) / N;
      const f = (x: number): string => x.toFixed(0).padStart(6);
      console.log(
        `${v.name.slice(0, 64).padEnd(64)} ${String(v.bytes.length).padStart(5)} ${f(stream).padStart(7)} ${f(apdu)} ${f(read)} ${f(values)} ${f(map)}`,
      );
    }
  } finally {
    xs.close();
  }
}

main().catch((e) => {
  process.stderr.write(`han-stages: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
