/**
 * Device projection of the XS whole-path figures (bundled for xsnap with bench-core).
 *
 * The device hands its decoders the SDK's natives (firmware/moddable/natives: CRC-16 from
 * modules/data/crc, AES-GCM from crypt BlockCipher/CTR/GHASH). xsnap has neither, so the bench
 * runs the decoders' JavaScript CRC and AES there. To say what the natives save, each vector is
 * run once more with the JavaScript CRC/AES wrapped in meter reads (the computrons spent INSIDE
 * them are summed), and the device's own glue code (native-crc16.ts, native-aes-gcm.ts, the very
 * modules the firmware runs) is metered with stand-ins for the SDK classes that cost what a host
 * call costs here: each stand-in method makes one call of xsnap's native TextDecoder (a flat ~10-20
 * computrons whatever the length, like a Moddable host function that loops in C).
 *   projected = measured - inside(JS CRC, JS AES) + glue(device CRC calls, device AES calls)
 * The stand-ins return wrong bytes; only their cost is used, never their output.
 */
import { AesGcmKey } from '../../decoders/crypto/gcm';
import type { DecoderOptions, GcmDecryptor } from '../../decoders/frame-result';
import { crc16Arc } from '../../decoders/util/crc16-arc';
import { crc16X25 } from '../../decoders/util/crc16-x25';
import { nativeAesGcmWith, type CryptCipherApi } from '../../firmware/moddable/natives/native-aes-gcm';
import { nativeCrc16With, type Crc16NativeClass } from '../../firmware/moddable/natives/native-crc16';

type MeterNow = () => number;

export interface NativeLedger {
  crcCalls: number;
  crcBytes: number;
  crcInside: number;
  aesCalls: number;
  aesInside: number;
  /** [ciphertext bytes, aad bytes, tag bytes or -1, iv bytes] of each decrypt call. */
  aesShapes: Array<[number, number, number, number]>;
}

export function newLedger(): NativeLedger {
  return { crcCalls: 0, crcBytes: 0, crcInside: 0, aesCalls: 0, aesInside: 0, aesShapes: [] };
}

function meterNow(): MeterNow {
  const m = (globalThis as { __meterNow?: MeterNow }).__meterNow;
  if (m === undefined) throw new Error('device projection needs xsnap (globalThis.__meterNow)');
  return m;
}

/** Cost of two meter reads with nothing between (taken off every wrapped call). */
export function meterOverhead(): number {
  const now = meterNow();
  let least = Infinity;
  for (let i = 0; i < 5; i++) {
    const a = now();
    const b = now();
    if (b - a < least) least = b - a;
  }
  return least;
}

/** The JavaScript CRC and AES (what the bench runs anyway), with the computrons inside them counted. */
export function meteredJsNatives(ledger: NativeLedger, overhead: number): Pick<DecoderOptions, 'crc16' | 'aesGcm'> {
  const now = meterNow();
  const wrapCrc =
    (crc: (b: Uint8Array, s: number, e: number) => number) =>
    (b: Uint8Array, s: number, e: number): number => {
      const t0 = now();
      const r = crc(b, s, e);
      ledger.crcInside += now() - t0 - overhead;
      ledger.crcCalls++;
      ledger.crcBytes += e - s;
      return r;
    };
  return {
    crc16: { arc: wrapCrc(crc16Arc), x25: wrapCrc(crc16X25) },
    aesGcm: (key: Uint8Array): GcmDecryptor => {
      const inner = new AesGcmKey(key);
      return {
        decrypt(p) {
          const t0 = now();
          const r = inner.decrypt(p);
          ledger.aesInside += now() - t0 - overhead;
          ledger.aesCalls++;
          ledger.aesShapes.push([p.ciphertext.length, p.aad ? p.aad.length : 0, p.tag ? p.tag.length : -1, p.iv.length]);
          return r;
        },
      };
    },
  };
}

/** Stand-ins for the SDK classes: one flat native call (TextDecoder) per method, like a host function. */
function standIns(): { crc: Crc16NativeClass; crypt: CryptCipherApi } {
  const TD = (globalThis as { TextDecoder?: new () => { decode(b: Uint8Array): string } }).TextDecoder;
  if (TD === undefined) throw new Error('device projection needs a native TextDecoder');
  const td = new TD();
  const none = new Uint8Array(0);
  const host = (bytes?: Uint8Array | ArrayBuffer): number => td.decode((bytes ?? none) as Uint8Array).length;
  class Crc {
    constructor(_p: number, _i: number, _ri: boolean, _ro: boolean, _x: number) {
      host();
    }
    reset(): this {
      host();
      return this;
    }
    checksum(bytes: Uint8Array): number {
      return host(bytes) & 0;
    }
  }
  class Block {
    constructor(_c: 'AES', key: ArrayBuffer) {
      host(key);
    }
    encrypt(data: ArrayBuffer): ArrayBuffer {
      host(data);
      return new ArrayBuffer(16);
    }
    get blockSize(): number {
      return 16;
    }
  }
  class Ctr {
    constructor(_m: 'CTR', _c: unknown) {
      host();
    }
    setIV(iv: ArrayBuffer): void {
      host(iv);
    }
    encrypt(data: ArrayBuffer | Uint8Array): ArrayBuffer {
      host(data);
      return new ArrayBuffer(data.byteLength);
    }
  }
  class Ghash {
    constructor(h: ArrayBuffer, _aad?: ArrayBuffer) {
      host(h);
    }
    write(data: ArrayBuffer | Uint8Array): void {
      host(data);
    }
    close(): ArrayBuffer {
      host();
      return new ArrayBuffer(16);
    }
  }
  return { crc: Crc as unknown as Crc16NativeClass, crypt: { BlockCipher: Block, Mode: Ctr, GHASH: Ghash } as unknown as CryptCipherApi };
}

/**
 * Computrons the device's glue would spend on the same calls: `crcCalls` calls of the device CRC
 * (native-crc16.ts) and one device decrypt (native-aes-gcm.ts, key prepared beforehand, as on a
 * running port) per recorded shape.
 */
export function deviceGlueCost(ledger: NativeLedger, overhead: number): { crc: number; aes: number } {
  const now = meterNow();
  const s = standIns();
  const crc = nativeCrc16With(s.crc).x25;
  const sample = new Uint8Array(256);
  let crcCost = 0;
  if (ledger.crcCalls > 0) {
    crc(sample, 1, 200); // warm
    const t0 = now();
    for (let i = 0; i < 10; i++) crc(sample, 1, 200);
    crcCost = ((now() - t0 - overhead) / 10) * ledger.crcCalls;
  }
  let aesCost = 0;
  if (ledger.aesShapes.length > 0) {
    const key = nativeAesGcmWith(s.crypt)(new Uint8Array(16));
    for (const [ct, aad, tag, ivLength] of ledger.aesShapes) {
      const p = {
        iv: new Uint8Array(ivLength),
        ciphertext: new Uint8Array(ct),
        aad: aad > 0 ? new Uint8Array(aad) : undefined,
        tag: tag >= 0 ? new Uint8Array(tag) : undefined,
      };
      const t0 = now();
      key.decrypt(p);
      aesCost += now() - t0 - overhead;
    }
  }
  return { crc: crcCost, aes: aesCost };
}
