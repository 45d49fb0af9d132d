/**
 * The natives the device hands its decoders (DecoderOptions): CRC-16s, AES-128-GCM and the
 * bytes-to-text conversion, all C in the SDK instead of bytecode. The decoders fall back to
 * their JavaScript versions for anything not given, and the tests check both give the same
 * results (hosttests/natives, and `natives-check` in the simulator: docs/firmware.md).
 */
import TextDecoder from 'text/decoder';
import type { DecoderOptions } from '../../../decoders/frame-result';
import { asciiTextWith } from '../../../decoders/util/native-ascii';
import { prepareNativeAesGcm } from './native-aes-gcm';
import { createNativeCrc16 } from './native-crc16';

export type DecoderNatives = Pick<DecoderOptions, 'crc16' | 'aesGcm' | 'asciiText'>;

export function createDecoderNatives(): DecoderNatives {
  return {
    crc16: createNativeCrc16(),
    aesGcm: prepareNativeAesGcm,
    asciiText: asciiTextWith(new TextDecoder()),
  };
}
