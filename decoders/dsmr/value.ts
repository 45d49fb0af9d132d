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

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1e9, 1e10, 1e11, 1e12];

interface UnitScale {
  base: BaseUnit;
  factor: number;
}

/**
 * Wire unit -> (base unit, factor), built once. Looked up as sent first (one property access)
 * and lower-cased only on a miss, so "kWh" costs about 20 XS computrons instead of a
 * toLowerCase and a string switch. Same table as obis-table unitScale, which DLMS uses.
 */
const UNITS: Record<string, UnitScale> = (() => {
  const table = Object.create(null) as Record<string, UnitScale>;
  const rows: [string, BaseUnit, number][] = [
    ['kw', 'W', 1000],
    ['w', 'W', 1],
    ['kva', 'W', 1000],
    ['va', 'W', 1],
    ['kwh', 'Wh', 1000],
    ['wh', 'Wh', 1],
    ['kvar', 'var', 1000],
    ['var', 'var', 1],
    ['kvarh', 'varh', 1000],
    ['varh', 'varh', 1],
    ['a', 'A', 1],
    ['ma', 'A', 0.001],
    ['v', 'V', 1],
    ['kv', 'V', 1000],
    ['s', 's', 1],
  ];
  for (const [u, base, factor] of rows) table[u] = { base, factor };
  // The spellings meters actually send, so the common case needs no toLowerCase.
  for (const u of ['kW', 'W', 'kVA', 'VA', 'kWh', 'Wh', 'kVAr', 'kVAR', 'kvar', 'VAr', 'kVArh', 'kVARh', 'kvarh', 'VArh', 'A', 'V', 's']) {
    table[u] = table[u.toLowerCase()];
  }
  return table;
})();

/** Result of reading a value group: the number, or why it was rejected. */
export type ValueRead = { ok: true; value: number } | { ok: false; reason: 'empty' | 'not-a-number' | 'unit' };

const EMPTY: ValueRead = { ok: false, reason: 'empty' };
const NOT_A_NUMBER: ValueRead = { ok: false, reason: 'not-a-number' };
const BAD_UNIT: ValueRead = { ok: false, reason: 'unit' };

/**
 * Parse text[start, end) (inside the parentheses) as a number with optional "*unit".
 * base '' accepts any unit as-is (counters, M-Bus m3/GJ); otherwise the unit must fit `base`.
 */
export function readNumber(text: string, start: number, end: number, base: BaseUnit): ValueRead {
  if (end <= start) return EMPTY;
  const v = readNumberValue(text, start, end, base);
  if (v === v) return { ok: true, value: v };
  const star = text.indexOf('*', start);
  if (star >= 0 && star < end && star > start && Number(text.slice(start, star)) === Number(text.slice(start, star))) {
    return plainDecimal(text.slice(start, star)) ? BAD_UNIT : NOT_A_NUMBER;
  }
  return NOT_A_NUMBER;
}

/** The hot-path form of readNumber: the value in `base` units, or NaN for empty / not a number / wrong unit. */
export function readNumberValue(text: string, start: number, end: number, base: BaseUnit): number {
  let star = text.indexOf('*', start);
  if (star < 0 || star >= end) star = end;
  if (star === start) return NaN;
  const digits = text.slice(start, star);
  const value = +digits; // ToNumber, as Number(digits), without the call (XS: 4 computrons, not 8)
  if (value !== value) return NaN;
  // plainDecimal inlined (a call costs more than its checks under XS): a form Number() accepts
  // but DSMR never sends is rejected.
  const first = digits.charCodeAt(0);
  const last = digits.charCodeAt(digits.length - 1);
  if (!((first >= 48 && first <= 57) || first === 45 || first === 43 || first === 46)) return NaN;
  if (!((last >= 48 && last <= 57) || last === 46)) return NaN;
  if (digits.length > 2 && (digits.charCodeAt(1) | 0x20) >= 97) return NaN; // 0x.., 0b.., 0o..
  if (digits.indexOf('e') >= 0 || digits.indexOf('E') >= 0) return NaN;
  if (star === end || base === '') return value;
  const unit = text.slice(star + 1, end);
  const u = UNITS[unit] ?? UNITS[unit.toLowerCase()];
  if (u === undefined || u.base !== base) return NaN;
  const factor = u.factor;
  if (factor === 1) return value;
  return scaleValue(value, factor, decimalsAfter(digits, factor));
}

/** The decimals `digits` keeps after scaling by `factor` (1000 or 0.001): its own decimals -/+ 3. */
function decimalsAfter(digits: string, factor: number): number {
  const dot = digits.indexOf('.');
  const decimals = dot < 0 ? 0 : digits.length - dot - 1;
  return factor > 1 ? decimals - 3 : decimals + 3;
}

/** value * factor rounded to `after` decimals (see the header: no float noise). */
export function scaleValue(value: number, factor: number, after: number): number {
  const scaled = value * factor;
  if (after <= 0) return Math.round(scaled);
  if (after < POW10.length) return Math.round(scaled * POW10[after]) / POW10[after];
  return scaled;
}

/**
 * scaleValue's rounding for `after` decimals as one number, for a replay that inlines it
 * (parse-telegram.ts): 1 = Math.round(scaled); p > 1 = Math.round(scaled * p) / p;
 * 0 = scaled as it is.
 */
export function scaleRounding(after: number): number {
  if (after <= 0) return 1;
  if (after < POW10.length) return POW10[after];
  return 0;
}

/**
 * How readNumberValue read text[start, end), for a value it ACCEPTED: where the digits end and
 * the factor and decimals it scaled by (factor 1: taken as sent). The telegram layout replays a
 * value from these (layout.ts): any digits in the same places give the same result through
 * +digits and scaleValue.
 */
export function numberScale(text: string, start: number, end: number, base: BaseUnit): { digitsEnd: number; factor: number; after: number } {
  let star = text.indexOf('*', start);
  if (star < 0 || star >= end) star = end;
  if (star === end || base === '') return { digitsEnd: star, factor: 1, after: 0 };
  const unit = text.slice(star + 1, end);
  const factor = (UNITS[unit] ?? UNITS[unit.toLowerCase()]).factor;
  return { digitsEnd: star, factor, after: factor === 1 ? 0 : decimalsAfter(text.slice(start, star), factor) };
}

/**
 * Number() also accepts " 12", "0x1F", "1e3", "Infinity": DSMR values are plain decimals, so
 * require a digit (or sign / point) first, a digit (or point) last, no radix prefix, no exponent.
 * A few native calls instead of a per-character loop.
 */
function plainDecimal(d: string): boolean {
  const first = d.charCodeAt(0);
  const last = d.charCodeAt(d.length - 1);
  if (!((first >= 48 && first <= 57) || first === 45 || first === 43 || first === 46)) return false;
  if (!((last >= 48 && last <= 57) || last === 46)) return false;
  if (d.length > 2 && (d.charCodeAt(1) | 0x20) >= 97) return false; // 0x.., 0b.., 0o..
  return d.indexOf('e') < 0 && d.indexOf('E') < 0;
}

/** The unit text after '*' in text[start, end), '' when none. */
export function unitOf(text: string, start: number, end: number): string {
  const star = text.indexOf('*', start);
  return star < 0 || star >= end ? '' : text.slice(star + 1, end);
}
