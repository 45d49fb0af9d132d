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

/**
 * Parse 'YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]'. Undefined when it is not that shape.
 *
 * Runs on every headroom step: the fourteen fixed digits are read inline (one charCodeAt each,
 * no helper call per field) and checked together; under XS this is a third of the cost of a
 * digits() call per field. Same answers as reading each field with digits().
 */
export function parseWallTime(text: string): WallTime | undefined {
  if (typeof text !== 'string' || text.length < 19) return undefined;
  const y0 = text.charCodeAt(0) - 48;
  const y1 = text.charCodeAt(1) - 48;
  const y2 = text.charCodeAt(2) - 48;
  const y3 = text.charCodeAt(3) - 48;
  const mo0 = text.charCodeAt(5) - 48;
  const mo1 = text.charCodeAt(6) - 48;
  const d0 = text.charCodeAt(8) - 48;
  const d1 = text.charCodeAt(9) - 48;
  const h0 = text.charCodeAt(11) - 48;
  const h1 = text.charCodeAt(12) - 48;
  const mi0 = text.charCodeAt(14) - 48;
  const mi1 = text.charCodeAt(15) - 48;
  const s0 = text.charCodeAt(17) - 48;
  const s1 = text.charCodeAt(18) - 48;
  // A digit is 0..9; `>>> 0` turns a negative difference (a char below '0') into a huge number.
  if ((y0 >>> 0) > 9 || (y1 >>> 0) > 9 || (y2 >>> 0) > 9 || (y3 >>> 0) > 9 || (mo0 >>> 0) > 9 || (mo1 >>> 0) > 9
    || (d0 >>> 0) > 9 || (d1 >>> 0) > 9 || (h0 >>> 0) > 9 || (h1 >>> 0) > 9 || (mi0 >>> 0) > 9 || (mi1 >>> 0) > 9
    || (s0 >>> 0) > 9 || (s1 >>> 0) > 9) return undefined;
  const y = ((y0 * 10 + y1) * 10 + y2) * 10 + y3;
  const mo = mo0 * 10 + mo1;
  const d = d0 * 10 + d1;
  const h = h0 * 10 + h1;
  const mi = mi0 * 10 + mi1;
  const s = s0 * 10 + s1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  // '-' 45, ':' 58, 'T' 84, ' ' 32.
  const sep = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (sep !== 84 && sep !== 32) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
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

const DAY_MS = 86400000;

/**
 * 01:00 UTC on the last Sunday of the given month (0-based). The weekday comes from the day
 * number (1970-01-01 was a Thursday) rather than from a Date object: this runs on every step.
 */
function lastSundayOneUtc(year: number, month: number): number {
  const lastDayMs = Date.UTC(year, month + 1, 0);
  const weekday = ((Math.floor(lastDayMs / DAY_MS) + 4) % 7 + 7) % 7; // 0 = Sunday, as getUTCDay
  return lastDayMs - weekday * DAY_MS + 3600000;
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
  // The candidates without arrays (this runs on every step of a HAN meter): summer time first,
  // then standard time; the standard offset also stands in when none fits (spring gap).
  const standard = clock.utcOffsetMin;
  const standardUtc = wallMs - standard * 60000;
  if (clock.dst === 'eu') {
    const summer = standard + 60;
    const summerUtc = wallMs - summer * 60000;
    if (localOffsetMin(summerUtc, clock) === summer) {
      // Summer time fits: it wins unless standard time fits too and lies nearer to the hint.
      if (hintUtcMs === undefined || localOffsetMin(standardUtc, clock) !== standard) return { utcMs: summerUtc, offsetMin: summer };
      if (Math.abs(summerUtc - hintUtcMs) <= Math.abs(standardUtc - hintUtcMs)) return { utcMs: summerUtc, offsetMin: summer };
    }
  }
  return { utcMs: standardUtc, offsetMin: standard };
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
