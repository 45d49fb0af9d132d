/**
 * natives-check: a small Moddable app that proves the SDK natives the box hands its decoders
 * (firmware/moddable/natives: CRC-16 ARC and X.25, AES-128-GCM, TextDecoder) give exactly what
 * the decoders' own JavaScript gives, on the real engine with the real natives:
 *   1. CRC check values ("123456789": ARC 0xBB3D, X.25 0x906E) and 200 random buffers vs the JS tables;
 *   2. AES-GCM on 200 random cases (key, 12- or other-length IV, AAD, 0..300 bytes, tag 12 or 16,
 *      a flipped tag) vs decoders/crypto/gcm.ts;
 *   3. every capture of cases.ts through MeterStream twice, JavaScript only and with the natives:
 *      the frame results must be identical (readings, errors, raw bytes);
 *   4. the password natives (PBKDF2 on the SDK's C SHA-256, native SHA-256) against the app's JavaScript
 *      (pbkdf2-check.ts).
 * It prints one line per check and `natives-check: N passed, N failed`, with the milliseconds
 * each way (on an ESP32 that is the device's real decode time per capture).
 * Run in the simulator with firmware/moddable/sim/natives-check.mjs (docs/firmware.md), or flash
 * it to a board with `mcconfig -d -m -p esp32 manifests/manifest_natives_check.json` and read xsbug.
 */
import Resource from 'Resource';
import { AesGcmKey, aesGcmEncrypt } from '../../../decoders/crypto/gcm';
import type { DecoderOptions, FrameResult } from '../../../decoders/frame-result';
import { MeterStream } from '../../../decoders/meter-stream';
import { latin1 } from '../../../decoders/util/ascii';
import { crc16Arc } from '../../../decoders/util/crc16-arc';
import { crc16X25 } from '../../../decoders/util/crc16-x25';
import { parseHexText, toHex } from '../../../decoders/util/hex';
import { createDecoderNatives } from '../natives/decoder-natives';
import { nativesCases } from './cases';
import { checkPasswordNatives } from './pbkdf2-check';

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ''): void {
  if (ok) passed++;
  else failed++;
  trace(`natives-check ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}\n`);
}

/** Deterministic bytes (xorshift32), so a failure reproduces. */
function makeRandom(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      out[i] = s & 0xff;
    }
    return out;
  };
}

function decodeAll(bytes: Uint8Array, options: DecoderOptions): string {
  const lines: string[] = [];
  const stream = new MeterStream(options);
  const onFrame = (r: FrameResult): void => {
    lines.push(
      r.ok
        ? JSON.stringify({ ok: true, format: r.format, reading: r.reading, raw: toHex(r.raw) })
        : JSON.stringify({ ok: false, format: r.format, error: r.error }),
    );
  };
  stream.push(bytes, onFrame);
  stream.flush(onFrame);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const natives = createDecoderNatives();
  const arc = natives.crc16!.arc!;
  const x25 = natives.crc16!.x25!;
  const nine = Uint8Array.of(0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39);
  check('CRC-16/ARC check value', arc(nine, 0, 9) === 0xbb3d, (arc(nine, 0, 9) >>> 0).toString(16));
  check('CRC-16/X.25 check value', x25(nine, 0, 9) === 0x906e, (x25(nine, 0, 9) >>> 0).toString(16));
  const random = makeRandom(0x5eed);
  let crcSame = 0;
  for (let i = 0; i < 200; i++) {
    const b = random(1 + ((i * 7) % 600));
    const s = i % 5;
    const e = Math.max(s, b.length - (i % 3));
    if (arc(b, s, e) === crc16Arc(b, s, e) && x25(b, s, e) === crc16X25(b, s, e)) crcSame++;
  }
  check('CRC-16s equal the JavaScript tables on 200 random ranges', crcSame === 200, `${crcSame}/200`);

  let gcmSame = 0;
  let tagRefused = 0;
  for (let i = 0; i < 200; i++) {
    const key = random(16);
    const iv = random(i % 10 === 0 ? 8 + (i % 7) : 12);
    const aad = i % 3 === 0 ? random(17) : undefined;
    const plaintext = random((i * 13) % 301);
    const tagLength = i % 2 === 0 ? 12 : 16;
    const sealed = aesGcmEncrypt({ key, iv, plaintext, aad, tagLength });
    const viaNative = natives.aesGcm!(key).decrypt({ iv, ciphertext: sealed.ciphertext, aad, tag: sealed.tag });
    const noTag = natives.aesGcm!(key).decrypt({ iv, ciphertext: sealed.ciphertext });
    const viaJs = new AesGcmKey(key).decrypt({ iv, ciphertext: sealed.ciphertext, aad, tag: sealed.tag });
    if (viaNative !== undefined && viaJs !== undefined && toHex(viaNative) === toHex(plaintext) && noTag !== undefined && toHex(noTag) === toHex(plaintext))
      gcmSame++;
    const badTag = sealed.tag.slice();
    badTag[i % tagLength] ^= 0x01;
    if (natives.aesGcm!(key).decrypt({ iv, ciphertext: sealed.ciphertext, aad, tag: badTag }) === undefined) tagRefused++;
  }
  check('AES-GCM decrypts 200 random cases like the JavaScript one', gcmSame === 200, `${gcmSame}/200`);
  check('AES-GCM refuses 200 flipped tags', tagRefused === 200, `${tagRefused}/200`);

  for (const c of nativesCases) {
    if (!Resource.exists(c.resource)) {
      check(c.vector, false, `resource ${c.resource} missing from the build`);
      continue;
    }
    const resource = new Uint8Array(new Resource(c.resource) as unknown as ArrayBuffer);
    const bytes = c.kind === 'hex' ? parseHexText(latin1(resource)) : resource.slice();
    const base: DecoderOptions = {};
    if (c.encryptionKeyHex) base.encryptionKey = parseHexText(c.encryptionKeyHex);
    if (c.authenticationKeyHex) base.authenticationKey = parseHexText(c.authenticationKeyHex);
    const t0 = Date.now();
    const viaJs = decodeAll(bytes, base);
    const t1 = Date.now();
    const viaNatives = decodeAll(bytes, { ...base, ...natives });
    const t2 = Date.now();
    const decoded = viaJs.split('\n').filter((l) => l.indexOf('"ok":true') >= 0).length;
    check(
      c.vector,
      viaJs === viaNatives && viaJs.length > 0,
      `${bytes.length} bytes, ${decoded} frame(s) decoded, JavaScript ${t1 - t0} ms, natives ${t2 - t1} ms`,
    );
  }

  try {
    await checkPasswordNatives(random, check);
  } catch (e) {
    check('password natives', false, 'threw: ' + String(e));
  }
  trace(`natives-check: ${passed} passed, ${failed} failed\n`);
}

main().catch((e: unknown) => trace(`natives-check: 0 passed, 1 failed (${String(e)})\n`));
