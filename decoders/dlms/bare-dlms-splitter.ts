/**
 * Bare DLMS on a serial line: a general-glo-ciphering APDU with no link layer around it
 * (IEC 62056-5-3 / Green Book 9.2.7), the framing some Luxembourg and Austrian P1 ports use:
 *
 *   DB | 08 | system-title(8) | length (BER: nn, 81 nn, 82 nn nn) | SC | FC(4) | ciphertext | [tag 12]
 *
 * The length field bounds the frame and there is no checksum: the only integrity check is the
 * GCM tag. So a frame counts only when its tag was checked (security control 0x30/0x31 and an
 * authentication key configured) and it decrypts to a DLMS APDU (0x0F or 0xE0). Encryption-only
 * frames (0x20) are refused here: a flipped ciphertext bit flips the same plaintext bit, and
 * with no checksum the reading would be silently wrong (the fuzz campaign found exactly that
 * on an HDLC frame whose FCS failed, re-read through this path). When the plaintext is a DSMR
 * telegram ('/'), or there is no key, this splitter stays silent: that frame belongs to the
 * encrypted-P1 path (dsmr/encrypted-splitter.ts), which reports it with format 'dsmr-encrypted'.
 * Frames are reported with format 'dlms'. Never throws; bounded buffer; a wrong header is passed
 * by (hunting goes on at the byte after its 0xDB), judged where it lies by index.
 *
 * A 0xDB right after an LLC header (E6 E7 00, HDLC) or the DLMS transport SAPs (01 67, M-Bus) is
 * the inside of a link-layer frame: that frame (with its checksum) owns it, so it is not taken
 * here. Deciding from the preceding bytes, not from the other splitters' state, keeps the result
 * independent of how the input is chunked.
 */
import type { DecoderOptions, FrameResult } from '../frame-result';
import { DlmsApduDecoder } from './apdu';
import { apduOutcomeToResult } from './dlms-result';
import { makeGloKeys, unwrapGloCiphering, type GloKeys } from './glo-ciphering';
import { aes128EncryptBlock, aes128ExpandKey } from '../crypto/aes128';
import { copyBytes } from '../util/copy-bytes';

const HUNT = 0;
const BODY = 1; // a frame whose header passed, its body still coming

/** DB 08 title(8) and the first length byte: what a start needs before its length is known. */
const HEAD = 11;
/** The longest header: HEAD plus two more length bytes (82 nn nn). */
const CARRY = HEAD + 2;

type Emit = (r: FrameResult) => void;

export class BareDlmsSplitter {
  private readonly buf: Uint8Array;
  private readonly dlms: DlmsApduDecoder;
  private readonly options: DecoderOptions;
  private state = HUNT;
  /** BODY: bytes of the frame in buf so far, and its whole length. */
  private n = 0;
  private need = 0;
  /** Index of the security-control byte of the current frame. */
  private scAt = 0;
  /** The keys with the encryption key prepared once, and its AES round keys for the peek below. */
  private readonly keys: GloKeys;
  private readonly rk: Uint32Array | undefined;
  private readonly counterBlock = new Uint8Array(16);
  /**
   * The last three bytes of the stream before the next chunk (c the last): a 0xDB at a chunk's
   * start is judged with them (see header: after E6 E7 00 or 01 67 it is inside a link frame).
   */
  private a = -1;
  private b = -1;
  private c = -1;
  /**
   * A start whose header the chunk cut short: its bytes from the 0xDB on (at most CARRY - 1),
   * and the three bytes before it. The next chunk's first bytes complete it.
   */
  private readonly carry = new Uint8Array(2 * CARRY);
  private carryLen = 0;
  private carryA = -1;
  private carryB = -1;
  private carryC = -1;
  garbageBytes = 0;
  /** Results are only emitted for frames that decrypted to a DLMS APDU: always proven. */
  readonly checked = true;

  constructor(options: DecoderOptions = {}) {
    const max = Math.max(64, options.maxFrameBytes ?? 4096);
    this.buf = new Uint8Array(max);
    this.options = options;
    this.keys = makeGloKeys(options.encryptionKey, options.authenticationKey, options.aesGcm);
    const key = options.encryptionKey;
    this.rk = key && key.length === 16 ? aes128ExpandKey(key) : undefined;
    this.dlms = new DlmsApduDecoder({
      encryptionKey: options.encryptionKey,
      authenticationKey: options.authenticationKey,
      aesGcm: options.aesGcm,
      maxApduBytes: max,
    });
  }

