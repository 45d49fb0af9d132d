/**
 * The layout of the last telegram a meter sent, so the next one can be read without parsing
 * every line again.
 *
 * A meter sends the same lines in the same order every second or ten, and DSMR pads its values
 * to fixed widths ("1-0:21.7.0(00.070*kW)"): consecutive telegrams usually differ only in
 * digits. The "skeleton" of a telegram is its text with every digit replaced by '0' (nine
 * native replaceAll calls, about 1.2 XS computrons a byte). When two telegrams have the same
 * skeleton, every line, "(", ")", "*", unit and decimal point is in the same place, and every
 * value that was a valid number is still one, with the same unit and decimals; only the digits
 * can differ. What depends on digits is then re-checked or re-read:
 *
 *   NUMBER  a plain number line: its code ("1-0:21.7.0(") is compared as text (the code is
 *           digits), then +digits and the recorded scaling, exactly as readNumberValue does.
 *   EMPTY   a known code with "()": the code is compared; nothing else to read.
 *   APPLY   any other known code (time stamps, ids, texts, sub-meters, multi-group and wrapped
 *           values): the code is compared, then the object is applied from its recorded "(...)"
 *           groups (their places are structure). The full parse applies such an object when the
 *           next object starts; nothing has an effect in between, so applying it at once keeps
 *           the order of the fields. Hex ids are decoded through a memo (they never change).
 *   UNKNOWN a plain code we do not use: compared, counted.
 *   LINE    anything else (continuation lines, codes outside the exact-text index such as
 *           "1-0:1.8.0*255"): parsed again by the general line code.
 *
 * A code that no longer matches abandons the replay and the telegram is parsed in full (and
 * recorded). Lines that have no effect (blank, stray text) are not recorded: with the same
 * skeleton they still start with the same non-digit character. A meter whose skeleton keeps
 * changing (values without zero padding that change width) stops paying for skeletons: after
 * MISSES_BEFORE_REST misses in a row the layout rests for REST_TELEGRAMS telegrams.
 *
 * One layout per splitter (per meter stream), created at run time; it holds the records of one
 * telegram (bounded by the splitter's maxFrameBytes).
 */
import type { ObisEntry } from '../obis/obis-table';
import type { HexMemo } from './apply-object';
import type { LineGroups } from './parse-telegram';

export const LINE = 0;
export const NUMBER = 1;
export const EMPTY = 2;
export const APPLY = 3;
export const UNKNOWN = 4;

export interface LineRecord {
  kind: number;
  /** Start of the line in the telegram text, and its end ('\n' or the end of the text). */
  pos: number;
  end: number;
  /** NUMBER / EMPTY / APPLY / UNKNOWN: the code as sent, with its "(": "1-0:21.7.0(", and its end. */
  key: string;
  keyEnd: number;
  /** NUMBER: the digits text[from, to), the scaling (factor 1: as sent; see scaleRounding). */
  from: number;
  to: number;
  factor: number;
  pow: number;
  /** NUMBER: the field, as setObisField takes it: reading[top] or reading[top][sub]. */
  top: string;
  sub: string | number | undefined;
  /** APPLY: the object, its channel (B), its groups as they were when it was applied. */
  entry: ObisEntry | undefined;
  b: number;
  groups: LineGroups | undefined;
  memo: HexMemo | undefined;
}

const MISSES_BEFORE_REST = 3;
const REST_TELEGRAMS = 16;

export class TelegramLayout {
  /** Skeleton of the telegram the records come from ('' = none yet). */
  skeleton = '';
  records: LineRecord[] = [];
  private misses = 0;
  private resting = 0;

  /** The skeleton to look for, or undefined while resting (then parse in full, record nothing). */
  skeletonFor(text: string): string | undefined {
    if (this.resting > 0) {
      this.resting--;
      return undefined;
    }
    return skeletonOf(text);
  }

  /** The records were replayed. */
  hit(): void {
    this.misses = 0;
  }

  /** The telegram did not fit: keep the records of its full parse instead. */
  replace(skeleton: string, records: LineRecord[]): void {
    this.skeleton = skeleton;
    this.records = records;
    if (++this.misses >= MISSES_BEFORE_REST) {
      this.misses = 0;
      this.resting = REST_TELEGRAMS;
    }
  }
}

/** The text with every digit as '0'. */
export function skeletonOf(text: string): string {
  return text
    .replaceAll('1', '0').replaceAll('2', '0').replaceAll('3', '0').replaceAll('4', '0').replaceAll('5', '0')
    .replaceAll('6', '0').replaceAll('7', '0').replaceAll('8', '0').replaceAll('9', '0');
}
