// The link's ring of recent raw frames (GET /api/v1/diagnostics "recentFrames"): it keeps the
// first rawHexMaxBytes bytes of each frame and makes the hex text only when asked (as text the
// ring held ~24 KB on the device at all times). What the diagnostics show must not change.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeterLink, defaultLinkOptions } from '../../firmware/app/meter-link';
import { parseHexText } from '../../decoders/util/hex';

/** The diagnostics' format, written out here: lower-case pairs separated by spaces. */
const bytesToHex = (b: Uint8Array, sep: string): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(sep);

const root = join(__dirname, '..', '..');
const DSMR = new Uint8Array(readFileSync(join(root, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt')));
const HAN = parseHexText(readFileSync(join(root, 'hosttests/vectors/han/ams-han-decoder/KFM_001__MA304H3E-1-ok-L121-1.hex'), 'utf8'));

test('a DSMR telegram longer than the limit: its first 512 bytes as hex, marked truncated', () => {
  const link = new MeterLink({}, 0);
  link.push(DSMR, 1000, () => undefined);
  const [frame] = link.recentFrames();
  expect(DSMR.length).toBeGreaterThan(defaultLinkOptions.rawHexMaxBytes);
  // the frame is the telegram from '/' through its CRC (the file's line ends may differ at the end)
  expect(frame.bytes).toBeGreaterThan(512);
  expect(frame.bytes).toBeLessThanOrEqual(DSMR.length);
  expect(frame).toEqual({ timeMs: 1000, ok: true, bytes: frame.bytes, hex: bytesToHex(DSMR.subarray(0, 512), ' '), truncated: true, format: 'dsmr' });
});

test('a short HAN frame whole; a corrupted one with its error', () => {
  const link = new MeterLink({}, 0);
  link.push(HAN, 1000, () => undefined);
  const bad = HAN.slice();
  bad[20] ^= 0xff;
  link.push(bad, 2000, () => undefined);
  const frames = link.recentFrames();
  expect(frames[0]).toEqual({ timeMs: 1000, ok: true, bytes: HAN.length, hex: bytesToHex(HAN, ' '), format: 'hdlc' });
  expect(frames[1]).toMatchObject({ timeMs: 2000, ok: false, bytes: HAN.length, hex: bytesToHex(bad, ' '), format: 'hdlc' });
  expect(frames[1].errorCode).toBeDefined();
  expect(frames[1].error).toEqual(expect.any(String));
});

test('the ring keeps copies: later frames reusing a buffer do not change earlier entries', () => {
  const link = new MeterLink({}, 0);
  const buffer = HAN.slice();
  link.push(buffer, 1000, () => undefined);
  buffer.fill(0);
  expect(link.recentFrames()[0].hex).toBe(bytesToHex(HAN, ' '));
});

test('at most rawRingSize entries, oldest dropped', () => {
  const link = new MeterLink({}, 0, { ...defaultLinkOptions, rawRingSize: 3 });
  for (let i = 0; i < 5; i++) link.push(HAN, 1000 * (i + 1), () => undefined);
  expect(link.recentFrames().map((f) => f.timeMs)).toEqual([3000, 4000, 5000]);
});
