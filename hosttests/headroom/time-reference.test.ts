// The clock helpers of the headroom engine (decoders/headroom/time.ts) run on every step and are
// written for speed under XS (one anchored match instead of a digit loop, the weekday from the
// day number instead of a Date object, one summer-time window for both candidates of a local
// time). Here they are checked against plain reference versions (the engine's earlier code:
// a digit reader per field, Date getters, a list of candidates) over edge cases and seeded
// random inputs, so a faster rewrite cannot change an answer unnoticed.
import { localOffsetMin, parseWallTime, wallToUtc, type ClockSettings, type WallTime } from '../../decoders/headroom/time';
import { mulberry32 } from '../../tools/simulate/prng';

function refDigits(text: string, start: number, count: number): number {
  let v = 0;
  for (let i = start; i < start + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function refParseWallTime(text: string): WallTime | undefined {
  if (typeof text !== 'string' || text.length < 19) return undefined;
  const y = refDigits(text, 0, 4);
  const mo = refDigits(text, 5, 2);
  const d = refDigits(text, 8, 2);
  const h = refDigits(text, 11, 2);
  const mi = refDigits(text, 14, 2);
  const s = refDigits(text, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || (text[10] !== 'T' && text[10] !== ' ') || text[13] !== ':' || text[16] !== ':') return undefined;
  let i = 19;
  let ms = 0;
  if (text[i] === '.') {
    i++;
    let scale = 100;
    while (i < text.length) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      ms += c * scale;
      scale /= 10;
      i++;
    }
    ms = Math.round(ms);
  }
  const wallMs = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (i >= text.length) return { wallMs };
  const z = text[i];
  if (z === 'Z' || z === 'z') return { wallMs, offsetMin: 0 };
  if ((z === '+' || z === '-') && text.length >= i + 6) {
    const oh = refDigits(text, i + 1, 2);
    const om = refDigits(text, i + 4, 2);
    if (oh < 0 || om < 0) return { wallMs };
    const off = oh * 60 + om;
    return { wallMs, offsetMin: z === '-' ? -off : off };
  }
  return { wallMs };
}

function refLastSundayOneUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

function refLocalOffsetMin(utcMs: number, clock: ClockSettings): number {
  if (clock.dst !== 'eu') return clock.utcOffsetMin;
  const year = new Date(utcMs).getUTCFullYear();
  const start = refLastSundayOneUtc(year, 2);
  const end = refLastSundayOneUtc(year, 9);
  return utcMs >= start && utcMs < end ? clock.utcOffsetMin + 60 : clock.utcOffsetMin;
}

function refWallToUtc(wallMs: number, clock: ClockSettings, hintUtcMs?: number): { utcMs: number; offsetMin: number } {
  const candidates: { utcMs: number; offsetMin: number }[] = [];
  const offsets = clock.dst === 'eu' ? [clock.utcOffsetMin + 60, clock.utcOffsetMin] : [clock.utcOffsetMin];
  for (const off of offsets) {
    const utcMs = wallMs - off * 60000;
    if (refLocalOffsetMin(utcMs, clock) === off) candidates.push({ utcMs, offsetMin: off });
  }
  if (candidates.length === 0) return { utcMs: wallMs - clock.utcOffsetMin * 60000, offsetMin: clock.utcOffsetMin };
  if (candidates.length === 1 || hintUtcMs === undefined) return candidates[0]!;
  const a = candidates[0]!;
  const b = candidates[1]!;
  return Math.abs(a.utcMs - hintUtcMs) <= Math.abs(b.utcMs - hintUtcMs) ? a : b;
}

const HOUR_MS = 3600000;

/** Collects disagreements (a plain comparison per case: millions of expect() calls would be slow). */
class Mismatches {
  readonly list: string[] = [];
  cases = 0;
  /** `what` names the call: a function name and its arguments (joined only on a mismatch). */
  check(got: unknown, want: unknown, ...what: unknown[]): void {
    this.cases++;
    if (!same(got, want) && this.list.length < 5)
      this.list.push(`${what.map((w) => JSON.stringify(w)).join(' ')}: got ${JSON.stringify(got)}, reference ${JSON.stringify(want)}`);
  }
}

/** Same number (NaN equals NaN), or objects with the same keys and such numbers, or both undefined. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a === undefined || b === undefined) return a === b;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  for (const k of kx) if (!Object.is(x[k], y[k])) return false;
  return true;
}

/** Offsets the settings validator accepts (-720..840 min), the usual ones first. */
const OFFSETS = [60, 0, 120, -300, 330, 840, -720, -60];

describe('parseWallTime reads exactly what the field-by-field reader reads', () => {
  const shapes = [
    '2017-02-03T15:46:14',
    '2023-07-24T15:07:30+02:00',
    '2026-03-29T02:30:00',
    '2026-10-25T02:30:00.123Z',
    '1999-12-31 23:59:60-01:30',
    '2026-10-25T02:30:00.5',
    '2026-10-25T02:30:00.5+0100',
    '2026-02-30T24:00:00',
  ];
  test.each(shapes)('%s', (text) => {
    expect(parseWallTime(text)).toEqual(refParseWallTime(text));
  });

  test('seeded mutations of valid stamps (digits, separators, signs, non-ASCII digits, truncation)', () => {
    const m = new Mismatches();
    const rng = mulberry32(7);
    const chars = '0123456789-:T Z+.z/a\u0660\uff10';
    let accepted = 0;
    for (let k = 0; k < 20000; k++) {
      let t = shapes[k % shapes.length] as string;
      const edits = Math.floor(rng() * 3);
      for (let j = 0; j < edits; j++) {
        const p = Math.floor(rng() * (t.length + 1));
        t = t.slice(0, p) + chars[Math.floor(rng() * chars.length)] + t.slice(p + 1);
      }
      if (rng() < 0.1) t = t.slice(0, Math.floor(rng() * t.length));
      const ref = refParseWallTime(t);
      m.check(parseWallTime(t), ref, 'parseWallTime', t);
      if (ref) accepted++;
    }
    expect(m.list).toEqual([]);
    // Both kinds of answer were exercised.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(19000);
  });

  test('stamps that share a minute with the one before (the remembered minute and offset)', () => {
    // parseWallTime remembers the last minute and suffix: mutate only what follows the minute,
    // so most stamps hit that memo, and check every answer against the full reference reader.
    const m = new Mismatches();
    const rng = mulberry32(13);
    const tails = [':05', ':59', ':60', ':61', ':5', ':0x', '.07', ': 7', ':\u0660\u0661', ':07.25', ':07.'];
    const suffixes = ['', '+01:00', '+02:00', '-01:30', '-00:00', 'Z', 'z', '+0100', '+01:0x', 'junk!!', '.5+01:00', '+01:00:00'];
    const minutes = ['2026-11-23T22:10', '2026-03-29 02:30', '1999-12-31T23:59', '2026-13-01T00:00', '2026-02-30T24:00'];
    let hits = 0;
    for (let k = 0; k < 20000; k++) {
      const minute = minutes[Math.floor(k / 50) % minutes.length] as string;
      const tail = rng() < 0.7 ? ':' + String(Math.floor(rng() * 62)).padStart(2, '0') : (tails[Math.floor(rng() * tails.length)] as string);
      const t = minute + tail + (suffixes[Math.floor(rng() * suffixes.length)] as string);
      const ref = refParseWallTime(t);
      m.check(parseWallTime(t), ref, 'parseWallTime', t);
      if (ref) hits++;
    }
    expect(m.list).toEqual([]);
    expect(hits).toBeGreaterThan(5000);
  });

  test('not a string', () => {
    expect(parseWallTime(undefined as unknown as string)).toBeUndefined();
    expect(parseWallTime(12 as unknown as string)).toBeUndefined();
  });
});

describe('summer time and local-to-UTC conversion match the Date-based reference', () => {
  test('around every EU switch from 1990 to 2100, all offsets, with and without hints', () => {
    const m = new Mismatches();
    for (let y = 1990; y <= 2100; y++) {
      for (const month of [2, 9]) {
        // 16 h either side of the switch (01:00 UTC on the last Sunday) covers every offset.
        const switchMs = refLastSundayOneUtc(y, month);
        for (let t = switchMs - 16 * HOUR_MS; t <= switchMs + 16 * HOUR_MS; t += 15 * 60000) {
          for (const off of OFFSETS) {
            const clock: ClockSettings = { utcOffsetMin: off, dst: 'eu' };
            m.check(localOffsetMin(t, clock), refLocalOffsetMin(t, clock), 'localOffsetMin', t, off);
            // Hints: none, near either candidate, and exactly between them (the tie goes to summer time).
            for (const hint of [undefined, t, t - HOUR_MS, t - 2 * HOUR_MS, t - (off + 30) * 60000]) {
              m.check(wallToUtc(t, clock, hint), refWallToUtc(t, clock, hint), 'wallToUtc', t, off, hint);
            }
          }
        }
      }
    }
    expect(m.list).toEqual([]);
    expect(m.cases).toBeGreaterThan(1e6);
  });

  test('around New Year (a candidate in the other year than the wall time)', () => {
    const m = new Mismatches();
    for (let y = 1971; y < 2200; y += 3) {
      for (let minute = -1000; minute < 1000; minute += 29) {
        const t = Date.UTC(y, 0, 1, 0, minute);
        for (const off of OFFSETS) {
          for (const dst of ['eu', 'none'] as const) {
            const clock: ClockSettings = { utcOffsetMin: off, dst };
            for (const hint of [undefined, t, t - 2 * HOUR_MS])
              m.check(wallToUtc(t, clock, hint), refWallToUtc(t, clock, hint), 'wallToUtc', t, off, dst, hint);
          }
        }
      }
    }
    expect(m.list).toEqual([]);
  });

  test('seeded instants from 1843 to 2096', () => {
    const m = new Mismatches();
    const rng = mulberry32(11);
    for (let k = 0; k < 50000; k++) {
      const t = Math.floor((rng() * 2 - 0.8) * 4e12);
      const clock: ClockSettings = {
        utcOffsetMin: k % 2 ? (OFFSETS[k % OFFSETS.length] as number) : Math.round(rng() * 1560) - 720,
        dst: k % 7 === 0 ? 'none' : 'eu',
      };
      m.check(localOffsetMin(t, clock), refLocalOffsetMin(t, clock), 'localOffsetMin', t);
      const hint = k % 3 === 0 ? undefined : t + Math.floor((rng() - 0.5) * 3 * HOUR_MS);
      m.check(wallToUtc(t, clock, hint), refWallToUtc(t, clock, hint), 'wallToUtc', t, hint);
    }
    expect(m.list).toEqual([]);
  });
});
