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

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parse text[start, end) as a DSMR time stamp; undefined when invalid. */
export function parseDsmrTimestamp(text: string, start: number, end: number): string | undefined {
  const n = end - start;
  if (n !== 12 && n !== 13) return undefined;
  // The 12 digits as one number (one native call instead of 12 character reads); a digit
  // check on the ends plus "no '.', 'e', 'x', sign, space" keeps Number()'s other forms out.
  const digits = text.slice(start, start + 12);
  const v = +digits; // ToNumber, as Number(digits), without the call
  if (v !== v || v < 0 || v % 1 !== 0) return undefined;
  const c0 = digits.charCodeAt(0);
  const c11 = digits.charCodeAt(11);
  if (
    c0 < 48 ||
    c0 > 57 ||
    c11 < 48 ||
    c11 > 57 ||
    digits.indexOf('e') >= 0 ||
    digits.indexOf('E') >= 0 ||
    digits.indexOf('x') >= 0 ||
    digits.indexOf('.') >= 0
  ) {
    return undefined;
  }
  // Integer arithmetic on the two 6-digit halves (each fits 32 bits; v is below 2^41 even in the
  // odd "0X..." forms Number accepts) instead of six Math.floor calls.
  const ymd = (v / 1e6) | 0;
  const hms = v - ymd * 1e6;
  const yy = (ymd / 1e4) | 0;
  const mo = ((ymd / 100) | 0) % 100;
  const dd = ymd % 100;
  const hh = (hms / 1e4) | 0;
  const mi = ((hms / 100) | 0) % 100;
  const ss = hms % 100;
  if (mo < 1 || mo > 12 || dd < 1 || hh > 23 || mi > 59 || ss > 59) return undefined;
  const year = yy >= 70 ? 1900 + yy : 2000 + yy;
  if (dd > DAYS[mo - 1] || (mo === 2 && dd === 29 && year % 4 !== 0)) return undefined; // 1970..2069: every 4th year
  let offset = '';
  if (n === 13) {
    const flag = text.charCodeAt(start + 12) | 0x20; // lower-case
    if (flag === 115)
      offset = '+02:00'; // 's'
    else if (flag === 119)
      offset = '+01:00'; // 'w'
    else return undefined;
  }
  return (
    (yy >= 70 ? '19' : '20') +
    digits.slice(0, 2) +
    '-' +
    digits.slice(2, 4) +
    '-' +
    digits.slice(4, 6) +
    'T' +
    digits.slice(6, 8) +
    ':' +
    digits.slice(8, 10) +
    ':' +
    digits.slice(10, 12) +
    offset
  );
}
