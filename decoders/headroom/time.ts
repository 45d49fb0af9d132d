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

/** The fixed part of a wall time: 'YYYY-MM-DDTHH:MM:SS' (or a space for the T). */
const WALL_TIME_FIELDS = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d/;

/**
 * The last stamp read in full: its minute ('YYYY-MM-DDTHH:MM', fields already checked) with the
 * minute's wall ms, and what followed the seconds (when no fraction) with the offset it gave.
 */
interface StampMemo {
  minute: string;
  minuteMs: number;
  suffix: string;
  offsetMin: number | undefined;
}

// The memos of this module are created at run time, never at load: on Moddable a preloaded
// module's objects are frozen, while its module variables stay writable. Each memo is a pure
// cache (the same text or instant in, the same answer out), so several meters may share it.
let lastStamp: StampMemo | undefined;

/** ':00'..':60' -> seconds (built at load, only read: safe to freeze). No prototype: no inherited keys. */
const SECONDS: Record<string, number> = Object.create(null);
for (let sec = 0; sec <= 60; sec++) SECONDS[':' + (sec < 10 ? '0' + sec : String(sec))] = sec;

/**
 * Parse 'YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]'. Undefined when it is not that shape.
 *
 * Runs on every headroom step. A meter stamps every 2-10 s, so a stamp mostly shares its minute
 * and its offset with the one before: then only ':SS' is read (one table lookup) and the rest
 * comes from the memo (minute + s * 1000 is exact in doubles: it equals Date.UTC of all the
 * fields). Anything else is read in full (parseStamp).
 */
export function parseWallTime(text: string): WallTime | undefined {
  if (typeof text !== 'string' || text.length < 19) return undefined;
  const memo = lastStamp;
  if (memo !== undefined && text.slice(0, 16) === memo.minute) {
    // The minute was checked already: what the full reader refuses now is in the seconds.
    const sec = SECONDS[text.slice(16, 19)];
    if (sec === undefined) return undefined;
    const wallMs = memo.minuteMs + sec * 1000;
    if (text.length === 19) return { wallMs };
    if (text.slice(19) === memo.suffix) return memo.offsetMin === undefined ? { wallMs } : { wallMs, offsetMin: memo.offsetMin };
  }
  return parseStamp(text);
}

/**
 * The full reader. One native match checks all fourteen digits and five separators, then each
 * field is one slice and one number conversion: under XS a third of the cost of reading the
 * digits one charCodeAt at a time (the expression is not global or sticky, so test() never
 * writes to it and it may be frozen in a preloaded module).
 */
function parseStamp(text: string): WallTime | undefined {
  if (!WALL_TIME_FIELDS.test(text)) return undefined;
  const y = +text.slice(0, 4);
  const mo = +text.slice(5, 7);
  const d = +text.slice(8, 10);
  const h = +text.slice(11, 13);
  const mi = +text.slice(14, 16);
  const s = +text.slice(17, 19);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
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
  const minuteMs = Date.UTC(y, mo - 1, d, h, mi);
  const wallMs = minuteMs + s * 1000 + ms;
  const offsetMin = stampOffsetMin(text, i);
  // The suffix is remembered only without a fraction (then it is all that follows the seconds).
  if (i === 19) lastStamp = { minute: text.slice(0, 16), minuteMs, suffix: text.slice(19), offsetMin };
  return offsetMin === undefined ? { wallMs } : { wallMs, offsetMin };
}

/** The offset stated from position i on: 'Z', '+HH:MM', '-HH:MM'; undefined for none or anything else. */
function stampOffsetMin(text: string, i: number): number | undefined {
  if (i >= text.length) return undefined;
  const z = text[i];
  if (z === 'Z' || z === 'z') return 0;
  if ((z === '+' || z === '-') && text.length >= i + 6) {
    const oh = digits(text, i + 1, 2);
    const om = digits(text, i + 4, 2);
    if (oh < 0 || om < 0) return undefined;
    const off = oh * 60 + om;
    return z === '-' ? -off : off;
  }
  return undefined;
}

