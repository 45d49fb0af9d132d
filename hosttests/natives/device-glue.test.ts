/**
 * The device's glue around the SDK natives (firmware/moddable/natives), run in CI without the
 * SDK: the SDK classes are replaced by faithful stand-ins -
 *   - CRC16: a port of modules/data/crc/crc.c (MSB-first table over reflected input bytes,
 *     running value kept until reset(), optional output reflection and final XOR);
 *   - BlockCipher/Mode CTR/GHASH: node:crypto (AES-ECB block, AES-CTR with the whole 128-bit
 *     counter incremented as the SDK's CTR does, GHASH(A, C) recovered from an AES-GCM tag).
 * The glue must give the decoders' JavaScript results. The real natives are checked against the
 * same JavaScript on the Moddable engine by the natives-check app (docs/firmware.md).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { AesGcmKey, aesGcmEncrypt } from '../../decoders/crypto/gcm';
import { crc16Arc } from '../../decoders/util/crc16-arc';
import { crc16X25 } from '../../decoders/util/crc16-x25';
import { nativeAesGcmWith, type CryptCipherApi } from '../../firmware/moddable/natives/native-aes-gcm';
import { nativeCrc16With, type Crc16NativeClass } from '../../firmware/moddable/natives/native-crc16';

/** modules/data/crc/crc.c, CRC16 part, as written there. */
class SdkCrc16 {
  private readonly table = new Uint16Array(256);
  private value: number;
  constructor(
    polynomial: number,
    private readonly initial: number,
    private readonly reflectInput: boolean,
    private readonly reflectOutput: boolean,
    private readonly xorOutput: number,
  ) {
    for (let i = 0; i < 256; i++) {
      let crc = i << 8;
      for (let j = 0; j < 8; j++) crc = crc & 0x8000 ? ((crc << 1) ^ polynomial) & 0xffff : (crc << 1) & 0xffff;
      this.table[i] = crc;
    }
    this.value = initial;
  }
  reset(): void {
    this.value = this.initial;
  }
  checksum(bytes: Uint8Array): number {
    const reflect8 = (b: number): number => {
      let r = 0;
      for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 1 << (7 - i);
      return r;
    };
    let crc = this.value;
    for (const byte of bytes) {
      const b = this.reflectInput ? reflect8(byte) : byte;
      crc = (crc ^ (b << 8)) & 0xffff;
      crc = ((crc << 8) ^ this.table[crc >> 8]) & 0xffff;
    }
    this.value = crc;
    if (this.reflectOutput) crc = (reflect8(crc & 0xff) << 8) | reflect8(crc >> 8);
    return crc ^ this.xorOutput;
  }
}

