/**
 * The layout of the last telegram a meter sent, so the next one can be read without parsing
 * every line again (readTelegram, what decode-telegram.ts calls for a meter stream). It sits
 * behind the parser's interface: the parser (parse-telegram.ts) tells a LineObserver about the
 * lines of a full parse and offers its line steps; it knows nothing of skeletons or records.
 * Kept because the bench bound needs it (BENCHMARKS.md: a DSMR telegram costs about 2.5 times
 * as much parsed in full).
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
 *   TEXT    an APPLY object of shape 'text' or 'hex-text' (version, equipment id, message):
 *           compared, then its text stored at once (hex decoded through the memo).
 *   TIME    an APPLY object of shape 'time' (the telegram time stamp 0-0:1.0.0): compared, then
 *           its first group parsed as a time stamp and stored, without the applyObject dispatch.
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
 * telegram (bounded by the splitter's maxFrameBytes): about 190 XS slots and the skeleton
 * string for a 40-line DSMR 5 telegram.
 *
 * Cost under XS (bench, telegram_v5, 890 bytes): full parse 30 computrons a byte, replay 12
 * (skeleton 1.2 of it). The replay does not depend on which digits changed, so a real meter's
 * telegrams (new time stamp and powers every second) cost what the bench's repeated capture does.
 */
import type { FieldPath, ObisEntry } from '../obis/obis-table';
import { setObisField } from '../obis/obis-table';
import { applyObject, textObjectValue } from './apply-object';
import { endParse, parseLine, parseTelegramText, settlePending, startParse, type ParsedTelegram } from './parse-telegram';
import type { LineGroups, LineObserver, TextMemo } from './telegram-lines';
import { parseDsmrTimestamp } from './timestamp';

const LINE = 0;
const NUMBER = 1;
const EMPTY = 2;
const APPLY = 3;
const UNKNOWN = 4;
const TEXT = 5;
const TIME = 6;

/**
 * The records, one index per line that has an effect, kept compact (the device has little
 * heap): the numbers in typed arrays (chunk memory, not XS slots), the references in four plain
 * arrays. A field per array keeps the replay's reads as cheap as property reads.
 */
interface LayoutRecords<N, F> {
  count: number;
  /** LINE, NUMBER, EMPTY, APPLY, UNKNOWN, TEXT or TIME. */
  kind: N;
  /** The line text[pos, end) (end: its '\n' or the end of the text), its code text[pos, keyEnd). */
  pos: N;
  end: N;
  keyEnd: N;
  /** NUMBER: the digits text[from, to); TEXT, TIME: its group. APPLY: `from` holds the object's channel (B). */
  from: N;
  to: N;
  /** NUMBER: the factor (1: as sent) and the rounding (value.ts scaleRounding). TEXT: factor 1 = hex. */
  factor: F;
  pow: F;
  /** The code text with its "(": "1-0:21.7.0(". */
  key: string[];
  /** NUMBER, TEXT, TIME: the field as reading[top] or reading[top][sub]. APPLY: the OBIS entry and its groups. */
  top: unknown[];
  sub: unknown[];
  /** APPLY: the memo of its decoded value (hex id, sub-meter capture time; apply-object.ts). */
  memo: (TextMemo | undefined)[];
}

/** Records being taken during a full parse (plain arrays; compacted by TelegramLayout.replace). */
class LayoutRecorder implements LayoutRecords<number[], number[]>, LineObserver {
  count = 0;
  kind: number[] = [];
  pos: number[] = [];
  end: number[] = [];
  keyEnd: number[] = [];
  from: number[] = [];
  to: number[] = [];
  factor: number[] = [];
  pow: number[] = [];
  key: string[] = [];
  top: unknown[] = [];
  sub: unknown[] = [];
  memo: (TextMemo | undefined)[] = [];

  /** A new record (LINE until told otherwise); returns its index. */
  line(pos: number, end: number): number {
    const i = this.count++;
    this.kind[i] = LINE;
    this.pos[i] = pos;
    this.end[i] = end;
    this.keyEnd[i] = pos;
    this.from[i] = 0;
    this.to[i] = 0;
    this.factor[i] = 1;
    this.pow[i] = 1;
    this.key[i] = '';
    this.top[i] = undefined;
    this.sub[i] = undefined;
    this.memo[i] = undefined;
    return i;
  }

