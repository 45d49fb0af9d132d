/**
 * DecoderOptions.asciiText (the platform's native bytes -> text conversion, see
 * decoders/util/native-ascii.ts) only makes the P1 path cheaper: with it or without it, every P1
 * vector gives exactly the same frames, whole or fed in small chunks, and a telegram holding a
 * byte >= 0x80 (which the native conversion refuses) still decodes through the Latin-1 path.
 */
import type { DecoderOptions, FrameResult } from '../../decoders/frame-result';
import { MeterStream } from '../../decoders/meter-stream';
import { latin1Bytes } from '../../decoders/util/ascii';
import { crc16Arc } from '../../decoders/util/crc16-arc';
import { asciiTextWith } from '../../decoders/util/native-ascii';
import { loadP1Vectors } from './vectors';

const vectors = loadP1Vectors();

function run(bytes: Uint8Array, options: DecoderOptions, chunk = 0): string {
  const s = new MeterStream(options);
  const out: FrameResult[] = [];
  const on = (r: FrameResult): void => {
    out.push(r);
  };
  if (chunk <= 0) s.push(bytes, on);
  else for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk), on);
  s.flush(on);
  return JSON.stringify({ out, stats: s.stats() });
}

/** asciiText from Node's TextDecoder, counting the calls that gave a string. */
function counted(): { options: DecoderOptions; used: () => number } {
  const native = asciiTextWith(new TextDecoder());
  let used = 0;
  const options: DecoderOptions = {
    asciiText: (b, s, e) => {
      const t = native(b, s, e);
      if (t !== undefined) used++;
      return t;
    },
  };
  return { options, used: () => used };
}

function telegram(body: string): Uint8Array {
  const bytes = latin1Bytes(body + '!');
  const crc = crc16Arc(bytes).toString(16).toUpperCase().padStart(4, '0');
  return latin1Bytes(body + '!' + crc + '\r\n');
}

describe('P1 with the native text conversion (DecoderOptions.asciiText)', () => {
  test.each(vectors.map((v) => [v.name, v] as const))('%s: same frames with and without it', (_name, v) => {
    const keys: DecoderOptions = {};
    const enc = v.sidecar.encryption as { ek?: string; ak?: string | null } | undefined;
    if (enc?.ek) keys.encryptionKey = Uint8Array.from(Buffer.from(enc.ek, 'hex'));
    if (enc?.ak) keys.authenticationKey = Uint8Array.from(Buffer.from(enc.ak, 'hex'));
    for (const skipChecksum of [false, true]) {
      const plain: DecoderOptions = { ...keys, skipChecksum };
      const { options, used } = counted();
      const withNative = { ...options, ...plain };
      let decodes = false;
      for (const chunk of [0, 1, 13]) {
        const expected = run(v.bytes, plain, chunk);
        expect(run(v.bytes, withNative, chunk)).toBe(expected);
        decodes ||= expected.includes('"ok":true');
      }
      // Once a telegram decoded the stream is locked on P1 and the front converts each chunk
      // itself: the native conversion must then have been taken.
      if (decodes && v.bytes.every((b) => b < 0x80)) expect(used()).toBeGreaterThan(0);
    }
  });

  test('a telegram with a byte >= 0x80 falls back to Latin-1 and decodes the same', () => {
    const t = telegram('/ISk5\\2MT382-1000\r\n\r\n1-3:0.2.8(50)\r\n0-0:96.13.0(caf\xe9)\r\n1-0:1.7.0(00.244*kW)\r\n');
    const { options } = counted();
    const a = run(t, options);
    expect(a).toBe(run(t, {}));
    const frames = JSON.parse(a).out as FrameResult[];
    expect(frames).toHaveLength(1);
    expect(frames[0].ok && frames[0].reading.powerImportW).toBe(244);
    expect(frames[0].ok && frames[0].reading.textMessage).toBe('caf\xe9');
  });
});