function sdkCrypt(): CryptCipherApi {
  const keys = new WeakMap<object, Buffer>();
  const ecb = (key: Buffer, block: Buffer): Buffer => {
    const c = createCipheriv('aes-128-ecb', key, null);
    c.setAutoPadding(false);
    return Buffer.concat([c.update(block), c.final()]);
  };
  class BlockCipher {
    constructor(_name: 'AES', key: ArrayBuffer) {
      keys.set(this, Buffer.from(new Uint8Array(key)));
    }
    encrypt(data: ArrayBuffer): ArrayBuffer {
      const out = ecb(keys.get(this)!, Buffer.from(new Uint8Array(data, 0, 16)));
      return new Uint8Array(out).buffer;
    }
  }
  class Mode {
    private iv = Buffer.alloc(16);
    constructor(
      _m: 'CTR',
      private readonly cipher: BlockCipher,
    ) {}
    setIV(iv: ArrayBuffer): void {
      this.iv = Buffer.from(new Uint8Array(iv));
    }
    encrypt(data: Uint8Array): ArrayBuffer {
      const c = createCipheriv('aes-128-ctr', keys.get(this.cipher)!, this.iv);
      return new Uint8Array(Buffer.concat([c.update(data), c.final()])).buffer;
    }
  }
  // GHASH_H(A, C) = GCM tag XOR E(K, J0): encrypt P = C XOR CTR(J0 + 1) under GCM with a zero IV.
  const hToKey = new Map<string, Buffer>();
  class GHASH {
    private readonly key: Buffer;
    private data = Buffer.alloc(0);
    constructor(
      h: ArrayBuffer,
      private readonly aad?: ArrayBuffer,
    ) {
      this.key = hToKey.get(Buffer.from(new Uint8Array(h)).toString('hex'))!;
    }
    write(d: Uint8Array): void {
      this.data = Buffer.concat([this.data, Buffer.from(d)]);
    }
    close(): ArrayBuffer {
      const j0 = Buffer.alloc(16);
      j0[15] = 1;
      const j1 = Buffer.alloc(16);
      j1[15] = 2;
      const ctr = createCipheriv('aes-128-ctr', this.key, j1);
      const p = Buffer.concat([ctr.update(this.data), ctr.final()]);
      const gcm = createCipheriv('aes-128-gcm', this.key, Buffer.alloc(12));
      if (this.aad) gcm.setAAD(Buffer.from(new Uint8Array(this.aad)));
      gcm.update(p);
      gcm.final();
      const tag = gcm.getAuthTag();
      const e = ecb(this.key, j0);
      return new Uint8Array(tag.map((b, i) => b ^ e[i])).buffer;
    }
  }
  const api = { BlockCipher, Mode, GHASH } as unknown as CryptCipherApi;
  return new Proxy(api, {
    get(target, prop) {
      if (prop !== 'BlockCipher') return target[prop as keyof CryptCipherApi];
      // Remember H -> key so the GHASH stand-in can use node's GCM for the same key.
      return class extends BlockCipher {
        constructor(name: 'AES', key: ArrayBuffer) {
          super(name, key);
          hToKey.set(Buffer.from(new Uint8Array(this.encrypt(new ArrayBuffer(16)))).toString('hex'), Buffer.from(new Uint8Array(key)));
        }
      };
    },
  });
}

describe('device CRC-16 glue over the SDK CRC16 (native-crc16.ts)', () => {
  const { arc, x25 } = nativeCrc16With(SdkCrc16 as unknown as Crc16NativeClass);
  const nine = new TextEncoder().encode('123456789');
  test('check values: ARC 0xBB3D, X.25 0x906E', () => {
    expect(arc(nine, 0, 9)).toBe(0xbb3d);
    expect(x25(nine, 0, 9)).toBe(0x906e);
  });
  test("equal to the decoders' tables on random ranges, call after call (reset each time)", () => {
    for (let i = 0; i < 300; i++) {
      const b = new Uint8Array(randomBytes(1 + (i % 700)));
      const s = i % 7;
      const e = Math.max(s, b.length - (i % 5));
      expect(arc(b, s, e)).toBe(crc16Arc(b, s, e));
      expect(x25(b, s, e)).toBe(crc16X25(b, s, e));
    }
  });
});

describe('device AES-GCM glue over the SDK classes (native-aes-gcm.ts)', () => {
  const prepare = nativeAesGcmWith(sdkCrypt());
  test('decrypts like AesGcmKey: 12-byte and other IVs, with and without AAD and tag, empty text', () => {
    for (let i = 0; i < 200; i++) {
      const key = new Uint8Array(randomBytes(16));
      const iv = new Uint8Array(randomBytes(i % 9 === 0 ? 1 + (i % 20) : 12));
      const aad = i % 3 === 0 ? new Uint8Array(randomBytes(17)) : undefined;
      const plaintext = new Uint8Array(randomBytes((i * 13) % 301));
      const tagLength = i % 2 === 0 ? 12 : 16;
      const sealed = aesGcmEncrypt({ key, iv, plaintext, aad, tagLength });
      const device = prepare(key);
      expect(device.decrypt({ iv, ciphertext: sealed.ciphertext, aad, tag: sealed.tag })).toEqual(plaintext);
      expect(device.decrypt({ iv, ciphertext: sealed.ciphertext })).toEqual(new AesGcmKey(key).decrypt({ iv, ciphertext: sealed.ciphertext }));
      const bad = sealed.tag.slice();
      bad[i % tagLength] ^= 0x80;
      expect(device.decrypt({ iv, ciphertext: sealed.ciphertext, aad, tag: bad })).toBeUndefined();
    }
  });
  test('refuses a key that is not 16 bytes, like AesGcmKey', () => {
    expect(() => prepare(new Uint8Array(15))).toThrow(RangeError);
  });
});
