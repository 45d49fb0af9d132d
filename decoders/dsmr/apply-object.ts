/**
 * Apply one DSMR object (its OBIS table entry and its value groups) to the reading, by the
 * entry's value shape. Every shape leaves its field absent when the value does not parse.
 *
 *   number        1-0:31.7.0(002*A)                      -> l1.currentA = 2
 *   text          1-3:0.2.8(50)                          -> dsmrVersion = "50"
 *   hex-text      0-0:96.1.1(4B3845...)                  -> meterId = "K8E..." (raw when not ASCII)
 *   time          0-0:1.0.0(101209113020W)               -> meterTime = "2010-12-09T11:30:20+01:00"
 *   peak          1-0:1.6.0(200509134558S)(02.589*kW)    -> monthPeakTime, monthPeakW
 *   peak-history  0-0:98.1.0(n)(1-0:1.6.0)(1-0:1.6.0)(period)(time)(value)...
 *   failure-log   1-0:99.97.0(n)(0-0:96.7.19)(end)(duration*s)...
 *   mbus-*        see sub-meters.ts
 */
import type { MeterReading, PeakRecord, PowerFailureEvent, SubMeterType } from '../reading';
import type { ObisEntry } from '../obis/obis-table';
import { setObisField } from '../obis/obis-table';
import { hexToPrintableAscii } from '../util/ascii';
import type { LineGroups, TextMemo } from './telegram-lines';
import { subMeter, subMeterType } from './sub-meters';
import { parseDsmrTimestamp } from './timestamp';
// readNumberValue (NaN when readNumber would refuse), not readNumber: no result object per value.
import { readNumberValue, unitOf } from './value';

export function applyObject(reading: MeterReading, entry: ObisEntry, channel: number, text: string, g: LineGroups, memo?: TextMemo): boolean {
  if (g.count === 0) return false;
  const s0 = g.starts[0];
  const e0 = g.ends[0];
  const target = reading as unknown as Record<string, unknown>;
  switch (entry.shape) {
    case 'number': {
      if (e0 === s0) return true; // "()": not sent, not an error
      const v = readNumberValue(text, s0, e0, entry.unit);
      if (v !== v) return false;
      const path = entry.field;
      if (path.length === 1) target[path[0]] = v;
      else setObisField(target, path, v);
      return true;
    }
    case 'text':
    case 'hex-text': {
      // Empty message "()" means "no message": absent, and not an error.
      if (e0 === s0) return true;
      setObisField(target, entry.field, textObjectValue(entry.shape === 'hex-text', text, s0, e0, memo));
      return true;
    }
    case 'time': {
      const t = parseDsmrTimestamp(text, s0, e0);
      if (t === undefined) return false;
      setObisField(target, entry.field, t);
      return true;
    }
    case 'peak': {
      if (g.count < 2) return false;
      // The month's peak changes a few times a month: through the memo (text from the time to the value).
      if (memo !== undefined) {
        const raw = text.slice(s0, g.ends[1]);
        if (memo.raw !== raw) {
          memo.raw = raw;
          memo.value = readNumberValue(text, g.starts[1], g.ends[1], 'W');
          memo.text = parseDsmrTimestamp(text, s0, e0);
        }
        if (memo.value !== memo.value) return false;
        reading.monthPeakW = memo.value;
        if (memo.text !== undefined) reading.monthPeakTime = memo.text;
        return true;
      }
      const w = readNumberValue(text, g.starts[1], g.ends[1], 'W');
      if (w !== w) return false;
      reading.monthPeakW = w;
      const t = parseDsmrTimestamp(text, s0, e0);
      if (t !== undefined) reading.monthPeakTime = t;
      return true;
    }
    case 'peak-history':
      return applyPeakHistory(reading, text, g, memo);
    case 'failure-log':
      return applyFailureLog(reading, text, g, memo);
    case 'mbus-type': {
      // The device type never changes: through the memo, read once per meter.
      let type: number;
      let kind: SubMeterType;
      const raw = memo === undefined ? '' : text.slice(s0, e0);
      if (memo !== undefined && memo.raw === raw) {
        type = memo.value;
        kind = memo.text as SubMeterType;
      } else {
        type = readNumberValue(text, s0, e0, '');
        if (type !== type) return false;
        kind = subMeterType(type);
        if (memo !== undefined) {
          memo.raw = raw;
          memo.value = type;
          memo.text = kind;
        }
      }
      const m = subMeter(reading, channel);
      m.deviceType = type;
      m.type = kind;
      return true;
    }
    case 'mbus-id': {
      if (e0 === s0) return true;
      const raw = text.slice(s0, e0);
      subMeter(reading, channel).id = hexText(raw, memo);
      return true;
    }
    case 'mbus-value':
      // (time)(value*unit)
      if (g.count < 2) return false;
      return applySubMeterValue(reading, channel, text, g, 1, s0, e0, memo);
    case 'mbus-legacy': {
      // (time)(00)(60)(1)(0-n:24.2.1)(unit) + (value) on the next line
      if (g.count < 7) return false;
      const ok = applySubMeterValue(reading, channel, text, g, 6, s0, e0, memo);
      const unit = text.slice(g.starts[5], g.ends[5]);
      if (ok && unit !== '') subMeter(reading, channel).unit = unit;
      return ok;
    }
  }
  return false;
}

