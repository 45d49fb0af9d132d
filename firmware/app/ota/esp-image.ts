/**
 * Streaming check of an ESP32 application image (.bin as written to an app partition), run on the
 * bytes as they are uploaded so a wrong image is refused before the boot slot is switched, with a
 * reason a person can act on.
 *
 * Layout (ESP-IDF "App Image Format": esp_image_header_t in esp_app_format.h / esp_image_format.h,
 * esp_app_desc_t in esp_app_desc.h; checksum and hash rules as written by esptool elf2image):
 *
 *   offset size  field
 *    0      1    magic 0xE9 (ESP_IMAGE_HEADER_MAGIC)
 *    1      1    segment_count, 1..16 (ESP_IMAGE_MAX_SEGMENTS)
 *    2      1    spi_mode
 *    3      1    spi_speed:4 | spi_size:4
 *    4      4    entry_addr, u32 LE
 *    8      1    wp_pin                      \
 *    9      3    spi_pin_drv                  | the "extended header"
 *   12      2    chip_id, u16 LE              | ESP32 0x0000, S2 0x0002, C3 0x0005, S3 0x0009,
 *   14      1    min_chip_rev (legacy)        | C2 0x000C, C6 0x000D, H2 0x0010
 *   15      2    min_chip_rev_full            |
 *   17      2    max_chip_rev_full            |
 *   19      4    reserved                     |
 *   23      1    hash_appended               /  1: a SHA-256 of the image follows the checksum
 *   24           segment_count x { load_addr u32 LE, data_len u32 LE, data[data_len] }
 *                The first segment (DROM) starts with esp_app_desc_t, i.e. at image offset 32:
 *                  +0   magic_word u32 LE = 0xABCD5432
 *                  +4   secure_version u32
 *                  +8   reserv1[2] u32
 *                  +16  version char[32]        (NUL-terminated)
 *                  +48  project_name char[32]
 *                  +80  time char[16], +96 date char[16], +112 idf_ver char[32],
 *                  +144 app_elf_sha256[32], ... 256 bytes in all
 *   then         zero padding so the checksum byte is the last byte of a 16-byte block
 *                checksum = 0xEF XOR every data byte of every segment
 *   then         if hash_appended: 32 bytes SHA-256 over image bytes [0 .. checksum] inclusive
 *   then         with `signature` set: the signature of that scheme (signature-block.ts): for v1 a
 *                68-byte block, for v2 padding to the next 4096-byte boundary and a 4096-byte sector
 *   nothing after that.
 */
import { bytesEqual, createPureSha256 } from '../crypto/sha256';
import type { Sha256, Sha256Factory } from '../crypto/sha256';
import { compareVersions } from './version';
import { paddingBytes, signatureBytes, signatureFormatProblem } from './signature-block';
import type { SignatureScheme } from './signature-block';
import type { SignatureCheck } from './ota-ports';

export const ESP_IMAGE_MAGIC = 0xe9;
export const ESP_APP_DESC_MAGIC = 0xabcd5432;
export const ESP_IMAGE_MAX_SEGMENTS = 16;
export const ESP_CHECKSUM_SEED = 0xef;
export const ESP_IMAGE_HEADER_BYTES = 24;
export const ESP_SEGMENT_HEADER_BYTES = 8;
export const ESP_APP_DESC_OFFSET = 32;
export const ESP_APP_DESC_BYTES = 256;
export const CHIP_ID_ESP32 = 0x0000;

const CHIP_NAMES: Record<number, string> = {
  0x0000: 'ESP32',
  0x0002: 'ESP32-S2',
  0x0005: 'ESP32-C3',
  0x0009: 'ESP32-S3',
  0x000c: 'ESP32-C2',
  0x000d: 'ESP32-C6',
  0x0010: 'ESP32-H2',
};

export function chipName(chipId: number): string {
  return CHIP_NAMES[chipId] ?? `unknown chip 0x${chipId.toString(16).padStart(4, '0')}`;
}

