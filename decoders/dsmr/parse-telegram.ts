/**
 * DSMR P1 telegram text -> MeterReading.
 *
 * Telegram layout (DSMR P1 Companion Standard 5.0.2, 6.2; DSMR 2.2/3 and e-MUCS alike):
 *
 *   /XXXZ Ident CR LF            header: 3-letter maker flag, baud char, identification
 *   CR LF                        (blank line; Luxembourg omits it)
 *   A-B:C.D.E(value*unit) CR LF  one COSEM object per line, one or more "(...)" groups
 *   (value) CR LF                continuation: a line starting with '(' belongs to the object
 *                                above (DSMR 2.2/3 gas 0-n:24.3.0 puts its value there)
 *   ...
 *   !CRC CR LF                   CRC-16/ARC in 4 hex digits (absent before DSMR 4)
 *
 * The splitter has already validated the frame (and its CRC); this file only reads lines. It
 * never throws on content: an unknown object is counted and skipped, a value that does not
 * parse leaves its field ABSENT (never 0). OBIS codes are matched through the one shared table
 * (../obis/obis-table). Quirks accepted on purpose: "1-0:99:97.0" (':' instead of '.', in the
 * DSMR 4.0 spec example), "1-0:1.8.0*255" and "1-0:31.7.0.255" (F group, EasyMeter and the
 * DSMR 4.2.2 example), lower-case units ("kwh"), W/Wh integer units (Sagemcom T210-D-r).
 *
 * Cost under XS (the device engine meters every bytecode step; native string calls cost about
 * 10 whatever their length): the lines come from one split('\n'); a code in the exact-text index
 * is one property look-up; a number is +digits after a few character checks (value.ts).
 *
 * The parser's interface: parseTelegramText (a full parse, telling an optional LineObserver about
 * every line that has an effect), and the line steps it is made of (startParse, parseLine,
 * settlePending, endParse) for a reader that drives the lines itself. The telegram layout
 * (layout.ts, behind decode-telegram.ts) is such an observer and such a reader; this file knows
 * neither it nor its records.
 */
import type { MeterReading } from '../reading';
import type { ObisEntry } from '../obis/obis-table';
import { lookupObisDsmrText, lookupObisParts, setObisField } from '../obis/obis-table';
import { numberScale, readNumberValue, scaleRounding } from './value';
import { applyObject } from './apply-object';
import { dropEmptyChannels } from './sub-meters';
import type { LineGroups, LineObserver, TextMemo } from './telegram-lines';

export interface ParsedTelegram {
  reading: MeterReading;
  /** Objects whose OBIS code is in the table (whether or not their value parsed). */
  knownObjects: number;
  /** Objects whose OBIS code is not in the table (kept count for diagnostics). */
  unknownObjects: number;
  /** Objects we know whose value did not parse (left absent). */
  badValues: number;
}

/** Working state of one parse, shared by the fast line path and the general one (and a reader driving the lines). */
export interface ParseState {
  text: string;
  reading: MeterReading;
  target: Record<string, unknown>;
  result: ParsedTelegram;
  groups: LineGroups;
  obis: number[];
  /** An object whose groups may continue on the next line: applied when the next object starts. */
  pending: ObisEntry | undefined;
  pendingB: number;
  /** Told about every line that has an effect (see telegram-lines.ts), or undefined. */
  record: LineObserver | undefined;
  /** While observed: the line of the pending object (its groups are told when it is applied), or -1. */
  pendingRecord: number;
  /** While observed: the pending object's memo. */
  pendingMemo: TextMemo | undefined;
}

/**
 * The whole telegram, line by line. `observer` (optional) is told about every line that has an
 * effect (the telegram layout records them, layout.ts).
 */