/**
 * What a 'text' or 'hex-text' object stores from its first group text[s0, e0) (not empty):
 * the text as sent, or hex-encoded ASCII decoded (line breaks of a wrapped value removed).
 * The telegram layout replays such lines through this function (layout.ts, TEXT records).
 */
export function textObjectValue(hex: boolean, text: string, s0: number, e0: number, memo: TextMemo | undefined): string {
  return hex ? hexText(stripLineBreaks(text.slice(s0, e0)), memo) : text.slice(s0, e0);
}

/** Hex-encoded ASCII decoded when printable, else kept raw; through the memo when one is given. */
function hexText(raw: string, memo: TextMemo | undefined): string {
  if (memo === undefined) return hexToPrintableAscii(raw) ?? raw;
  if (memo.raw !== raw) {
    memo.text = hexToPrintableAscii(raw) ?? raw;
    memo.raw = raw;
  }
  return memo.text as string;
}

/**
 * A sub-meter's (time)(value*unit): value, unit and time are decoded again only when the text
 * from the time to the value changed (the meter reads its gas/water meter every 5 minutes to an
 * hour), through the memo when one is given.
 */
function applySubMeterValue(
  reading: MeterReading,
  channel: number,
  text: string,
  g: LineGroups,
  valueGroup: number,
  timeStart: number,
  timeEnd: number,
  memo: TextMemo | undefined,
): boolean {
  const vs = g.starts[valueGroup];
  const ve = g.ends[valueGroup];
  let value: number;
  let unit: string;
  let t: string | undefined;
  if (memo === undefined) {
    value = readNumberValue(text, vs, ve, '');
    if (value !== value) return false;
    unit = unitOf(text, vs, ve);
    t = parseDsmrTimestamp(text, timeStart, timeEnd);
  } else {
    const raw = text.slice(timeStart, ve);
    if (memo.raw !== raw) {
      memo.raw = raw;
      memo.value = readNumberValue(text, vs, ve, '');
      memo.unit = unitOf(text, vs, ve);
      memo.text = parseDsmrTimestamp(text, timeStart, timeEnd);
    }
    value = memo.value;
    if (value !== value) return false;
    unit = memo.unit as string;
    t = memo.text;
  }
  const m = subMeter(reading, channel);
  m.value = value;
  if (unit !== '') m.unit = unit;
  if (t !== undefined) m.time = t;
  return true;
}

/**
 * 0-0:98.1.0(n)(1-0:1.6.0)(1-0:1.6.0)(period)(peak time)(value*kW) x n
 * e-MUCS: the 13 last monthly peaks. E.ON Hungary sends a bare "(12)": no records, skipped.
 * A record whose time is invalid (e-MUCS "632525252525W" for an empty month) keeps its power
 * and drops only the bad time. Through the memo when the groups' text is the last one's.
 */
