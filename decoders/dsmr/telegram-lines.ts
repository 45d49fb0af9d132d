/**
 * The types the DSMR line reader shares with what consumes its lines (types only, no code, so
 * that every module of the reader can depend on it and it on nothing):
 *
 *   LineGroups    the "(...)" groups of one object, as text positions (parse-telegram.ts reads
 *                 them, apply-object.ts applies them)
 *   TextMemo      the last raw value of one line and what it decoded to (apply-object.ts)
 *   LineObserver  what a full parse tells an observer about each line that has an effect: the
 *                 telegram layout (layout.ts) records them to replay the next telegram. The parser
 *                 knows the interface, never the layout.
 */
import type { FieldPath, ObisEntry } from '../obis/obis-table';
import type { PeakRecord, PowerFailureEvent } from '../reading';

/** Group bounds of one object, reused across lines: group k is text[starts[k], ends[k]). */
export interface LineGroups {
  starts: number[];
  ends: number[];
  count: number;
}

/**
 * The last raw value of one line and what it decoded to. A telegram layout (layout.ts) keeps
 * one per object line: equipment ids (hex) never change, and a sub-meter's capture time changes
 * only when the meter reads the gas/water/heat meter again (every 5 minutes to an hour), so
 * they are decoded once, not every telegram. raw starts as ")", which no group text holds.
 */
export interface TextMemo {
  raw: string;
  text: string | undefined;
  /** mbus-type: the device type number (text holds its SubMeterType). peak-history, failure-log: the group count. */
  value: number;
  /**
   * peak-history, failure-log: the list decoded from `raw` and whether every entry was valid. The
   * 13 monthly peaks and the failure log change once a month or after an outage, but decoding them
   * costs two time stamps an entry (about 4,500 XS computrons for e-MUCS's 13 peaks).
   */
  list?: PeakRecord[] | PowerFailureEvent[];
  listOk?: boolean;
  /** mbus-value, mbus-legacy: the unit (value holds the number, text the capture time). */
  unit?: string;
}

/**
 * Told by a full parse, in text order, about every line that has an effect. Each line is first
 * announced (`line`, its index returned) and then, when the parser learns it, described: a plain
 * number, an object with "()", an object we do not use, or an object applied from its groups
 * (and, once those are complete, its groups and whether it was plain text or a time stamp).
 * `key` is the line's code with its "(" ("1-0:21.7.0("); positions are in the telegram text.
 */
export interface LineObserver {
  line(pos: number, end: number): number;
  /** Line i is still only announced (no description yet). */
  undescribed(i: number): boolean;
  /** A plain number: its digits text[from, to), scaled by `factor` and rounded by `pow` (value.ts), stored at `field`. */
  number(i: number, key: string, from: number, to: number, factor: number, pow: number, field: FieldPath): void;
  empty(i: number, key: string): void;
  unknown(i: number, key: string): void;
  /** An object applied from its groups (channel = its OBIS B); returns the memo the parser applies it with. */
  object(i: number, key: string, entry: ObisEntry, channel: number): TextMemo;
  /** The object's groups, complete; then, for a 'text' / 'hex-text' or 'time' object, its first group. */
  groups(i: number, g: LineGroups): void;
  text(i: number, hex: boolean, s0: number, e0: number, field: FieldPath): void;
  time(i: number, s0: number, e0: number, field: FieldPath): void;
}