export function parseTelegramText(text: string, observer?: LineObserver): ParsedTelegram {
  const st = startParse(text, observer);
  // The lines in one native call: under XS a split costs about 1.5 computrons a line, walking
  // the text with indexOf('\n') about 25 (every bytecode step is metered, native scans are not).
  const lines = text.split('\n');
  const count = lines.length;
  const len = text.length;
  let pos = lines[0].length + 1; // start of lines[k] in text (lines[0] is the header)
  let k = 1;
  while (pos < len) {
    const line = lines[k];
    const lineEnd = pos + line.length; // the '\n' (or the end of the text)
    const eol = parseLine(st, line, pos, lineEnd);
    if (eol < 0) break; // '!': end of telegram
    // Next line; a value wrapped over lines moved eol past the lines it took.
    pos = lineEnd + 1;
    k++;
    while (pos <= eol && k < count) {
      pos += lines[k].length + 1;
      k++;
    }
  }
  return endParse(st); // (applies the last pending object: its line is described only now)
}

/** A fresh parse state with the header line read. */
export function startParse(text: string, record: LineObserver | undefined): ParseState {
  const reading: MeterReading = { protocol: 'dsmr' };
  const result: ParsedTelegram = { reading, knownObjects: 0, unknownObjects: 0, badValues: 0 };
  const st: ParseState = {
    text,
    reading,
    target: reading as unknown as Record<string, unknown>,
    result,
    groups: { starts: [], ends: [], count: 0 },
    obis: [0, 0, 0, 0, 0],
    pending: undefined,
    pendingB: 0,
    record,
    pendingRecord: -1,
    pendingMemo: undefined,
  };
  let headerEnd = text.indexOf('\n');
  if (headerEnd < 0) headerEnd = text.length;
  if (headerEnd > 0 && text.charCodeAt(headerEnd - 1) === 13) headerEnd--;
  if (text.charCodeAt(0) === 47) {
    const header = text.slice(1, headerEnd);
    if (header.length > 0) reading.listId = header;
    if (header.length >= 3) reading.manufacturer = header.slice(0, 3);
  }
  return st;
}

/** The end of the telegram: the last pending object applied, the reading's final fields. */
export function endParse(st: ParseState): ParsedTelegram {
  if (st.pending !== undefined) settlePending(st);
  const reading = st.reading;
  if (reading.subMeters !== undefined) dropEmptyChannels(reading);
  if (reading.l2 !== undefined || reading.l3 !== undefined) reading.phaseCount = 3;
  else if (reading.l1 !== undefined) reading.phaseCount = 1;
  reading.frameKind = 'full';
  return st.result;
}

/**
 * One line text[pos, lineEnd) (= `line`). Returns the end of the line, moved past the lines a
 * wrapped value took, or -1 at the '!' line that ends the telegram.
 */
export function parseLine(st: ParseState, line: string, pos: number, lineEnd: number): number {
  // Fast path: "A-B:C.D.E(" with a code from the exact-text index (every object we use, as
  // meters write it). Anything else takes the general path, which has the same rules.
  const open = line.indexOf('(');
  const hit = open > 0 ? lookupObisDsmrText(line.slice(0, open)) : undefined;
  if (hit === undefined) {
    const c = line.charCodeAt(0);
    if (c === 33) return -1; // '!': end of telegram
    return generalLine(st, c, pos, lineEnd);
  }
  if (st.pending !== undefined) settlePending(st);
  const entry = hit.entry;
  const result = st.result;
  // A plain number "(value*unit)" closed on its line is used at once.
  const close = entry.shape === 'number' ? line.indexOf(')', open + 1) : -1;
  if (close < 0) {
    if (st.record !== undefined) observeObject(st, st.record.line(pos, lineEnd), line.slice(0, open + 1), entry, hit.b);
    const eol = collectGroups(st.text, pos + open, lineEnd, st.groups, false);
    result.knownObjects++;
    st.pending = entry;
    st.pendingB = hit.b;
    return eol;
  }
  result.knownObjects++;
  if (close === open + 1) {
    if (st.record !== undefined) st.record.empty(st.record.line(pos, lineEnd), line.slice(0, close));
    return lineEnd;
  }
  const v = readNumberValue(line, open + 1, close, entry.unit);
  const path = entry.field;
  if (v !== v) result.badValues++;
  else if (path.length === 1) st.target[path[0]] = v;
  else setObisField(st.target, path, v);
  if (st.record !== undefined) {
    const i = st.record.line(pos, lineEnd);
    if (v === v) observeNumber(st.record, i, line.slice(0, open + 1), line, pos, open + 1, close, entry);
  }
  return lineEnd;
}

