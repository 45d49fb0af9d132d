/**
 * The splitters map OBIS-tagged-structure lists straight from the bytes (mapTaggedStructures,
 * DlmsApduDecoder option mapLists) instead of building the A-XDR tree and asking the list-shape
 * registry. That shortcut must be invisible: on every HAN vector, and on many damaged copies of
 * them (checksums skipped so the damage reaches the APDU), a MeterStream whose decoders take the
 * shortcut must give exactly the results (readings, errors, key order) of one whose decoders do not.
 */
import type { FrameResult } from '../../decoders/frame-result';
import { MeterStream } from '../../decoders/meter-stream';
import { loadHanVectors, type HanVector } from './vectors';
import { mulberry32 } from '../../tools/simulate/prng';

/** A MeterStream whose APDU decoders all take the general path (tree + registry). */
function generalStream(options: HanVector['options']): MeterStream {
  const s = new MeterStream(options);
  const parts = (s as unknown as { parts: Array<{ dlms?: { mapLists: boolean } }> }).parts;
  let found = 0;
  for (const p of parts) {
    if (p.dlms && 'mapLists' in p.dlms) {
      p.dlms.mapLists = false;
      found++;
    }
  }
  expect(found).toBe(3); // HDLC, M-Bus, bare DLMS
  return s;
}

function results(s: MeterStream, bytes: Uint8Array): string {
  const out: FrameResult[] = [];
  s.push(bytes, (r) => out.push(r));
  s.flush((r) => out.push(r));
  // JSON keeps key order: a reading with the same fields in another order would show.
  return JSON.stringify(out.map((r) => (r.raw ? { ...r, raw: Array.from(r.raw) } : r)));
}

/** A fixed sequence (the simulator's mulberry32), so a failure reproduces. */
const rng = mulberry32;

const vectors = loadHanVectors();

describe('fast list mapping equals the registry path', () => {
  it('has vectors to compare, some of them taking the shortcut', () => {
    expect(vectors.length).toBeGreaterThan(20);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s: same results as the general path', (_name, v) => {
    const fast = results(new MeterStream(v.options), v.bytes);
    expect(fast).toBe(results(generalStream(v.options), v.bytes));
  });

  it('same results on damaged copies (checksums skipped so damage reaches the APDU)', () => {
    const next = rng(0x5eed);
    let compared = 0;
    let decodedSomewhere = 0;
    for (const v of vectors) {
      const options = { ...v.options, skipChecksum: true };
      for (let k = 0; k < 60; k++) {
        const bytes = v.bytes.slice();
        const flips = 1 + Math.floor(next() * 3);
        for (let f = 0; f < flips; f++) {
          // Damage past the first 12 bytes (the link-layer header), where list bytes are.
          const at = 12 + Math.floor(next() * Math.max(1, bytes.length - 12));
          if (at < bytes.length) bytes[at] = Math.floor(next() * 256);
        }
        const fast = results(new MeterStream(options), bytes);
        expect(fast).toBe(results(generalStream(options), bytes));
        compared++;
        if (fast.includes('"ok":true')) decodedSomewhere++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(decodedSomewhere).toBeGreaterThan(100);
  });
});
