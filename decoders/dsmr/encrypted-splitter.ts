/**
 * Byte stream -> whole encrypted P1 frames (layout in encrypted.ts), for the front
 * (meter-stream.ts). The length field gives the frame size; the buffer is bounded by
 * maxFrameBytes. A header that does not fit the shape ("DB 08 .. 82 LL LL") is reported
 * 'malformed' and hunting resumes after the 0xDB byte, so a false start inside garbage loses
 * nothing that follows it.
 */
import type { DecoderOptions, FrameResult, GcmDecryptor } from '../frame-result';
import { AesGcmKey } from '../crypto/gcm';
import { copyBytes } from '../util/copy-bytes';
import { decodeEncryptedDsmr, ENCRYPTED_HEADER_BYTES, encryptedFrameLength } from './encrypted';
import { TelegramLayout } from './layout';

export class EncryptedDsmrSplitter {
  private readonly options: DecoderOptions;
  private readonly buf: Uint8Array;
  private len = 0;
  private need = 0; // total frame length once the header is known, else 0
  private open = false;
  /** Bytes of a failed frame to scan again (see feed). */
  private rescan: Uint8Array | undefined;
  /** Header bytes from earlier chunks given back after a rejected header (see reject). */
  private rejected: Uint8Array | undefined;
  /** The key prepared once (round keys, GHASH table), not per frame. */
  private readonly gcm: GcmDecryptor | undefined;
  /** The last decrypted telegram's layout (see layout.ts). */
  private readonly layout = new TelegramLayout();

  constructor(options: DecoderOptions = {}) {
    this.options = options;
    this.buf = new Uint8Array(options.maxFrameBytes ?? 4096);
    const key = options.encryptionKey;
    this.gcm = key !== undefined && key.length === 16 ? (options.aesGcm !== undefined ? options.aesGcm(key) : new AesGcmKey(key)) : undefined;
  }

  busy(): boolean {
    return this.open;
  }

  /**
   * Process chunk[from..]; chunk[from] must be 0xDB when idle. Returns the index of the first
   * byte not consumed. A rejected header consumes only the 0xDB byte and reports the rest back.
   */
  feed(chunk: Uint8Array, from: number, emit: (r: FrameResult) => void): number {
    const next = this.step(chunk, from, emit);
    // A frame that failed may have swallowed the start of the next one (a cut frame whose
    // length field ran on into a good frame): scan its bytes again after its 0xDB, in order,
    // before the rest of the chunk. Iterative; every round drops at least one byte.
    while (this.rescan !== undefined) {
      const t = this.rescan;
      this.rescan = undefined;
      let k = 0;
      while (k < t.length) {
        if (!this.open) {
          const j = t.indexOf(0xdb, k);
          if (j < 0) break;
          k = j;
        }
        k = this.step(t, k, emit);
        if (this.rescan !== undefined) {
          const again: Uint8Array = this.rescan;
          const merged = new Uint8Array(again.length + t.length - k);
          merged.set(again, 0);
          merged.set(t.subarray(k), again.length);
          this.rescan = merged;
          break;
        }
      }
    }
    return next;
  }

  private step(chunk: Uint8Array, from: number, emit: (r: FrameResult) => void): number {
    let i = from;
    if (!this.open) {
      if (chunk[i] !== 0xdb) return i;
      this.open = true;
      this.len = 0;
      this.need = 0;
    }
    const n = chunk.length;
    while (i < n) {
      if (this.need === 0) {
        // Header byte by byte (13 bytes) so a bad header gives back the bytes after 0xDB.
        this.buf[this.len++] = chunk[i++];
        if (this.len < ENCRYPTED_HEADER_BYTES) {
          if ((this.len === 2 && this.buf[1] !== 0x08) || (this.len === 11 && this.buf[10] !== 0x82)) {
            return this.reject(from, i);
          }
          continue;
        }
        const total = encryptedFrameLength(this.buf);
        if (total < 0) return this.reject(from, i);
        if (total > this.buf.length) {
          this.open = false;
          emit({
            ok: false,
            format: 'dsmr-encrypted',
            error: { code: 'overflow', message: `encrypted frame of ${total} bytes exceeds the ${this.buf.length}-byte buffer` },
          });
          return i;
        }
        this.need = total;
        continue;
      }
      const take = Math.min(this.need - this.len, n - i);
      this.buf.set(chunk.subarray(i, i + take), this.len);
      this.len += take;
      i += take;
      if (this.len === this.need) {
        this.open = false;
        const frame = copyBytes(this.buf, 0, this.len);
        const r = decodeEncryptedDsmr(frame, this.options, this.gcm, this.layout);
        emit(r);
        if (!r.ok && r.error.code !== 'encrypted-no-key' && frame.indexOf(0xdb, 1) > 0) this.rescan = frame.subarray(1);
        return i;
      }
    }
    return i;
  }

  /** End of input inside a frame. */
  flush(emit: (r: FrameResult) => void): void {
    if (this.open && this.len > 0) {
      emit({
        ok: false,
        format: 'dsmr-encrypted',
        error: { code: 'truncated', message: `input ended after ${this.len} bytes of an encrypted frame` },
        raw: copyBytes(this.buf, 0, this.len),
      });
    }
    this.open = false;
  }

  /**
   * Header bytes did not fit: not an encrypted frame after all. Hunting resumes right after the
   * 0xDB when it is in this chunk. When it came in an earlier chunk, the header bytes after it
   * from earlier chunks are handed back through takeRejected() (they may hold a '/'), and this
   * chunk is scanned again from its start: no byte is lost whatever the chunking.
   */
  private reject(from: number, i: number): number {
    this.open = false;
    const db = i - this.len;
    if (db >= from) return db + 1;
    this.rejected = copyBytes(this.buf, 1, this.len - (i - from));
    return from;
  }

  /** Bytes from earlier chunks that a rejected header had taken; the front scans them again. */
  takeRejected(): Uint8Array | undefined {
    const r = this.rejected;
    this.rejected = undefined;
    return r !== undefined && r.length > 0 ? r : undefined;
  }
}