/** Apply the pending multi-group object (its groups are complete: the next object started). */
export function settlePending(st: ParseState): void {
  const g = st.groups;
  const r = st.pendingRecord;
  let memo: TextMemo | undefined;
  if (r >= 0) {
    // Observed: the groups are complete now (continuation lines included).
    const record = st.record as LineObserver;
    record.groups(r, g);
    memo = st.pendingMemo;
    const entry = st.pending as ObisEntry;
    const shape = entry.shape;
    if ((shape === 'text' || shape === 'hex-text') && g.count > 0) record.text(r, shape === 'hex-text', g.starts[0], g.ends[0], entry.field);
    else if (shape === 'time' && g.count > 0) record.time(r, g.starts[0], g.ends[0], entry.field);
    st.pendingRecord = -1;
    st.pendingMemo = undefined;
  }
  if (!applyObject(st.reading, st.pending as ObisEntry, st.pendingB, st.text, g, memo)) st.result.badValues++;
  st.pending = undefined;
  g.count = 0;
}

/**
 * Any line the fast path did not take: continuation "(...)" lines, codes outside the exact-text
 * index ("*255" and ".255" suffixes, "1-0:99:97.0", unknown objects), blank and stray lines.
 * `first` is the line's first character code. Returns the (possibly moved) end of line.
 */
function generalLine(st: ParseState, first: number, pos: number, eol: number): number {
  const text = st.text;
  const result = st.result;
  const record = st.record;
  if (first === 40) {
    // '(' continuation line: more groups for the pending object.
    if (record !== undefined) record.line(pos, eol);
    return collectGroups(text, pos, eol, st.groups, true);
  }
  if (!(first >= 48 && first <= 57)) return eol; // blank lines (NaN) and anything else: skipped
  const r0 = record !== undefined ? record.line(pos, eol) : -1;
  if (st.pending !== undefined) settlePending(st);
  st.groups.count = 0;
  let open = text.indexOf('(', pos);
  let entry: ObisEntry | undefined;
  let b = 0;
  const key = open > pos && open < eol ? text.slice(pos, open) : '';
  if (key !== '' && isPlainObis(key)) {
    // Plain "A-B:C.D.E" not in the index: an object we do not use (the index spells out
    // every B), so skip the digit-by-digit reading.
    entry = undefined;
    if (record !== undefined) record.unknown(r0, key + '(');
  } else {
    const obis = st.obis;
    open = readObis(text, pos, eol, obis);
    if (open >= 0) {
      entry = lookupObisParts(obis[0], obis[1], obis[2], obis[3], obis[4]);
      b = obis[1];
    }
  }
  const close = entry !== undefined && entry.shape === 'number' ? text.indexOf(')', open + 1) : -1;
  // While recording: this line's record (LINE so far). A code read here ("1-0:1.8.0*255",
  // "1-0:99:97.0") depends only on the text before its first "(", so the same text gives the
  // same object: the record can take the same kinds as the fast path.
  const r = open >= 0 ? r0 : -1;
  if (open < 0) {
    result.unknownObjects++;
  } else if (close > open && close < eol) {
    result.knownObjects++;
    if (close > open + 1) {
      const v = readNumberValue(text, open + 1, close, (entry as ObisEntry).unit);
      if (v !== v) result.badValues++;
      else {
        setObisField(st.target, (entry as ObisEntry).field, v);
        if (r >= 0) observeNumber(record as LineObserver, r, text.slice(pos, open + 1), text, 0, open + 1, close, entry as ObisEntry);
      }
    } else if (r >= 0) {
      (record as LineObserver).empty(r, text.slice(pos, open + 1));
    }
  } else if (entry === undefined) {
    result.unknownObjects++;
    if (r >= 0 && (record as LineObserver).undescribed(r)) (record as LineObserver).unknown(r, text.slice(pos, open + 1));
  } else {
    eol = collectGroups(text, open, eol, st.groups, false);
    result.knownObjects++;
    st.pending = entry;
    st.pendingB = b;
    if (r >= 0) observeObject(st, r, text.slice(pos, open + 1), entry, b);
  }
  return eol;
}

