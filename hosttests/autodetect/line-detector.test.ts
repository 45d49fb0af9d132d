/**
 * The line-settings plan on real meter bytes: each meter is "wired" through a simulated UART at
 * every candidate setting; the detector must move on from wrong settings and stop at one that
 * decodes, and must say "port not opened?" when nothing arrives at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LINE_CANDIDATES, type DetectLineSettings } from '../../decoders/autodetect/line-candidates';
import { LineDetector, type DetectVerdict } from '../../decoders/autodetect/line-detector';
import { parseHexText } from '../../decoders/util/hex';
import { simulateUart } from '../../tools/simulate/uart-sim';

const V = join(__dirname, '..', 'vectors');
const hex = (p: string) => parseHexText(readFileSync(join(V, 'han', p), 'utf8'));

function repeat(b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(b.length * n);
  for (let i = 0; i < n; i++) out.set(b, i * b.length);
  return out;
}

/**
 * Drive the detector against a meter sending `frame` every `periodMs` with settings `tx`, until
 * it finds something or `maxMs` passes. Returns the verdicts that were not 'listening'.
 */
function drive(frame: Uint8Array, tx: DetectLineSettings | undefined, periodMs: number, maxMs: number, det = new LineDetector(), strictUart = false) {
  const seen: DetectVerdict[] = [];
  for (let now = 0; now < maxMs; now += periodMs) {
    let v: DetectVerdict;
    if (tx) {
      const rx = det.current().settings;
      v = det.feed(simulateUart(frame, tx, rx, 20, strictUart).bytes, now);
    } else v = det.tick(now);
    if (v.kind !== 'listening') seen.push(v);
    if (v.kind === 'found' || v.kind === 'encrypted') break;
  }
  return seen;
}

const S = (label: string) => LINE_CANDIDATES.find((c) => c.label === label)!.settings;

describe('UART simulation sanity', () => {
  test('same settings give the same bytes and no errors', () => {
    const b = hex('ams-han-decoder/AIDON_V0001__6515-1-ok-L210-1.hex');
    const r = simulateUart(b, S('2400 8E1'), S('2400 8E1'));
    expect(r.bytes).toEqual(b);
    expect(r.framingErrors + r.parityErrors).toBe(0);
  });
  test('8N1 data read as 8E1: parity errors on about half the bytes', () => {
    const b = hex('ams-han-decoder/AIDON_V0001__6515-1-ok-L210-1.hex');
    const r = simulateUart(b, S('2400 8N1'), S('2400 8E1'));
    expect(r.parityErrors).toBeGreaterThan(b.length / 5);
  });
});