  undescribed(i: number): boolean {
    return this.kind[i] === LINE;
  }

  /** Make record i a `kind` record checked by its code text `key` (which starts the line). */
  private keyed(i: number, kind: number, key: string): void {
    this.kind[i] = kind;
    this.keyEnd[i] = this.pos[i] + key.length;
    this.key[i] = key;
  }

  number(i: number, key: string, from: number, to: number, factor: number, pow: number, field: FieldPath): void {
    this.keyed(i, NUMBER, key);
    this.from[i] = from;
    this.to[i] = to;
    this.factor[i] = factor;
    this.pow[i] = pow;
    this.top[i] = field[0];
    this.sub[i] = field.length > 1 ? field[1] : undefined;
  }

  empty(i: number, key: string): void {
    this.keyed(i, EMPTY, key);
  }

  unknown(i: number, key: string): void {
    this.keyed(i, UNKNOWN, key);
  }

  /** APPLY: the object and its channel; its groups come when it is applied (see groups()). */
  object(i: number, key: string, entry: ObisEntry, channel: number): TextMemo {
    this.keyed(i, APPLY, key);
    this.from[i] = channel;
    this.top[i] = entry;
    const memo: TextMemo = { raw: ')', text: undefined, value: 0 };
    this.memo[i] = memo;
    return memo;
  }

  groups(i: number, g: LineGroups): void {
    this.sub[i] = { starts: g.starts.slice(0, g.count), ends: g.ends.slice(0, g.count), count: g.count };
  }

  /** APPLY -> TEXT: a 'text' / 'hex-text' object whose first group is text[s0, e0). */
  text(i: number, hex: boolean, s0: number, e0: number, field: FieldPath): void {
    this.kind[i] = TEXT;
    this.from[i] = s0;
    this.to[i] = e0;
    this.factor[i] = hex ? 1 : 0;
    this.top[i] = field[0];
    this.sub[i] = field.length > 1 ? field[1] : undefined;
  }

  /** APPLY -> TIME: a 'time' object whose first group is text[s0, e0). */
  time(i: number, s0: number, e0: number, field: FieldPath): void {
    this.kind[i] = TIME;
    this.from[i] = s0;
    this.to[i] = e0;
    this.top[i] = field[0];
    this.sub[i] = field.length > 1 ? field[1] : undefined;
  }
}

/**
 * The telegram text read with the meter's layout: replayed from the previous telegram's records
 * when it has the same skeleton, else parsed in full (parse-telegram.ts) with its lines recorded
 * for the next one. The same result either way; decode-telegram.ts calls this for every telegram
 * of a meter stream.
 */
export function readTelegram(text: string, layout: TelegramLayout): ParsedTelegram {
  const skeleton = layout.skeletonFor(text);
  if (skeleton === undefined) return parseTelegramText(text);
  if (skeleton === layout.skeleton) {
    const replayed = replay(text, layout.records as LayoutRecords<Int32Array, Float64Array>);
    if (replayed !== undefined) {
      layout.hit();
      return replayed;
    }
  }
  const recorder = new LayoutRecorder();
  const parsed = parseTelegramText(text, recorder); // (the last pending object is applied, its record complete, at the end)
  layout.replace(skeleton, recorder);
  return parsed;
}

/**
 * The lines of a telegram with the same skeleton as the recorded one, in the same order, with
 * the same effects as parseLine (through the parser's line steps, parse-telegram.ts). undefined
 * when a code differs (nothing is kept: the caller parses in full).
 */