export interface ImageCheckOptions {
  /** Project name the image must carry in esp_app_desc_t.project_name (our app's). */
  projectName: string;
  /** Version running now; the image must be newer or equal unless `force`. */
  runningVersion: string;
  /** Allow an older or not comparable version (explicit user choice). */
  force?: boolean;
  /** The target slot's size: the image may not be larger. */
  maxSizeBytes: number;
  /** Chip the image must be built for; default ESP32 (0x0000). */
  expectedChipId?: number;
  sha256Factory?: Sha256Factory;
  /**
   * The image must end with a signature of this scheme; every byte before the signature block
   * goes to `check.update`, the block to `check.verify` at the end. Absent: no signature expected
   * (and any byte after the image is refused).
   */
  signature?: { scheme: SignatureScheme; check: SignatureCheck };
}

export interface ImageInfo {
  sizeBytes: number;
  chipId: number;
  segmentCount: number;
  version: string;
  projectName: string;
  idfVersion: string;
  /** True when the image carried a SHA-256 and it matched. */
  hashChecked: boolean;
  /** The signature scheme the image was signed with and checked against, when one was required. */
  signature?: SignatureScheme;
}

type Phase = 'header' | 'segment-header' | 'segment-data' | 'padding' | 'checksum' | 'hash' | 'done' | 'sig-padding' | 'sig-block' | 'signed';

function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