/** Tell the observer line i is the plain number s[start, end) (s begins at text position `offset`). */
function observeNumber(record: LineObserver, i: number, key: string, s: string, offset: number, start: number, end: number, entry: ObisEntry): void {
  const scale = numberScale(s, start, end, entry.unit);
  record.number(i, key, offset + start, offset + scale.digitsEnd, scale.factor, scaleRounding(scale.after), entry.field);
}

/** Tell the observer line i holds the object now pending (its groups are told when it is applied). */
function observeObject(st: ParseState, i: number, key: string, entry: ObisEntry, b: number): void {
  st.pendingMemo = (st.record as LineObserver).object(i, key, entry, b);
  st.pendingRecord = i;
}

/** "A-B:C.D.E" with one ':' and two '.', no '*': the only form the exact-text index holds. */
function isPlainObis(key: string): boolean {
  if (key.indexOf('*') >= 0) return false;
  const colon = key.indexOf(':');
  if (colon < 0 || key.indexOf(':', colon + 1) >= 0) return false;
  const d1 = key.indexOf('.', colon);
  const d2 = d1 < 0 ? -1 : key.indexOf('.', d1 + 1);
  return d2 > 0 && key.indexOf('.', d2 + 1) < 0 && key.indexOf('-') > 0;
}

/**
 * Read "A-B:C.D.E" (separators '-', ':', '.', optionally followed by ".F" or "*F") from
 * text[pos, eol) into out; returns the index of the first '(' or -1 when the line is not an
 * object line.
 */
function readObis(text: string, pos: number, eol: number, out: number[]): number {
  let n = 0;
  let value = -1;
  for (let i = pos; i < eol; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = (value < 0 ? 0 : value * 10) + (c - 48);
      continue;
    }
    if (value < 0) return -1;
    if (n < 5) out[n] = value;
    n++;
    value = -1;
    if (c === 40) return n === 5 || n === 6 ? i : -1; // '('
    if (c !== 45 && c !== 58 && c !== 46 && c !== 42) return -1; // - : . *
  }
  return -1;
}

/**
 * Collect "(...)" groups starting at `from`. A group not closed on its line continues on the
 * next one (values wrapped by the meter): the line end then moves to the line holding ')'.
 * Returns the (possibly moved) end of line.
 */
function collectGroups(text: string, from: number, eol: number, g: LineGroups, append: boolean): number {
  if (!append) g.count = 0;
  let p = from;
  for (;;) {
    const open = text.indexOf('(', p);
    if (open < 0 || open >= eol) return eol;
    let close = text.indexOf(')', open + 1);
    if (close < 0) return eol; // unclosed at the end of the telegram: ignore the fragment
    if (close > eol) {
      // Wrapped value: only when no new object starts in between (next '(' comes after ')').
      const nextOpen = text.indexOf('(', open + 1);
      if (nextOpen >= 0 && nextOpen < close) return eol;
      const bang = text.indexOf('!', eol);
      if (bang >= 0 && bang < close) return eol;
      const newEol = text.indexOf('\n', close);
      eol = newEol < 0 ? text.length : newEol;
    }
    g.starts[g.count] = open + 1;
    g.ends[g.count] = close;
    g.count++;
    p = close + 1;
  }
}
