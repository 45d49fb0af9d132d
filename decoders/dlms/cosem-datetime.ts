/**
 * COSEM date-time (IEC 62056-6-2, 4.1.6.1 "date-time", 12 bytes):
 *
 *   year(2, 0xFFFF = unspecified) month(1) day(1) day-of-week(1, 1 = Monday, 0xFF)
 *   hour(1) minute(1) second(1) hundredths(1, 0xFF) deviation(int16, minutes, 0x8000 = unspecified)
 *   clock-status(1, 0x80 = daylight saving active, 0xFF = unspecified)
 *
 * The deviation is "minutes of local time to UTC", i.e. local = UTC - deviation: Austrian meters
 * in winter send -60 (0xFFC4) for UTC+01:00 and in summer -120 with status 0x80. So the ISO offset
 * is the negated deviation. Meters that send 0x8000 give local time without offset.
 */

export interface CosemDateTime {
  /** ISO 8601, with offset when the meter states a deviation. */
  iso: string;
  dayOfWeek?: number;
  /** Minutes as sent (local = UTC - deviation). */
  deviationMin?: number;
  /** Daylight saving flag from the clock status, when the status is specified. */
  dst?: boolean;
}

function pad(n: number, width = 2): string {
  let s = String(n);
  while (s.length < width) s = '0' + s;
  return s;
}

/**
 * "00".."99": two-digit fields by table look-up. Under XS a pad call per field was half the cost
 * of a stamp (~35 computrons a call); an array read is a few. Built once, never written.
 */
const TWO_DIGITS: readonly string[] = (() => {
  const t: string[] = [];
  for (let i = 0; i < 100; i++) t.push(i < 10 ? '0' + i : '' + i);
  return t;
})();

/** Decode 12 bytes at `offset`; undefined when the date is unspecified or out of range. */
export function decodeCosemDateTime(b: Uint8Array, offset = 0): CosemDateTime | undefined {
  const iso = cosemDateTimeIso(b, offset);
  if (iso === undefined) return undefined;
  const out: CosemDateTime = { iso };
  const dow = b[offset + 4];
  if (dow >= 1 && dow <= 7) out.dayOfWeek = dow;
  const devRaw = (b[offset + 9] << 8) | b[offset + 10];
  if (devRaw !== 0x8000) {
    const deviation = devRaw >= 0x8000 ? devRaw - 0x10000 : devRaw;
    if (deviation >= -720 && deviation <= 720) out.deviationMin = deviation;
  }
  const status = b[offset + 11];
  if (status !== 0xff) out.dst = (status & 0x80) !== 0;
  return out;
}

/**
 * decodeCosemDateTime(b, offset)?.iso without the object and the fields no reading uses (day of
 * week, clock status): what the list mappers need, for a little less under XS.
 */
export function cosemDateTimeIso(b: Uint8Array, offset: number): string | undefined {
  if (b.length - offset < 12) return undefined;
  const year = (b[offset] << 8) | b[offset + 1];
  const month = b[offset + 2];
  const day = b[offset + 3];
  if (year === 0xffff || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  // Some meters leave the time fields unspecified (0xFF) in a date-only stamp: read them as 0.
  const hour = b[offset + 5];
  const minute = b[offset + 6];
  const second = b[offset + 7];
  const h = hour === 0xff ? 0 : hour;
  const m = minute === 0xff ? 0 : minute;
  const s = second === 0xff ? 0 : second;
  if (h > 23 || m > 59 || s > 59) return undefined;
  const two = TWO_DIGITS;
  let iso = (year < 1000 ? pad(year, 4) : '' + year) + '-' + two[month] + '-' + two[day] + 'T' + two[h] + ':' + two[m] + ':' + two[s];
  const hundredths = b[offset + 8];
  if (hundredths > 0 && hundredths < 100) iso += '.' + two[hundredths] + '0';
  const devRaw = (b[offset + 9] << 8) | b[offset + 10];
  if (devRaw === 0x8000) return iso;
  const deviation = devRaw >= 0x8000 ? devRaw - 0x10000 : devRaw;
  if (deviation < -720 || deviation > 720) return iso;
  // ISO offset = -deviation; |deviation| <= 720, so hours < 13
  const abs = deviation < 0 ? -deviation : deviation;
  const hours = (abs / 60) | 0;
  return iso + (deviation > 0 ? '-' : '+') + two[hours] + ':' + two[abs - hours * 60];
}