function applyPeakHistory(reading: MeterReading, text: string, g: LineGroups, memo: TextMemo | undefined): boolean {
  if (g.count < 3) return g.count === 1; // count only: nothing to store, not an error
  // e-MUCS shape only: (n)(1-0:1.6.0)(1-0:1.6.0)... E.ON Hungary uses 98.1.0 for a billing
  // snapshot "(time)(kWh)(kWh)..." instead: not peaks, leave peakHistory absent.
  if (!isPeakObis(text, g.starts[1], g.ends[1])) return true;
  if (memo === undefined) {
    reading.peakHistory = peakRecords(text, g);
    return true;
  }
  if (!memoHolds(memo, text, g)) memo.list = peakRecords(text, g);
  reading.peakHistory = copyPeaks(memo.list as PeakRecord[]);
  return true;
}

function peakRecords(text: string, g: LineGroups): PeakRecord[] {
  const records: PeakRecord[] = [];
  for (let i = 3; i + 2 < g.count; i += 3) {
    const powerW = readNumberValue(text, g.starts[i + 2], g.ends[i + 2], 'W');
    if (powerW !== powerW) continue;
    const rec: PeakRecord = { powerW };
    const period = parseDsmrTimestamp(text, g.starts[i], g.ends[i]);
    if (period !== undefined) rec.periodTime = period;
    const at = parseDsmrTimestamp(text, g.starts[i + 1], g.ends[i + 1]);
    if (at !== undefined) rec.peakTime = at;
    records.push(rec);
  }
  return records;
}

/** A fresh copy for the reading (the memo's list must not be shared with what consumers hold), same keys in the same order. */
function copyPeaks(list: PeakRecord[]): PeakRecord[] {
  const out: PeakRecord[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    const c: PeakRecord = { powerW: r.powerW };
    if (r.periodTime !== undefined) c.periodTime = r.periodTime;
    if (r.peakTime !== undefined) c.peakTime = r.peakTime;
    out.push(c);
  }
  return out;
}

/** 1-0:99.97.0(n)(0-0:96.7.19)(end time)(duration*s) x n. Events with an invalid end are skipped. */
function applyFailureLog(reading: MeterReading, text: string, g: LineGroups, memo: TextMemo | undefined): boolean {
  if (memo === undefined || g.count < 4) {
    // (Without entries there is nothing to memoize: "(0)(0-0:96.7.19)" decodes faster than a memo check.)
    const events: PowerFailureEvent[] = [];
    const ok = failureEvents(text, g, events);
    reading.powerFailureLog = events;
    return ok;
  }
  if (!memoHolds(memo, text, g)) {
    const events: PowerFailureEvent[] = [];
    memo.listOk = failureEvents(text, g, events);
    memo.list = events;
  }
  const list = memo.list as PowerFailureEvent[];
  const events: PowerFailureEvent[] = [];
  for (let i = 0; i < list.length; i++) events.push({ endTime: list[i].endTime, durationS: list[i].durationS });
  reading.powerFailureLog = events;
  return memo.listOk === true;
}

/** Fills `events`; false when an entry was invalid (skipped). */
function failureEvents(text: string, g: LineGroups, events: PowerFailureEvent[]): boolean {
  let ok = true;
  for (let i = 2; i + 1 < g.count; i += 2) {
    const end = parseDsmrTimestamp(text, g.starts[i], g.ends[i]);
    const durationS = readNumberValue(text, g.starts[i + 1], g.ends[i + 1], 's');
    if (end === undefined || durationS !== durationS) {
      ok = false;
      continue;
    }
    events.push({ endTime: end, durationS });
  }
  return ok;
}

/**
 * Does the memo hold the list of these groups? True when the text from the first group's start
 * to the last group's end and the group count are the last ones' (then the groups, relative to
 * that text, are too); otherwise the memo is keyed to them and its list must be decoded again.
 */
function memoHolds(memo: TextMemo, text: string, g: LineGroups): boolean {
  const raw = g.count === 0 ? '' : text.slice(g.starts[0], g.ends[g.count - 1]);
  if (memo.list !== undefined && memo.raw === raw && memo.value === g.count) return true;
  memo.raw = raw;
  memo.value = g.count;
  return false;
}

/** "1-0:1.6.0" (any B) in text[start, end). */
function isPeakObis(text: string, start: number, end: number): boolean {
  return end - start >= 9 && text.charCodeAt(start + 1) === 45 && text.slice(end - 5, end) === '1.6.0';
}

function stripLineBreaks(s: string): string {
  return s.indexOf('\n') < 0 ? s : s.split('\r').join('').split('\n').join('');
}