const DAY_MS = 86400000;

/**
 * 01:00 UTC on the last Sunday of the given month (0-based). The weekday comes from the day
 * number (1970-01-01 was a Thursday) rather than from a Date object: this runs on every step.
 */
function lastSundayOneUtc(year: number, month: number): number {
  const lastDayMs = Date.UTC(year, month + 1, 0);
  const weekday = (((Math.floor(lastDayMs / DAY_MS) + 4) % 7) + 7) % 7; // 0 = Sunday, as getUTCDay
  return lastDayMs - weekday * DAY_MS + 3600000;
}

/** One year's EU summer time (startMs <= instant < endMs) and the year's own span [fromMs, toMs). */
interface SummerWindow {
  fromMs: number;
  toMs: number;
  startMs: number;
  endMs: number;
}

/** The window last looked up (see lastMinute about run-time memos). */
let lastWindow: SummerWindow | undefined;

/**
 * The summer-time window of the UTC year holding `ms` (a Date and two Date.UTC per year, not per
 * step). Years before 100 are never remembered (Date.UTC reads them as 19xx: an empty span).
 */
function summerWindow(ms: number): SummerWindow {
  const w = lastWindow;
  if (w !== undefined && ms >= w.fromMs && ms < w.toMs) return w;
  const year = new Date(ms).getUTCFullYear();
  const known = year >= 100;
  const win: SummerWindow = {
    fromMs: known ? Date.UTC(year, 0, 1) : 0,
    toMs: known ? Date.UTC(year + 1, 0, 1) : 0,
    startMs: lastSundayOneUtc(year, 2),
    endMs: lastSundayOneUtc(year, 9),
  };
  lastWindow = win;
  return win;
}

/** Local offset (minutes east of UTC) in force at a UTC instant. */
export function localOffsetMin(utcMs: number, clock: ClockSettings): number {
  if (clock.dst !== 'eu') return clock.utcOffsetMin;
  const w = summerWindow(utcMs);
  if (utcMs < w.startMs) return clock.utcOffsetMin; // before summer time starts
  return utcMs < w.endMs ? clock.utcOffsetMin + 60 : clock.utcOffsetMin;
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
    // One summer-time window for both candidates, that of the wall time's year: a candidate in
    // another year lies within hours of New Year (offsets are at most 14 h), outside the window
    // of either year, so this gives the answer localOffsetMin gives for each candidate.
    // The remembered window tested here (a call saved on every step), else looked up.
    let w = lastWindow;
    if (w === undefined || !(wallMs >= w.fromMs && wallMs < w.toMs)) w = summerWindow(wallMs);
    const start = w.startMs;
    const summer = standard + 60;
    const summerUtc = wallMs - summer * 60000;
    if (summerUtc >= start) {
      const end = w.endMs;
      if (summerUtc < end) {
        // Summer time fits: it wins unless standard time fits too and lies nearer to the hint.
        const standardFits = !(standardUtc >= start && standardUtc < end);
        if (hintUtcMs === undefined || !standardFits) return { utcMs: summerUtc, offsetMin: summer };
        if (Math.abs(summerUtc - hintUtcMs) <= Math.abs(standardUtc - hintUtcMs)) return { utcMs: summerUtc, offsetMin: summer };
      }
    }
  }
  return { utcMs: standardUtc, offsetMin: standard };
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/**
 * UTC start of the local clock hour holding an instant: the hourStartUtcMs of localKeys (same
 * arithmetic) without the calendar keys, for the per-step check whether the hour has changed.
 */
export function localHourStartUtcMs(utcMs: number, offsetMin: number): number {
  const wall = utcMs + offsetMin * 60000;
  const hourWall = Math.floor(wall / 3600000) * 3600000;
  return hourWall - offsetMin * 60000;
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
