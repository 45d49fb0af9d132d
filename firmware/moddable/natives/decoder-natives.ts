/**
 * The natives the device hands its decoders (DecoderOptions): CRC-16s, AES-128-GCM and the
 * bytes-to-text conversion, all C in the SDK instead of bytecode. The decoders fall back to
 * their JavaScript versions for anything not given, and the tests check both give the same
 * results (hosttests/natives, and `natives-check` in the simulator: docs/firmware.md).
 */
import { CRC16 } from 'crc';
import TextDecoder from 'text/decoder';
import type { DecoderOptions } from '../../../decoders/frame-result';
import { asciiTextWith } from '../../../decoders/util/native-ascii';
import { BlockCipher, GHASH, Mode } from './crypt-cipher';
import { nativeAesGcmWith } from './native-aes-gcm';
import { nativeCrc16With, type Crc16NativeClass } from './native-crc16';

export type DecoderNatives = Pick<DecoderOptions, 'crc16' | 'aesGcm' | 'asciiText'>;

export function createDecoderNatives(): DecoderNatives {
  return {
    // The SDK typings declare checksum(ByteBuffer); views are read in place (xsmcGetBufferReadable).
    crc16: nativeCrc16With(CRC16 as unknown as Crc16NativeClass),
    aesGcm: nativeAesGcmWith({ BlockCipher, Mode, GHASH }),
    asciiText: asciiTextWith(new TextDecoder()),
  };
}