  inFrame(): boolean {
    return this.state !== HUNT || this.carryLen > 0;
  }

  /** `text`: the chunk as Latin-1 when the caller has it (see HdlcSplitter.push). */
  push(chunk: Uint8Array, emit: Emit, text?: string): void {
    const len = chunk.length;
    let i = 0;
    if (this.state === BODY) i = this.body(chunk, 0, emit);
    while (i < len && this.carryLen > 0) {
      // A cut header first: judged with as many of this chunk's bytes as it needs.
      const held = this.carryLen;
      // enough that every held start's header is here (the last one, held - 1, needs CARRY bytes)
      const take = Math.min(len - i, CARRY - 1);
      const joined = this.carry;
      joined.set(chunk.subarray(i, i + take), held);
      const total = held + take;
      this.carryLen = 0;
      const r = this.hunt(joined, undefined, 0, total, emit, this.carryA, this.carryB, this.carryC);
      if (this.state === BODY) {
        // (hunt took joined[start, total) into buf) the body goes on in the chunk
        i = this.body(chunk, i + take, emit);
      } else if (r < held) {
        // a start among the held bytes is still undecided (the chunk was short): keep
        // joined[r, total), the chunk's bytes taken with them
        this.keepCarry(joined, r, total, this.carryA, this.carryB, this.carryC);
        i += take;
      } else i += r - held; // hunting goes on in the chunk (from an undecided start there, if any)
    }
    while (i < len) {
      if (this.state === BODY) {
        i = this.body(chunk, i, emit);
        continue;
      }
      const r = this.hunt(chunk, text, i, len, emit, this.a, this.b, this.c);
      if (this.state !== BODY && r < len) this.keepCarry(chunk, r, len, this.a, this.b, this.c);
      break;
    }
    this.remember(chunk);
  }

  flush(_emit: Emit): void {
    // An unfinished frame here is either encrypted P1 (reported by that path) or noise.
    this.state = HUNT;
    this.n = 0;
    this.carryLen = 0;
  }

  /** BODY: take chunk[i..] up to the frame's end; completes it there. Returns the index after what was taken. */
  private body(chunk: Uint8Array, i: number, emit: Emit): number {
    const k = Math.min(this.need - this.n, chunk.length - i);
    this.buf.set(chunk.subarray(i, i + k), this.n);
    this.n += k;
    if (this.n === this.need) {
      this.state = HUNT;
      this.complete(emit);
    }
    return i + k;
  }

  /** The stream's last three bytes, for the next chunk's first starts. */
  private remember(chunk: Uint8Array): void {
    const len = chunk.length;
    if (len >= 3) {
      this.a = chunk[len - 3];
      this.b = chunk[len - 2];
      this.c = chunk[len - 1];
      return;
    }
    for (let k = 0; k < len; k++) {
      this.a = this.b;
      this.b = this.c;
      this.c = chunk[k];
    }
  }

  /** Keep bytes[r, end) (a start whose header is cut) and the three bytes before it (p1 right before bytes[0]). */
  private keepCarry(bytes: Uint8Array, r: number, end: number, p3: number, p2: number, p1: number): void {
    this.carryC = r >= 1 ? bytes[r - 1] : p1;
    this.carryB = r >= 2 ? bytes[r - 2] : r === 1 ? p1 : p2;
    this.carryA = r >= 3 ? bytes[r - 3] : r === 2 ? p1 : r === 1 ? p2 : p3;
    if (bytes === this.carry) this.carry.copyWithin(0, r, end);
    else this.carry.set(bytes.subarray(r, end), 0);
    this.carryLen = end - r;
  }