function cString(b: Uint8Array, offset: number, maxLength: number): string {
  let s = '';
  for (let i = 0; i < maxLength; i++) {
    const c = b[offset + i];
    if (c === 0) break;
    // Printable ASCII only: anything else is shown escaped so a reason never carries raw bytes.
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

/**
 * Feed the image in any chunking; the first problem found sticks and is returned by every later
 * call. `finish()` tells whether the bytes seen form one complete, consistent image.
 */
export class EspImageChecker {
  private phase: Phase = 'header';
  private position = 0;
  private error: string | undefined;
  private readonly header = new Uint8Array(ESP_IMAGE_HEADER_BYTES);
  private readonly segmentHeader = new Uint8Array(ESP_SEGMENT_HEADER_BYTES);
  private readonly appDesc = new Uint8Array(ESP_APP_DESC_BYTES);
  private readonly expectedHash = new Uint8Array(32);
  private fill = 0;
  private segmentIndex = 0;
  private segmentCount = 0;
  private segmentRemaining = 0;
  private appDescBytes = 0;
  private checksum = ESP_CHECKSUM_SEED;
  private hashAppended = false;
  private sha: Sha256 | undefined;
  private actualHash: Uint8Array | undefined;
  private info: Partial<ImageInfo> = {};
  private imageEnd = 0;
  private sigRemaining = 0;
  private sigBlock: Uint8Array | undefined;

  constructor(private readonly options: ImageCheckOptions) {}

  bytesSeen(): number {
    return this.position;
  }

  /** Returns the rejection reason once the image is known to be bad, else undefined. */
  write(chunk: Uint8Array): string | undefined {
    if (this.error) return this.error;
    let i = 0;
    const check = this.options.signature?.check;
    while (i < chunk.length && !this.error) {
      const signed = this.phase !== 'sig-block' && this.phase !== 'signed';
      const n = this.step(chunk, i);
      if (check && signed && n > 0) check.update(chunk.subarray(i, i + n));
      i += n;
    }
    if (!this.error && this.position > this.options.maxSizeBytes) {
      this.fail(`image is larger than the update slot (${this.options.maxSizeBytes} bytes)`);
    }
    return this.error;
  }

  /** End of upload: the verdict. */
  finish(): { ok: true; info: ImageInfo } | { ok: false; reason: string } {
    if (this.error) return { ok: false, reason: this.error };
    const signature = this.options.signature;
    const imageDone = signature
      ? this.phase === 'sig-padding' || this.phase === 'sig-block' || this.phase === 'signed'
      : this.phase === 'done' || (this.phase === 'hash' && !this.hashAppended);
    if (!imageDone) {
      return { ok: false, reason: `image is truncated: upload ended at byte ${this.position} while reading the ${this.phase}` };
    }
    if (signature && this.phase !== 'signed') {
      if (this.position === this.imageEnd) {
        return {
          ok: false,
          reason: `image is not signed: nothing follows the image end at byte ${this.imageEnd}; this box installs only images signed with its release key (${signature.scheme}, docs/provisioning-ota.md)`,
        };
      }
      return {
        ok: false,
        reason: `image signature is truncated: upload ended at byte ${this.position}, the ${signature.scheme} signature ends at byte ${this.imageEnd + paddingBytes(signature.scheme, this.imageEnd) + signatureBytes(signature.scheme)}`,
      };
    }
    if (signature) {
      const refused = signature.check.verify(this.sigBlock!);
      if (refused) return { ok: false, reason: 'image signature refused: ' + refused };
    }
    const verdict: { ok: true; info: ImageInfo } = {
      ok: true,
      info: {
        sizeBytes: this.position,
        chipId: this.info.chipId ?? 0,
        segmentCount: this.segmentCount,
        version: this.info.version ?? '',
        projectName: this.info.projectName ?? '',
        idfVersion: this.info.idfVersion ?? '',
        hashChecked: this.hashAppended,
      },
    };
    if (signature) verdict.info.signature = signature.scheme;
    return verdict;
  }

  private fail(reason: string): void {
    if (!this.error) this.error = reason;
  }

  /** Consumes bytes of the current phase starting at chunk[i]; returns how many. */
  private step(chunk: Uint8Array, i: number): number {
    const available = chunk.length - i;
    switch (this.phase) {
      case 'header': {
        const take = Math.min(available, ESP_IMAGE_HEADER_BYTES - this.fill);
        this.header.set(chunk.subarray(i, i + take), this.fill);
        this.fill += take;
        this.position += take;
        if (this.fill === ESP_IMAGE_HEADER_BYTES) this.checkHeader();
        return take;
      }
      case 'segment-header': {
        const take = Math.min(available, ESP_SEGMENT_HEADER_BYTES - this.fill);
        this.segmentHeader.set(chunk.subarray(i, i + take), this.fill);
        this.hash(chunk, i, take);
        this.fill += take;
        this.position += take;
        if (this.fill === ESP_SEGMENT_HEADER_BYTES) this.checkSegmentHeader();
        return take;
      }
      case 'segment-data': {
        const take = Math.min(available, this.segmentRemaining);
        let x = this.checksum;
        for (let k = i; k < i + take; k++) x ^= chunk[k];
        this.checksum = x;
        if (this.segmentIndex === 0 && this.appDescBytes < ESP_APP_DESC_BYTES) {
          const descTake = Math.min(take, ESP_APP_DESC_BYTES - this.appDescBytes);
          this.appDesc.set(chunk.subarray(i, i + descTake), this.appDescBytes);
          this.appDescBytes += descTake;
          if (this.appDescBytes === ESP_APP_DESC_BYTES) this.checkAppDesc();
        }
        this.hash(chunk, i, take);
        this.position += take;
        this.segmentRemaining -= take;
        if (this.segmentRemaining === 0) this.endSegment();
        return take;
      }
      case 'padding': {
        // Padding runs until the position where (position % 16) === 15; that byte is the checksum.
        const untilChecksum = 15 - (this.position % 16);
        const take = Math.min(available, untilChecksum);
        this.hash(chunk, i, take);
        this.position += take;
        if (take === untilChecksum) this.phase = 'checksum';
        return take;
      }
      case 'checksum': {
        const stored = chunk[i];
        if (stored !== this.checksum) {
          this.fail(`image checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${this.checksum.toString(16)}): corrupted upload`);
        }
        this.hash(chunk, i, 1);
        this.position += 1;
        this.fill = 0;
        if (this.hashAppended && this.sha) this.actualHash = this.sha.digest();
        this.phase = 'hash';
        if (!this.hashAppended && this.options.signature) this.enterSignature();
        return 1;
      }
      case 'hash': {
        if (!this.hashAppended) {
          this.fail(`unexpected data after the image end at byte ${this.position}`);
          return available;
        }
        const take = Math.min(available, 32 - this.fill);
        this.expectedHash.set(chunk.subarray(i, i + take), this.fill);
        this.fill += take;
        this.position += take;
        if (this.fill === 32) {
          if (!this.actualHash || !bytesEqual(this.actualHash, this.expectedHash)) {
            this.fail('image SHA-256 does not match the hash appended to it: corrupted upload');
          }
          this.phase = 'done';
          if (this.options.signature) this.enterSignature();
        }
        return take;
      }
      case 'sig-padding': {
        const take = Math.min(available, this.sigRemaining);
        this.position += take;
        this.sigRemaining -= take;
        if (this.sigRemaining === 0) this.startSignatureBlock();
        return take;
      }
      case 'sig-block': {
        const block = this.sigBlock!;
        const take = Math.min(available, block.length - this.fill);
        block.set(chunk.subarray(i, i + take), this.fill);
        this.fill += take;
        this.position += take;
        if (this.fill === block.length) {
          const problem = signatureFormatProblem(this.options.signature!.scheme, block);
          if (problem) this.fail('image signature refused: ' + problem);
          this.phase = 'signed';
        }
        return take;
      }
      case 'done':
      case 'signed':
        this.fail(`unexpected data after the ${this.phase === 'signed' ? 'signature' : 'image'} end at byte ${this.position}`);
        return available;
    }
  }

  /** The image ended: what follows is the signature (padding first for v2). */
  private enterSignature(): void {
    const scheme = this.options.signature!.scheme;
    this.imageEnd = this.position;
    this.sigRemaining = paddingBytes(scheme, this.position);
    if (this.sigRemaining > 0) this.phase = 'sig-padding';
    else this.startSignatureBlock();
  }

  private startSignatureBlock(): void {
    this.sigBlock = new Uint8Array(signatureBytes(this.options.signature!.scheme));
    this.fill = 0;
    this.phase = 'sig-block';
  }

  private hash(chunk: Uint8Array, i: number, length: number): void {
    if (this.sha && length > 0) this.sha.update(chunk.subarray(i, i + length));
  }

  private checkHeader(): void {
    const h = this.header;
    if (h[0] !== ESP_IMAGE_MAGIC) {
      this.fail(`not an ESP32 app image: first byte is 0x${h[0].toString(16).padStart(2, '0')}, expected 0xe9`);
      return;
    }
    const count = h[1];
    if (count < 1 || count > ESP_IMAGE_MAX_SEGMENTS) {
      this.fail(`image segment count ${count} is not in 1..${ESP_IMAGE_MAX_SEGMENTS}`);
      return;
    }
    const chipId = h[12] | (h[13] << 8);
    const expected = this.options.expectedChipId ?? CHIP_ID_ESP32;
    if (chipId !== expected) {
      this.fail(`image is built for ${chipName(chipId)}, this box is ${chipName(expected)}`);
      return;
    }
    if (h[23] > 1) {
      this.fail(`image header hash_appended is ${h[23]}, expected 0 or 1`);
      return;
    }
    this.segmentCount = count;
    this.info.chipId = chipId;
    this.hashAppended = h[23] === 1;
    if (this.hashAppended) {
      this.sha = (this.options.sha256Factory ?? createPureSha256)();
      this.sha.update(h);
    }
    this.fill = 0;
    this.phase = 'segment-header';
  }

  private checkSegmentHeader(): void {
    const length = u32le(this.segmentHeader, 4);
    if (length > this.options.maxSizeBytes) {
      this.fail(`segment ${this.segmentIndex} claims ${length} bytes, more than the update slot holds`);
      return;
    }
    if (this.segmentIndex === 0 && length < ESP_APP_DESC_BYTES) {
      this.fail(`first segment is ${length} bytes, too short to hold the app description`);
      return;
    }
    this.segmentRemaining = length;
    this.fill = 0;
    this.phase = 'segment-data';
    if (length === 0) this.endSegment();
  }

  private endSegment(): void {
    this.segmentIndex++;
    this.fill = 0;
    this.phase = this.segmentIndex < this.segmentCount ? 'segment-header' : 'padding';
    if (this.phase === 'padding' && this.position % 16 === 15) this.phase = 'checksum';
  }

  private checkAppDesc(): void {
    const d = this.appDesc;
    const magic = u32le(d, 0);
    if (magic !== ESP_APP_DESC_MAGIC) {
      this.fail(`image has no app description (magic 0x${magic.toString(16)} at offset 32, expected 0xabcd5432)`);
      return;
    }
    const version = cString(d, 16, 32);
    const projectName = cString(d, 48, 32);
    this.info.version = version;
    this.info.projectName = projectName;
    this.info.idfVersion = cString(d, 112, 32);
    if (projectName !== this.options.projectName) {
      this.fail(`image is for project "${projectName}", this box runs "${this.options.projectName}"`);
      return;
    }
    if (this.options.force) return;
    const order = compareVersions(version, this.options.runningVersion);
    if (order === undefined) {
      this.fail(`cannot compare image version "${version}" with running "${this.options.runningVersion}"; upload with force to install anyway`);
    } else if (order < 0) {
      this.fail(`image version ${version} is older than running ${this.options.runningVersion}; upload with force to downgrade`);
    }
  }
}