describe('line detector', () => {
  test('candidate list: LineSettings-shaped, HAN 2400 8E1 first, no duplicates', () => {
    expect(LINE_CANDIDATES[0].label).toBe('2400 8E1');
    const keys = LINE_CANDIDATES.map((c) => JSON.stringify(c.settings));
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of LINE_CANDIDATES) {
      expect([7, 8]).toContain(c.settings.dataBits);
      expect(['none', 'even', 'odd']).toContain(c.settings.parity);
    }
  });

  test('Aidon HAN at 2400 8E1: found as hdlc at the first candidate', () => {
    const seen = drive(hex('ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1.hex'), S('2400 8E1'), 2000, 60000);
    expect(seen.at(-1)).toMatchObject({ kind: 'found', format: 'hdlc', candidate: { label: '2400 8E1' } });
  });

  test('Kamstrup sending 8N1: the 8E1 attempt is noise or decodes; either way it ends on a 2400 setting with hdlc', () => {
    const seen = drive(hex('roarfred/Kamstrup228.hex'), S('2400 8N1'), 10000, 300000);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ kind: 'found', format: 'hdlc' });
    expect((last as { candidate: { settings: { baud: number } } }).candidate.settings.baud).toBe(2400);
  });

  test('Kamstrup 8N1 on a strict UART that drops bytes with parity errors: 8E1 is noise, 2400 8N1 is found', () => {
    const seen = drive(hex('roarfred/Kamstrup228.hex'), S('2400 8N1'), 10000, 300000, new LineDetector(), true);
    expect(seen[0]).toMatchObject({ kind: 'next', reason: 'noise', candidate: { label: '2400 8N1' } });
    expect(seen.at(-1)).toMatchObject({ kind: 'found', format: 'hdlc', candidate: { label: '2400 8N1' } });
  });

  test('DSMR 5 P1 at 115200 inverted: HAN settings are noise, then found as dsmr at 115200 8N1 inverted', () => {
    const telegram = new Uint8Array(readFileSync(join(V, 'p1', 'ndokter-dsmr_parser', 'telegram_iskra_ie.txt')));
    const tx = S('115200 8N1 inverted');
    const seen = drive(repeat(telegram, 1), tx, 1000, 200000);
    expect(seen.at(-1)).toMatchObject({ kind: 'found', format: 'dsmr', candidate: { label: '115200 8N1 inverted' } });
    expect(seen.slice(0, -1).every((v) => v.kind === 'next')).toBe(true);
    expect(seen.length).toBe(3); // 2400 8E1 -> 2400 8N1 -> 115200 inverted
  });

  test('encrypted Austrian HAN without a key: "encrypted" at 2400 8E1 (settings right, key missing)', () => {
    const seen = drive(hex('austria/shrdzm-im350-wels.hex'), S('2400 8E1'), 5000, 60000);
    expect(seen.at(-1)).toMatchObject({ kind: 'encrypted', format: 'hdlc', candidate: { label: '2400 8E1' } });
  });

  test('with the key the same meter is found', () => {
    const side = JSON.parse(readFileSync(join(V, 'han', 'austria', 'shrdzm-im350-wels.json'), 'utf8'));
    const det = new LineDetector({ decoder: { encryptionKey: parseHexText(side.encryption.ek) } });
    const seen = drive(hex('austria/shrdzm-im350-wels.hex'), S('2400 8E1'), 5000, 60000, det);
    expect(seen.at(-1)).toMatchObject({ kind: 'found', format: 'hdlc' });
  });

  test('M-Bus framed meter (TINETZ Kaifa) is found as mbus', () => {
    const side = JSON.parse(readFileSync(join(V, 'han', 'austria', 'tinetz-kaifa-doc-example.json'), 'utf8'));
    const det = new LineDetector({ decoder: { encryptionKey: parseHexText(side.encryption.ek) } });
    const seen = drive(hex('austria/tinetz-kaifa-doc-example.hex'), S('2400 8E1'), 5000, 60000, det);
    expect(seen.at(-1)).toMatchObject({ kind: 'found', format: 'mbus' });
  });

  test('garbled bytes (every 7th byte corrupted) never count as found: the detector keeps moving', () => {
    const b = new Uint8Array(hex('ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1.hex'));
    for (let i = 3; i < b.length; i += 7) b[i] ^= 0x5a;
    const seen = drive(b, S('2400 8E1'), 2000, 200000);
    expect(seen.some((v) => v.kind === 'found' || v.kind === 'encrypted')).toBe(false);
    expect(seen.filter((v) => v.kind === 'next').length).toBeGreaterThanOrEqual(LINE_CANDIDATES.length);
  });

  test('no bytes at all: after one silent round, "silent" with the port-not-opened message', () => {
    const seen = drive(new Uint8Array(0), undefined, 1000, 12000 * LINE_CANDIDATES.length + 2000);
    const silent = seen.find((v) => v.kind === 'silent');
    expect(silent).toBeDefined();
    expect((silent as { message: string }).message).toMatch(/opened/);
    expect(seen.filter((v) => v.kind === 'next').every((v) => (v as { reason: string }).reason === 'no-bytes')).toBe(true);
  });
});
