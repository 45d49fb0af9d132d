/**
 * DecoderOptions.aesGcm: the device prepares its keys with Moddable's native AES-GCM instead of
 * the JavaScript one. Every encrypted path (HDLC glo-ciphering, M-Bus, bare DLMS, encrypted P1)
 * must use the injected decryptor, and must treat its undefined (tag mismatch) as a failed frame.
 */
import { loadVectors } from '../../tools/xs/vector-catalog';
import { AesGcmKey } from '../../decoders/crypto/gcm';
import type { DecoderOptions, FrameResult, GcmDecryptor } from '../../decoders/frame-result';
import { MeterStream } from '../../decoders/meter-stream';
import { parseHexText } from '../../decoders/util/hex';

const encrypted = loadVectors().filter((v) => v.options.encryptionKeyHex !== undefined && !v.broken);

function optionsFor(v: (typeof encrypted)[number], aesGcm?: (key: Uint8Array) => GcmDecryptor): DecoderOptions {
  return {
    encryptionKey: parseHexText(v.options.encryptionKeyHex!),
    authenticationKey: v.options.authenticationKeyHex ? parseHexText(v.options.authenticationKeyHex) : undefined,
    aesGcm,
  };
}

function decode(bytes: Uint8Array, options: DecoderOptions): FrameResult[] {
  const out: FrameResult[] = [];
  const s = new MeterStream(options);
  s.push(bytes, (r) => out.push(r));
  s.flush((r) => out.push(r));
  return out;
}

test('the vector set has encrypted captures of every wrapping', () => {
  const families = new Set(encrypted.map((v) => v.family));
  expect([...families]).toEqual(expect.arrayContaining(['M-Bus', 'encrypted DLMS', 'encrypted DSMR']));
});

describe.each(encrypted.map((v) => [v.name, v] as const))('%s', (_name, v) => {
  test('the injected AES-GCM decrypts every frame, with the same readings as the JavaScript one', () => {
    let prepared = 0;
    let decrypts = 0;
    const counting = (key: Uint8Array): GcmDecryptor => {
      prepared++;
      const inner = new AesGcmKey(key);
      return {
        decrypt: (p) => {
          decrypts++;
          return inner.decrypt(p);
        },
      };
    };
    const viaJs = decode(v.bytes, optionsFor(v));
    const viaInjected = decode(v.bytes, optionsFor(v, counting));
    expect(viaInjected.length).toBeGreaterThan(0);
    expect(viaInjected).toEqual(viaJs);
    expect(prepared).toBeGreaterThanOrEqual(1);
    expect(decrypts).toBeGreaterThanOrEqual(1);
  });

  test('an injected AES-GCM that refuses every tag yields no reading', () => {
    const refusing = (): GcmDecryptor => ({ decrypt: () => undefined });
    const out = decode(v.bytes, optionsFor(v, refusing));
    expect(out.some((r) => r.ok)).toBe(false);
  });
});
