/**
 * What the splitter front (decoders/meter-stream.ts) hands to its caller for every frame it
 * found: a reading, or an error that says why not. Errors are counted and skipped by callers;
 * nothing here throws on bad bytes.
 */
import type { DecodeError, MeterReading } from './reading';

export type FrameFormat =
  | 'dsmr' // P1 text telegram '/' .. '!' CRC
  | 'dsmr-encrypted' // Luxembourg Smarty / Austrian P1: 0xDB general-glo-ciphering around a telegram
  | 'hdlc' // IEC 62056-46 HDLC with DLMS/COSEM inside
  | 'mbus' // M-Bus long frame(s) 0x68 L L 0x68 .. 0x16 wrapping DLMS
  | 'dlms'; // bare DLMS APDU (no link layer), e.g. some Austrian meters after unwrapping

export type FrameResult =
  { ok: true; format: FrameFormat; reading: MeterReading; raw: Uint8Array } | { ok: false; format?: FrameFormat; error: DecodeError; raw?: Uint8Array };

/**
 * A CRC-16 over bytes[start, end). The decoders carry table-driven JavaScript versions
 * (decoders/util); a platform with a native CRC (Moddable's `crc` module on the device) passes
 * its own through DecoderOptions.crc16, so the per-byte loop runs in C instead of bytecode.
 */
export type Crc16Function = (bytes: Uint8Array, start: number, end: number) => number;

/** A prepared AES-128-GCM key (decoders/crypto/gcm.ts AesGcmKey has this shape). */
export interface GcmDecryptor {
  /** Plaintext, or undefined when a tag is given and does not match. */
  decrypt(p: { iv: Uint8Array; ciphertext: Uint8Array; aad?: Uint8Array; tag?: Uint8Array }): Uint8Array | undefined;
}

export interface DecoderOptions {
  /**
   * Native CRC-16s to use instead of the JavaScript ones: `arc` for the P1 telegram CRC
   * (CRC-16/ARC), `x25` for the HDLC HCS/FCS (CRC-16/X.25). Each must give exactly the same
   * value as decoders/util/crc16-arc.ts / crc16-x25.ts.
   */
  crc16?: { arc?: Crc16Function; x25?: Crc16Function };
  /**
   * A native AES-128-GCM (Moddable's crypt AES, CTR and GHASH on the device) to prepare a key
   * with, instead of the JavaScript one (decoders/crypto/gcm.ts). Must behave exactly like
   * AesGcmKey: same plaintext, undefined on a tag mismatch, RangeError on a key that is not 16 bytes.
   */
  aesGcm?: (key: Uint8Array) => GcmDecryptor;
  /**
   * A native bytes-to-text conversion for the text protocols (the platform's TextDecoder): bytes
   * [start, end) as a string of exactly one character per byte, or undefined when it cannot
   * promise that (a byte >= 0x80); the decoders then use their JavaScript Latin-1 conversion.
   */
  asciiText?: (bytes: Uint8Array, start: number, end: number) => string | undefined;
  /** AES-128 encryption key (16 bytes) for general-glo-ciphering frames (HAN and encrypted P1). */
  encryptionKey?: Uint8Array;
  /** Authentication key (16 bytes); when given, the GCM tag is checked. */
  authenticationKey?: Uint8Array;
  /** Tests and diagnostics only: accept frames whose checksum does not match. Never the default. */
  skipChecksum?: boolean;
  /** Bound of every buffer the splitters keep, bytes. Default 4096. */
  maxFrameBytes?: number;
}
