/**
 * DSMR time stamps (P1 Companion Standard 5.0.2, 6.4: "TST"): YYMMDDhhmmssX where X is
 * 'S' (summer time, CEST, +02:00) or 'W' (winter time, CET, +01:00). DSMR 2.2/3 gas readings
 * (0-n:24.3.0) send YYMMDDhhmmss without the flag: returned without an offset.
 *
 * Meters send impossible stamps (e-MUCS "632525252525W" for an empty month, Kamstrup OMNIA
 * "250000000000W"): those are invalid and yield undefined, never a made-up time.
 * The S/W offsets are the Central European ones the DSMR family is specified for. YY 70..99
 * is 19YY: meters send 700101010000W (the 1970 epoch) for "never captured", and 2070 would be
 * a made-up date.
 */

function two(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parse text[start, end) as a DSMR time stamp; undefined when invalid. */
export function parseDsmrTimestamp(text: string, start: number, end: number): string | undefined {
  const n = end - start;
  if (n !== 12 && n !== 13) return undefined;
  const yy = two(text, start);
  const mo = two(text, start + 2);
  const dd = two(text, start + 4);
  const hh = two(text, start + 6);
  const mi = two(text, start + 8);
  const ss = two(text, start + 10);
  if (yy < 0 || mo < 1 || mo > 12 || dd < 1 || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59) {
    return undefined;
  }
  const year = yy >= 70 ? 1900 + yy : 2000 + yy;
  const leap = year % 4 === 0; // 1970..2069: every 4th year (2000 was a leap year)
  if (dd > DAYS[mo - 1] || (mo === 2 && dd === 29 && !leap)) return undefined;
  let offset = '';
  if (n === 13) {
    const flag = text.charCodeAt(start + 12) | 0x20; // lower-case
    if (flag === 115) offset = '+02:00'; // 's'
    else if (flag === 119) offset = '+01:00'; // 'w'
    else return undefined;
  }
  return `${year}-${text.slice(start + 2, start + 2 + 2)}-${text.slice(start + 4, start + 4 + 2)}T${text.slice(start + 6, start + 6 + 2)}:${text.slice(start + 8, start + 8 + 2)}:${text.slice(start + 10, start + 10 + 2)}${offset}`;
}
