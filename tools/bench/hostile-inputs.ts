/**
 * The inputs the worst-case search feeds the whole path (xs-device.ts): hostile patterns a meter
 * port can see, built deterministically (mulberry32), each HOSTILE_BYTES long so that every
 * bounded buffer fills and the stream unlocks and hunts again several times.
 *
 *   - repeated M-Bus and HDLC start sequences, with every length byte, with and without a stop
 *     byte or closing flag where the length says the frame ends (lengths that lie), and real
 *     frames with a broken checksum, repeated;
 *   - P1: a stream of '/', of '/' with a 7E1 parity bit, header lines that never end, a real
 *     telegram with a wrong CRC, repeated, lines without a header;
 *   - encrypted starts: 0xDB, "DB 08", glo-ciphering headers whose length lies;
 *   - random noise: uniform bytes, 7-bit with parity, and what a UART set to each line setting
 *     the box tries (autodetect/line-candidates.ts) receives from random data or from a real
 *     capture sent at another setting.
 * Each candidate names itself; the search reports the most expensive (BENCHMARKS.md).
 */
import { LINE_CANDIDATES, type DetectLineSettings } from '../../decoders/autodetect/line-candidates';
import { crc16X25 } from '../../decoders/util/crc16-x25';
import { simulateUart } from '../simulate/uart-sim';
import type { Vector } from '../xs/vector-catalog';
import { mulberry32 } from '../simulate/prng';

export const HOSTILE_BYTES = 8192;

export interface HostileInput {
  name: string;
  bytes: Uint8Array;
  /** A real capture fed first, so the stream is locked onto that format when the pattern starts. */
  prime?: Uint8Array;
  /** Decoder options (hex keys) of the prime's capture. */
  options?: Vector['options'];
}

/** `unit` repeated to HOSTILE_BYTES. */
function repeat(unit: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(HOSTILE_BYTES);
  for (let i = 0; i < HOSTILE_BYTES; i++) out[i] = unit[i % unit.length];
  return out;
}

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

/** An HDLC header (flag, type-3 format with `length`, addresses 03 / 01, UI control) with a right HCS. */
function hdlcHeader(length: number): number[] {
  const h = [0xa0 | ((length >> 8) & 7), length & 0xff, 0x03, 0x01, 0x13];
  const hcs = crc16X25(Uint8Array.from(h), 0, h.length);
  return [0x7e, ...h, hcs & 0xff, hcs >> 8];
}

/** The first frame of a capture (flag to flag for HDLC, 68 .. 16 for M-Bus), or undefined. */
function firstFrame(v: Vector): Uint8Array | undefined {
  const b = v.bytes;
  if (b[0] === 0x7e) {
    const len = ((b[1] & 7) << 8) | b[2];
    return b.subarray(0, len + 2);
  }
  if (b[0] === 0x68) {
    const l = b[1] < 4 ? b[1] + 256 : b[1];
    return b.subarray(0, l + 6);
  }
  return undefined;
}

