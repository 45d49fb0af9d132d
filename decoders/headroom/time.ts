/**
 * Clock helpers for the headroom engine: parse the meter's own time stamp, and find the local
 * hour, day and month an instant belongs to (capacity tariffs bill by local clock hours).
 *
 * Why not Date.parse: an ISO string without an offset is read in the HOST's time zone, which
 * differs between a PC, the device and CI. Everything here works on UTC milliseconds plus an
 * explicit offset, so Node and XS give the same answer.
 *
 * DST: the EU rule (summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
 * last Sunday of October) covers Norway and Belgium. Hours are identified by their UTC start, so a
 * 23-hour and a 25-hour day simply have 23 and 25 distinct hours; days and months by the local
 * calendar date.
 */

export interface ClockSettings {
  utcOffsetMin: number;
  dst: 'eu' | 'none';
}

export interface WallTime {
  /** The wall-clock fields encoded as if they were UTC (Date.UTC of the fields). */
  wallMs: number;
  /** Offset stated in the text, minutes east of UTC; absent when the text has none. */
  offsetMin?: number;
}

function digits(text: string, start: number, count: number): number {
  let v = 0;
  for (let i = start; i < start + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Parse 'YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]'. Undefined when it is not that shape. */
export function parseWallTime(text: string): WallTime | undefined {
  if (typeof text !== 'string' || text.length < 19) return undefined;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
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
    const oh = digits(text, i + 1, 2);
    const om = digits(text, i + 4, 2);
    if (oh < 0 || om < 0) return { wallMs };
    const off = oh * 60 + om;
    return { wallMs, offsetMin: z === '-' ? -off : off };
  }
  return { wallMs };
}

/** 01:00 UTC on the last Sunday of the given month (0-based). */
function lastSundayOneUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** Local offset (minutes east of UTC) in force at a UTC instant. */
export function localOffsetMin(utcMs: number, clock: ClockSettings): number {
  if (clock.dst !== 'eu') return clock.utcOffsetMin;
  const year = new Date(utcMs).getUTCFullYear();
  const start = lastSundayOneUtc(year, 2);
  const end = lastSundayOneUtc(year, 9);
  return utcMs >= start && utcMs < end ? clock.utcOffsetMin + 60 : clock.utcOffsetMin;
}

/**
 * A local wall time without offset to a UTC instant. In the autumn hour that happens twice the
 * candidate nearest to `hintUtcMs` wins (the meter's clock moves forward, so the hint is the
 * previous frame's instant plus the time since); in the spring gap the standard offset is used.
 */
export function wallToUtc(wallMs: number, clock: ClockSettings, hintUtcMs?: number): { utcMs: number; offsetMin: number } {
  const candidates: { utcMs: number; offsetMin: number }[] = [];
  const offsets = clock.dst === 'eu' ? [clock.utcOffsetMin + 60, clock.utcOffsetMin] : [clock.utcOffsetMin];
  for (const off of offsets) {
    const utcMs = wallMs - off * 60000;
    if (localOffsetMin(utcMs, clock) === off) candidates.push({ utcMs, offsetMin: off });
  }
  if (candidates.length === 0) return { utcMs: wallMs - clock.utcOffsetMin * 60000, offsetMin: clock.utcOffsetMin };
  if (candidates.length === 1 || hintUtcMs === undefined) return candidates[0] as { utcMs: number; offsetMin: number };
  const a = candidates[0] as { utcMs: number; offsetMin: number };
  const b = candidates[1] as { utcMs: number; offsetMin: number };
  return Math.abs(a.utcMs - hintUtcMs) <= Math.abs(b.utcMs - hintUtcMs) ? a : b;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** Local calendar keys and hour start of an instant. */
export function localKeys(utcMs: number, offsetMin: number): { hourStartUtcMs: number; dayKey: string; monthKey: string; hourLabel: string } {
  const wall = utcMs + offsetMin * 60000;
  const hourWall = Math.floor(wall / 3600000) * 3600000;
  const dt = new Date(wall);
  const y = dt.getUTCFullYear();
  const monthKey = y + '-' + pad2(dt.getUTCMonth() + 1);
  const dayKey = monthKey + '-' + pad2(dt.getUTCDate());
  return { hourStartUtcMs: hourWall - offsetMin * 60000, dayKey, monthKey, hourLabel: dayKey + 'T' + pad2(dt.getUTCHours()) };
}

/** Plausible epoch milliseconds (after 2001): a host or device clock that was set. */
export function isWallClock(ms: number): boolean {
  return ms > 1e12;
}