  /**
   * Hunting in bytes[from, end): every "DB 08" is judged where it lies, by index (a wrong header
   * skipped, a whole frame completed from one copy, a frame that runs past `end` taken into buf
   * with the state BODY), so a stream of 0xDB or "DB 08" costs a few checks a candidate. Returns
   * `end`, or the index of a start whose header runs past `end` (the caller keeps it for the next
   * chunk). p3 p2 p1: the three bytes before bytes[0] (p1 right before). Skipped bytes are garbage.
   */
  private hunt(bytes: Uint8Array, text: string | undefined, from: number, end: number, emit: Emit, p3: number, p2: number, p1: number): number {
    const max = this.buf.length;
    const last = end - 1;
    let counted = from; // first byte not yet counted as garbage
    let k = from;
    for (;;) {
      let d = text !== undefined ? text.indexOf('\xdb\x08', k) : nextDb08(bytes, k, last);
      if (d < 0 || d >= last) d = last >= k && bytes[last] === 0xdb ? last : -1; // a 0xDB ending them: its 0x08 may follow
      if (d < 0 || d + HEAD > end) {
        const stop = d < 0 ? end : d;
        this.garbageBytes += stop - counted;
        return stop;
      }
      k = d + 1;
      // the cheapest checks first: the length form, then what precedes the 0xDB
      const first = bytes[d + 10];
      if (first > 0x82) continue; // more than two length bytes: no such header
      const lengthBytes = first < 0x80 ? 0 : first - 0x80;
      // the three bytes before the 0xDB (from p1..p3 when it is among the first three)
      const c1 = d >= 1 ? bytes[d - 1] : p1;
      const c2 = d >= 2 ? bytes[d - 2] : d === 1 ? p1 : p2;
      if ((c2 === 0x01 && c1 === 0x67) || (c1 === 0x00 && (c2 === 0xe7 || c2 === 0xe6) && (d >= 3 ? bytes[d - 3] : d === 2 ? p1 : d === 1 ? p2 : p3) === 0xe6))
        continue; // inside a link-layer frame
      if (d + HEAD + lengthBytes > end) {
        this.garbageBytes += d - counted;
        return d;
      }
      let length = first < 0x80 ? first : 0;
      for (let b = 0; b < lengthBytes; b++) length = length * 256 + bytes[d + HEAD + b];
      const need = HEAD + lengthBytes + length;
      if (length < 5 || need > max) continue;
      this.garbageBytes += d - counted;
      this.need = need;
      this.scAt = HEAD + lengthBytes;
      if (d + need > end) {
        // The frame runs on past these bytes: its body comes in the next chunk(s).
        this.buf.set(bytes.subarray(d, end), 0);
        this.n = end - d;
        this.state = BODY;
        return end;
      }
      this.buf.set(bytes.subarray(d, d + need), 0);
      this.n = need;
      this.complete(emit);
      k = d + need;
      counted = k;
    }
  }

  private complete(emit: Emit): void {
    const buf = this.buf;
    const sc = buf[this.scAt];
    // Frames this path stays silent about whatever they decrypt to are not decrypted at all (pure-JS
    // AES-GCM costs about 300 XS computrons a byte, and the encrypted-P1 path decrypts them too):
    // no tag check possible (see header) ...
    if ((sc & 0x10) === 0 || !this.options.authenticationKey) return;
    if ((sc & 0x20) !== 0 && this.rk !== undefined && (sc & 0x8f) <= 1) {
      // ... or a first plaintext byte that is not a DLMS APDU (an encrypted DSMR telegram starts
      // with '/'): one AES block of the CTR keystream (counter 2 = first payload block) tells.
      const payloadStart = this.scAt + 5;
      if (payloadStart >= this.need - 12) return; // no payload before the tag: nothing to decode
      const cb = this.counterBlock;
      cb.set(buf.subarray(2, 10), 0); // system title
      cb.set(buf.subarray(this.scAt + 1, this.scAt + 5), 8); // frame counter
      cb[12] = 0;
      cb[13] = 0;
      cb[14] = 0;
      cb[15] = 2;
      aes128EncryptBlock(this.rk, cb, 0, cb, 0);
      const first = buf[payloadStart] ^ cb[0];
      if (first !== 0x0f && first !== 0xe0) return;
    }
    const frame = copyBytes(buf, 0, this.need); // (one ArrayBuffer slice, not ~2.2 XS computrons a byte)
    const unwrapped = unwrapGloCiphering(frame, 0, frame.length, this.keys);
    if (!unwrapped.ok) return; // no key, wrong tag...: the encrypted-P1 path reports those
    if (!unwrapped.tagChecked) return; // no integrity at all: see header
    const p = unwrapped.plaintext;
    if (p.length === 0 || (p[0] !== 0x0f && p[0] !== 0xe0)) return; // DSMR text or noise: not ours
    const result = apduOutcomeToResult(this.dlms.decodeDecrypted(p), 'dlms', frame, false);
    if (result) emit(result);
  }
}

/** Next "DB 08" (a glo-ciphering APDU's first two bytes) starting before `last`, or -1. */
function nextDb08(bytes: Uint8Array, from: number, last: number): number {
  for (let d = bytes.indexOf(0xdb, from); d >= 0 && d < last; d = bytes.indexOf(0xdb, d + 1)) if (bytes[d + 1] === 0x08) return d;
  return -1;
}