function replay(text: string, r: LayoutRecords<Int32Array, Float64Array>): ParsedTelegram | undefined {
  const st = startParse(text, undefined);
  const target = st.target;
  const result = st.result;
  const { kind, pos, end, keyEnd, from, to, factor, pow, key, top, sub } = r;
  const count = r.count;
  let known = 0; // known NUMBER and TEXT objects, added to the result at the end (a local is cheaper)
  for (let i = 0; i < count; i++) {
    const k = kind[i];
    if (k === NUMBER) {
      // The code as text (slice + === is cheaper under XS than startsWith).
      if (text.slice(pos[i], keyEnd[i]) !== key[i]) return undefined;
      if (st.pending !== undefined) settlePending(st);
      known++;
      // readNumberValue's arithmetic without its checks (the skeleton vouches for the form):
      // +digits, then scaleValue inlined (a call costs more than the rounding under XS).
      let v = +text.slice(from[i], to[i]);
      const f = factor[i];
      if (f !== 1) {
        const scaled = v * f;
        const p = pow[i];
        v = p === 1 ? Math.round(scaled) : p > 0 ? Math.round(scaled * p) / p : scaled;
      }
      // setObisField inlined.
      const field = top[i] as string;
      const s = sub[i] as string | number | undefined;
      if (s === undefined) target[field] = v;
      else {
        let holder = target[field] as Record<string | number, unknown> | undefined;
        if (holder === undefined) {
          holder = (typeof s === 'number' ? [] : {}) as Record<string | number, unknown>;
          target[field] = holder;
        }
        holder[s] = v;
      }
      continue;
    }
    if (k === LINE) {
      parseLine(st, text.slice(pos[i], end[i]), pos[i], end[i]);
      continue;
    }
    if (text.slice(pos[i], keyEnd[i]) !== key[i]) return undefined;
    if (st.pending !== undefined) settlePending(st);
    if (k === TEXT) {
      known++;
      const s0 = from[i];
      const e0 = to[i];
      if (s0 === e0) continue; // "()": nothing sent
      let v: string;
      if (factor[i] === 0) v = text.slice(s0, e0);
      else {
        const memo = r.memo[i] as TextMemo;
        const raw = text.slice(s0, e0);
        v = raw === memo.raw ? (memo.text as string) : textObjectValue(true, text, s0, e0, memo);
      }
      const field = top[i] as string;
      const s = sub[i] as string | number | undefined;
      if (s === undefined) target[field] = v;
      else setObisField(target, [field, s], v);
    } else if (k === APPLY) {
      result.knownObjects++;
      if (!applyObject(st.reading, top[i] as ObisEntry, from[i], text, sub[i] as LineGroups, r.memo[i])) result.badValues++;
    } else if (k === EMPTY) {
      result.knownObjects++;
    } else if (k === UNKNOWN) {
      st.groups.count = 0;
      result.unknownObjects++;
    } else {
      // TIME (once a telegram, so tested last): applyObject's 'time' case without its dispatch.
      result.knownObjects++;
      const t = parseDsmrTimestamp(text, from[i], to[i]);
      if (t === undefined) result.badValues++;
      else {
        const field = top[i] as string;
        const s = sub[i] as string | number | undefined;
        if (s === undefined) target[field] = t;
        else setObisField(target, [field, s], t);
      }
    }
  }
  result.knownObjects += known;
  return endParse(st);
}

const MISSES_BEFORE_REST = 3;
const REST_TELEGRAMS = 16;

export class TelegramLayout {
  /** Skeleton of the telegram the records come from (undefined: none yet). */
  skeleton: string | undefined = undefined;
  records: LayoutRecords<Int32Array, Float64Array> | undefined = undefined;
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
  replace(skeleton: string, recorder: LayoutRecorder): void {
    this.skeleton = skeleton;
    this.records = compact(recorder);
    if (++this.misses >= MISSES_BEFORE_REST) {
      this.misses = 0;
      this.resting = REST_TELEGRAMS;
    }
  }
}

function compact(r: LayoutRecorder): LayoutRecords<Int32Array, Float64Array> {
  return {
    count: r.count,
    kind: Int32Array.from(r.kind),
    pos: Int32Array.from(r.pos),
    end: Int32Array.from(r.end),
    keyEnd: Int32Array.from(r.keyEnd),
    from: Int32Array.from(r.from),
    to: Int32Array.from(r.to),
    factor: Float64Array.from(r.factor),
    pow: Float64Array.from(r.pow),
    key: r.key,
    top: r.top,
    sub: r.sub,
    memo: r.memo,
  };
}

/** The text with every digit as '0'. */
export function skeletonOf(text: string): string {
  return text
    .replaceAll('1', '0')
    .replaceAll('2', '0')
    .replaceAll('3', '0')
    .replaceAll('4', '0')
    .replaceAll('5', '0')
    .replaceAll('6', '0')
    .replaceAll('7', '0')
    .replaceAll('8', '0')
    .replaceAll('9', '0');
}
