/**
 * One DSMR value group "(...)" -> number in the field's base unit.
 *
 *   (001.193*kW)  (000123456*Wh)  (0002)  (-00.123*kW)  (999*A)
 *
 * The number is read with Number() on the digits only (one native call instead of a per-char
 * loop), then scaled: kW/kWh/kvar -> W/Wh/var (x1000). Scaling a parsed double by 1000 can land
 * a hair off (1.193 * 1000 = 1192.9999999999998), so the result is rounded to the decimals the
 * meter actually sent, moved by the scale: "1.193 kW" has 3 decimals -> 0 decimals in W.
 */
import type { BaseUnit } from '../obis/obis-table';
import { unitScale } from '../obis/obis-table';

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1e9, 1e10, 1e11, 1e12];

/** Result of reading a value group: the number, or why it was rejected. */
export type ValueRead = { ok: true; value: number } | { ok: false; reason: 'empty' | 'not-a-number' | 'unit' };

/** Parse text[start, end) (inside the parentheses) as a number with optional "*unit". */
export function readNumber(text: string, start: number, end: number, base: BaseUnit): ValueRead {
  if (end <= start) return { ok: false, reason: 'empty' };
  let star = text.indexOf('*', start);
  if (star < 0 || star >= end) star = end;
  const digits = text.slice(start, star);
  const value = Number(digits);
  // Number('') is 0 and Number(' ') is 0: require at least one digit and nothing but a number.
  if (star === start || !isFinite(value) || !isNumeric(text, start, star)) return { ok: false, reason: 'not-a-number' };
  const scale = star < end ? unitScale(text.slice(star + 1, end), base) : 1;
  if (scale === undefined) return { ok: false, reason: 'unit' };
  if (scale === 1) return { ok: true, value };
  const dot = digits.indexOf('.');
  const decimals = dot < 0 ? 0 : digits.length - dot - 1;
  // scale is 1000 or 0.001: decimals after scaling = decimals -/+ 3
  const after = scale > 1 ? decimals - 3 : decimals + 3;
  const scaled = value * scale;
  if (after <= 0) return { ok: true, value: Math.round(scaled) };
  if (after < POW10.length) return { ok: true, value: Math.round(scaled * POW10[after]) / POW10[after] };
  return { ok: true, value: scaled };
}

/** Digits with at most one '.', optional leading sign; nothing else (no exponents, spaces, hex). */
function isNumeric(text: string, start: number, end: number): boolean {
  let i = start;
  const first = text.charCodeAt(i);
  if (first === 45 || first === 43) i++; // - +
  let digits = 0;
  let dots = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && dots === 0) dots++;
    else return false;
  }
  return digits > 0;
}

/** The unit text after '*' in text[start, end), '' when none. */
export function unitOf(text: string, start: number, end: number): string {
  const star = text.indexOf('*', start);
  return star < 0 || star >= end ? '' : text.slice(star + 1, end);
}