export function hostileInputs(vectors: Vector[]): HostileInput[] {
  const out: HostileInput[] = [];
  const add = (name: string, bytes: Uint8Array, prime?: Vector): void => {
    out.push(prime ? { name, bytes, prime: prime.bytes, options: prime.options } : { name, bytes });
  };
  const rng = mulberry32(0x600d);
  const random = (n: number, mask = 0xff): number[] => Array.from({ length: n }, () => Math.floor(rng() * 256) & mask);

  // M-Bus: start byte alone, headers with every kind of length, a stop byte where the length ends.
  add('M-Bus: 0x68 stream', repeat([0x68]));
  for (const l of [1, 2, 3, 4, 5, 16, 64, 128, 250, 255]) add(`M-Bus: "68 L L 68" repeated, L=${l}`, repeat([0x68, l, l, 0x68]));
  for (const l of [5, 64, 250]) {
    const unit = [0x68, l, l, 0x68, ...random(l), 0x00, 0x16]; // wrong checksum, stop byte in place
    add(`M-Bus: frames of L=${l} with a wrong checksum, repeated`, repeat(unit));
    const lying = [0x68, 0xff, 0xff, 0x68, 0x53, 0xff, 0x00, 0x01, 0x67, ...random(l)]; // claims 255, carries l
    add(`M-Bus: L=255 headers every ${lying.length} bytes (length lies)`, repeat(lying));
  }
  // period 8 with the stop byte exactly where L=255 says the frame ends
  add('M-Bus: L=255 headers every 8 bytes, stop byte at the claimed end', repeat([0x68, 0xff, 0xff, 0x68, 0x16, 0x68, 0x16, 0x00]));

  // HDLC: flags, headers with a right HCS and lengths that lie, frames with a wrong FCS.
  // The shortest frame (length 7: format, one-byte addresses, control, FCS) with a wrong FCS,
  // flags shared: one error every 8 bytes.
  add('HDLC: shortest frames (length 7) with a wrong FCS, flags shared, repeated', repeat([0x7e, 0xa0, 0x07, 0x03, 0x01, 0x13, 0x00, 0x00]));
  add('HDLC: shortest frames (length 7) with a wrong FCS, repeated', repeat([0x7e, 0xa0, 0x07, 0x03, 0x01, 0x13, 0x00, 0x00, 0x7e]));
  add('HDLC: 0x7E stream', repeat([0x7e]));
  add('HDLC: "7E A0" repeated', repeat([0x7e, 0xa0]));
  for (const len of [16, 64, 256, 1024, 2047]) {
    const h = hdlcHeader(len);
    add(`HDLC: header with right HCS, length ${len}, repeated`, repeat(h));
    add(`HDLC: header with right HCS, length ${len}, every 64 bytes`, repeat([...h, ...random(64 - h.length)]));
    // a flag exactly where the length says the frame closes (the FCS then fails)
    const closed = [...h.slice(1), ...random(Math.max(0, len - h.length + 1)), 0x7e];
    add(`HDLC: frames of length ${len} closed by a flag, FCS wrong`, repeat([0x7e, ...closed.slice(0, len + 1)]));
  }

  // P1
  add("P1: a stream of '/'", repeat(ascii('/')));
  add("P1: a stream of '/' with the 7E1 parity bit (0xAF)", repeat([0xaf]));
  add("P1: '/' and CR LF repeated", repeat(ascii('/\r\n')));
  add('P1: a header line repeated, never a "!"', repeat(ascii('/ISK5\\2M550T-1012\r\n')));
  add('P1: value lines without a header', repeat(ascii('1-0:1.8.1(000010.181*kWh)\r\n')));
  add('P1: "!" lines', repeat(ascii('!0000\r\n')));
  add('P1: "/!" repeated (a telegram without values a 2 bytes)', repeat(ascii('/!')));
  add('P1: "/(" repeated (a "/" inside every open value)', repeat(ascii('/(')));
  add('P1: a start and one value, cut by the next start, repeated', repeat(ascii('/X5\r\n1-0:1.7.0(1)\r\n')));
  add('P1: "/()" repeated (the shortest telegram a start cuts after a value)', repeat(ascii('/()')));
  add('P1: "/()!" and a wrong CRC, repeated', repeat(ascii('/()!0000')));
  add('P1: the shortest telegram reported cut (16 bytes with a value), repeated', repeat(ascii('/1234567890123()')));
  add('P1: the shortest telegram failing its CRC (16 bytes with a value), repeated', repeat(ascii('/1234567890123()!0000\r\n')));
  add('P1: "/()" with the 7E1 parity bits, repeated', repeat(ascii('/()').map(withParity)));
  add('P1: header, one line, "!" with a wrong CRC, repeated', repeat(ascii('/ISK5\\2M550T-1012\r\n\r\n1-0:1.7.0(00.189*kW)\r\n!0000\r\n')));

  // Encrypted starts
  add('encrypted: 0xDB stream', repeat([0xdb]));
  add('encrypted: "DB 08" repeated', repeat([0xdb, 0x08]));
  const title = [0x4b, 0x46, 0x4d, 0x10, 0x20, 0x02, 0xc8, 0xf5];
  add('encrypted: glo-ciphering headers claiming 4,000 bytes, every 16 bytes', repeat([0xdb, 0x08, ...title, 0x82, 0x0f, 0xa0, 0x30, 0, 0, 0]));
  add('encrypted: glo-ciphering headers claiming 100 bytes, every 16 bytes', repeat([0xdb, 0x08, ...title, 0x64, 0x30, 0, 0, 0, 1, 0]));

  // Real frames made hostile: repeated with a broken checksum, or cut.
  for (const v of vectors) {
    if (!/KFM_001__MA304H3E-1-ok-L121-1$|kamstrup-example-1$|austria-example-1$|aidon-example-2-segmented$/.test(v.name)) continue;
    const f = firstFrame(v);
    if (f === undefined) continue;
    const broken = Uint8Array.from(f);
    broken[broken.length - 3] ^= 0x55;
    add(`${v.name}: first frame with a broken checksum, repeated`, repeat(broken));
    add(`${v.name}: first frame with a broken checksum, repeated, after the real capture`, repeat(broken), v);
    add(`${v.name}: first frame without its last byte, repeated`, repeat(f.subarray(0, f.length - 1)));
  }
  for (const v of vectors) {
    if (!/telegram_v5$/.test(v.name)) continue;
    const t = Uint8Array.from(v.bytes);
    t[t.indexOf(0x21) + 1] ^= 0x01; // CRC digit wrong
    add(`${v.name}: telegram with a wrong CRC, repeated`, repeat(t));
    add(`${v.name}: telegram cut before "!", repeated`, repeat(v.bytes.subarray(0, v.bytes.indexOf(0x21))));
  }

  // Noise
  add('noise: uniform random bytes', Uint8Array.from(random(HOSTILE_BYTES)));
  add(
    'noise: 7-bit with even parity',
    Uint8Array.from(random(HOSTILE_BYTES), (x) => withParity(x & 0x7f)),
  );
  const sent: [string, DetectLineSettings, Uint8Array][] = [];
  const random8 = Uint8Array.from(random(2048));
  sent.push(['random bytes sent at 2400 8E1', LINE_CANDIDATES[0].settings, random8]);
  const p1 = vectors.find((v) => /telegram_v5$/.test(v.name));
  if (p1) sent.push(['a DSMR 5 telegram sent at 115200 8N1 inverted', LINE_CANDIDATES[2].settings, p1.bytes]);
  const han = vectors.find((v) => /kamstrup-example-1$/.test(v.name));
  if (han) sent.push(['a Kamstrup HDLC frame sent at 2400 8N1', LINE_CANDIDATES[1].settings, han.bytes]);
  for (const [what, tx, bytes] of sent) {
    for (const c of LINE_CANDIDATES) {
      const rx = simulateUart(bytes, tx, c.settings).bytes;
      if (rx.length === 0) continue;
      add(`noise: ${what}, read at ${c.label}`, repeat(rx));
    }
  }
  return out;
}

function withParity(x: number): number {
  let ones = 0;
  for (let b = x; b; b >>= 1) ones += b & 1;
  return ones & 1 ? x | 0x80 : x;
}
