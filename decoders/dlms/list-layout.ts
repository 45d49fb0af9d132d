/**
 * Layout replay for the HAN list reader (push-list.ts, behind its read()): a meter pushes the
 * same lists every time (the same tags, lengths, counts, OBIS names, scaler_units; only the
 * values move), so a list whose bytes equal a remembered list's everywhere but in its values is
 * not parsed again. The reader's item arrays of that list are put back and only the values are
 * read again, at the offsets the full read recorded.
 *
 *   layout   the list's bytes [start, next) as the full read saw them, with the value bytes
 *            zeroed ("regions"): the content (`at`, `len`) of every number, boolean,
 *            octet-string, string and date-time item, except 6-byte octet-strings (OBIS names:
 *            an interleaved list's names are items of their own). Everything else is kept: tags,
 *            lengths, counts, tagged-structure headers and names, scaler_units, descriptors,
 *            nested values.
 *   match    the same start, end and length, and the new bytes with the same regions zeroed
 *            equal to the layout, compared eight bytes at a time (Float64Array words).
 *
 * Exact: the full read's item arrays depend only on the bytes a layout keeps. A value's bytes go
 * into `value` and nowhere else; an octet-string's content is only pointed at (`at`, `len`) and
 * read by the mappers, which read it again from the new frame; nothing the reader decides (tags,
 * bounds, names of described lists, scaler_units) looks at a region. So a match gives the arrays
 * the full read would give, and `value` is read again by the reader's own rules
 * (PushList.replay). Float64 words compare as numbers: two words with the same bytes that are
 * NaN compare unequal (then their two halves are compared as integers), and +0 equals -0 (so the
 * layout's zero words are compared as integers too); any other difference is a difference in the
 * bytes.
 *
 * Bounded: LAYOUTS layouts (a meter's list 1, 2 and 3), each at most MAX_LAYOUT_BYTES bytes,
 * the oldest replaced. Made at run time per reader, never module state. Kept because the bench
 * bound needs it (BENCHMARKS.md, "Issue 13's bounds": what it buys).
 */

import { ITEM_BOOLEAN, ITEM_NUMBER, ITEM_OCTETS, ITEM_TEXT, LIST_CAPACITY } from './list-items';

/** The reader's per-item arrays a layout keeps and puts back (push-list.ts owns their meaning). */
export interface ListArrays {
  readonly kind: Uint8Array;
  readonly type: Uint8Array;
  readonly at: Int32Array;
  readonly len: Int32Array;
  readonly nameAt: Int32Array;
  readonly hasUnit: Uint8Array;
  readonly scaler: Int8Array;
  readonly unit: Uint8Array;
  readonly attribute: Uint8Array;
}

const LAYOUTS = 3;
/**
 * A reader whose lists keep missing (a layout that changes every time) stops paying for layouts:
 * after MISSES_BEFORE_REST lists kept in a row without a match, no list is matched or kept for
 * the next REST_READS reads. A meter's usual lists (up to LAYOUTS of them) miss once each.
 */
const MISSES_BEFORE_REST = 8;
const REST_READS = 64;
/** Longer lists are always read in full (the longest real ones: ~750 bytes, Iskra AM550 CH). */
export const MAX_LAYOUT_BYTES = 1024;

export class ListLayout {
  start = 0;
  end = 0;
  /** Length of [start, next): what read() returned, less start. */
  length = 0;
  count = 0;
  listTag = 0;
  tagged = 0;
  named = 0;
  described = false;
  descriptorCount = 0;
  /** The layout bytes, whole 8-byte words (the tail past `length` zero). */
  words: Float64Array = new Float64Array(0);
  /** The words of `words` that are +0 or -0 as doubles (compared by their bits). */
  zeroWords: Int32Array = new Int32Array(0);
  /** The value regions, relative to start: from, to, from, to... */
  regions: Int32Array = new Int32Array(0);
  /** Items whose value is read again on a match. */
  numbers: Uint8Array = new Uint8Array(0);
  /**
   * The reader's arrays for the layout's `count` items, in one buffer (a typed array and its buffer
   * cost XS slots each; restore() makes the views): at, len, nameAt (32-bit, count each), then
   * kind, type, hasUnit, scaler, unit, attribute (a byte each).
   */
  saved: ArrayBuffer | undefined = undefined;
  /** What a list shape worked out from this layout alone (PushList.layoutMemo), or undefined. */
  memo: unknown = undefined;
  /** Order of use, for replacing the oldest. */
  used = 0;
}

/**
 * A copy of b[from, from + length) and what follows it up to whole 8-byte words (zeros past the
 * end of b's buffer), in a new ArrayBuffer; undefined when b is no ArrayBuffer view. The bytes past
 * `length` are a value region of every layout (zeroed before any comparison).
 */
function wordCopy(b: Uint8Array, from: number, length: number): ArrayBuffer | undefined {
  const buffer = b.buffer as ArrayBuffer;
  // (ArrayBuffer.prototype.slice copies natively for a flat ~25 XS computrons; a typed array's
  // slice or set is metered per byte. A Moddable HostBuffer has no slice: no replay then.)
  if (typeof buffer.slice !== 'function') return undefined;
  const at = b.byteOffset + from;
  const whole = (length + 7) & ~7;
  if (at + whole <= buffer.byteLength) return buffer.slice(at, at + whole);
  const copy = new ArrayBuffer(whole);
  new Uint8Array(copy).set(new Uint8Array(buffer.slice(at, at + length)));
  return copy;
}

/** Word k of x and y hold the same bytes (checked as two 32-bit integers). */
function sameBits(x: Float64Array, y: Float64Array, k: number): boolean {
  const xi = new Uint32Array(x.buffer, k * 8, 2);
  const yi = new Uint32Array(y.buffer, k * 8, 2);
  return xi[0] === yi[0] && xi[1] === yi[1];
}

/** Zero bytes[regions[q], regions[q + 1]) for the first m entries of regions (pairs), two pairs a loop turn. */
function zeroRegions(bytes: Uint8Array, regions: Int32Array, m: number): void {
  let r = 0;
  for (; r + 3 < m; r += 4) {
    bytes.fill(0, regions[r], regions[r + 1]);
    bytes.fill(0, regions[r + 2], regions[r + 3]);
  }
  if (r < m) bytes.fill(0, regions[r], regions[r + 1]);
}

/** The first `bytes` bytes of a typed array's own buffer, copied (flat under XS). */
function bufferHead(buffer: ArrayBufferLike, bytes: number): ArrayBuffer {
  return (buffer as ArrayBuffer).slice(0, bytes);
}

/** The remembered layouts of one reader. */
export class ListLayouts {
  private readonly layouts: ListLayout[] = [];
  private clock = 0;
  // (scratch for remember(), made on its first call: a stream has a reader per HAN link layer
  // and only the one its meter uses keeps layouts; a list has at most LIST_CAPACITY items, a layout
  // at most MAX_LAYOUT_BYTES bytes)
  private regionScratch: Int32Array | undefined = undefined;
  private numberScratch: Uint8Array | undefined = undefined;
  private zeroScratch: Int32Array | undefined = undefined;
  /** The layout whose arrays the reader holds now (undefined after a full read that was not kept). */
  current: ListLayout | undefined = undefined;

  /** Lists kept since the last match; reads left to rest (see MISSES_BEFORE_REST). */
  private misses = 0;
  private rest = 0;

  /** False while the layouts rest: the list is read in full and not kept. */
  active(): boolean {
    if (this.rest === 0) return true;
    this.rest--;
    return false;
  }

  /** The layout that b[start, end) matches, or undefined. */
  match(b: Uint8Array, start: number, end: number): ListLayout | undefined {
    const layouts = this.layouts;
    for (let k = 0; k < layouts.length; k++) {
      const layout = layouts[k];
      if (layout.start !== start || layout.end !== end) continue;
      if (this.same(layout, b)) {
        layout.used = ++this.clock;
        this.misses = 0;
        return layout;
      }
    }
    return undefined;
  }

  private same(layout: ListLayout, b: Uint8Array): boolean {
    const copy = wordCopy(b, layout.start, layout.length);
    if (copy === undefined) return false;
    zeroRegions(new Uint8Array(copy), layout.regions, layout.regions.length);
    const x = new Float64Array(copy);
    const y = layout.words;
    const n = y.length;
    // Two words a turn (a loop turn costs XS about as much as a word). Words that differ as
    // doubles may still hold the same bytes (NaN): their bits decide. Words equal as doubles hold
    // the same bytes unless they are +0 and -0: the layout's zero words are checked by their bits.
    let k = 0;
    for (; k + 3 < n; k += 4) {
      if (x[k] !== y[k] || x[k + 1] !== y[k + 1] || x[k + 2] !== y[k + 2] || x[k + 3] !== y[k + 3]) {
        if (!(sameBits(x, y, k) && sameBits(x, y, k + 1) && sameBits(x, y, k + 2) && sameBits(x, y, k + 3))) return false;
      }
    }
    for (; k < n; k++) if (x[k] !== y[k] && !sameBits(x, y, k)) return false;
    const zeros = layout.zeroWords;
    for (let z = 0; z < zeros.length; z++) if (!sameBits(x, y, zeros[z])) return false;
    return true;
  }

  /**
   * Remember the list a full read just read (b[start, next) within end): its layout and the
   * reader's arrays for its `count` items. Lists longer than MAX_LAYOUT_BYTES are not kept.
   */
  remember(
    b: Uint8Array,
    start: number,
    end: number,
    next: number,
    arrays: ListArrays,
    head: { count: number; listTag: number; tagged: number; named: number; described: boolean; descriptorCount: number },
  ): void {
    this.current = undefined;
    if (++this.misses > MISSES_BEFORE_REST) {
      this.misses = 0;
      this.rest = REST_READS;
      return;
    }
    const length = next - start;
    if (length <= 0 || length > MAX_LAYOUT_BYTES) return;
    const copy = wordCopy(b, start, length);
    if (copy === undefined) return;
    const count = head.count;
    const kind = arrays.kind;
    const at = arrays.at;
    const len = arrays.len;
    // value regions and the items read again, into scratch arrays, then copied out at once
    if (this.regionScratch === undefined) {
      this.regionScratch = new Int32Array(2 * LIST_CAPACITY + 2);
      this.numberScratch = new Uint8Array(LIST_CAPACITY);
      this.zeroScratch = new Int32Array(MAX_LAYOUT_BYTES / 8);
    }
    const regions = this.regionScratch;
    const numbers = this.numberScratch as Uint8Array;
    let r = 0;
    let m = 0;
    for (let i = 0; i < count; i++) {
      const k = kind[i];
      if (k === ITEM_NUMBER || k === ITEM_BOOLEAN || k === ITEM_OCTETS || k === ITEM_TEXT) {
        const n = len[i];
        if (n > 0 && !(k === ITEM_OCTETS && n === 6)) {
          const from = at[i] - start;
          regions[r++] = from;
          regions[r++] = from + n;
        }
        if (k === ITEM_NUMBER || k === ITEM_BOOLEAN) numbers[m++] = i;
      }
    }
    // (the bytes after the list, up to whole words)
    const whole = (length + 7) & ~7;
    if (whole > length) {
      regions[r++] = length;
      regions[r++] = whole;
    }
    zeroRegions(new Uint8Array(copy), regions, r);
    const words = new Float64Array(copy);
    const zeros = this.zeroScratch as Int32Array;
    let z = 0;
    for (let w = 0; w < words.length; w++) if (words[w] === 0) zeros[z++] = w;
    let layout: ListLayout;
    if (this.layouts.length < LAYOUTS) {
      layout = new ListLayout();
      this.layouts.push(layout);
    } else {
      layout = this.layouts[0];
      for (let k = 1; k < this.layouts.length; k++) if (this.layouts[k].used < layout.used) layout = this.layouts[k];
    }
    layout.start = start;
    layout.end = end;
    layout.length = length;
    layout.count = count;
    layout.listTag = head.listTag;
    layout.tagged = head.tagged;
    layout.named = head.named;
    layout.described = head.described;
    layout.descriptorCount = head.descriptorCount;
    layout.words = words;
    // (copies through ArrayBuffer.prototype.slice: flat under XS, where a typed array's slice or
    // from costs per element)
    layout.zeroWords = new Int32Array(bufferHead(zeros.buffer, z * 4));
    layout.regions = new Int32Array(bufferHead(regions.buffer, r * 4));
    layout.numbers = new Uint8Array(bufferHead(numbers.buffer, m));
    const n4 = count * 4;
    const b0 = 3 * n4;
    const saved = new ArrayBuffer(b0 + 6 * count);
    new Int32Array(saved, 0, count).set(at.subarray(0, count));
    new Int32Array(saved, n4, count).set(len.subarray(0, count));
    new Int32Array(saved, 2 * n4, count).set(arrays.nameAt.subarray(0, count));
    new Uint8Array(saved, b0, count).set(kind.subarray(0, count));
    new Uint8Array(saved, b0 + count, count).set(arrays.type.subarray(0, count));
    new Uint8Array(saved, b0 + 2 * count, count).set(arrays.hasUnit.subarray(0, count));
    new Int8Array(saved, b0 + 3 * count, count).set(arrays.scaler.subarray(0, count));
    new Uint8Array(saved, b0 + 4 * count, count).set(arrays.unit.subarray(0, count));
    new Uint8Array(saved, b0 + 5 * count, count).set(arrays.attribute.subarray(0, count));
    layout.saved = saved;
    layout.memo = undefined;
    layout.used = ++this.clock;
    this.current = layout;
  }

  /** Put the layout's arrays back into the reader's (unless the reader holds them already). */
  restore(layout: ListLayout, arrays: ListArrays): void {
    if (this.current === layout) return;
    const s = layout.saved as ArrayBuffer;
    const count = layout.count;
    const n4 = count * 4;
    const b0 = 3 * n4;
    arrays.at.set(new Int32Array(s, 0, count));
    arrays.len.set(new Int32Array(s, n4, count));
    arrays.nameAt.set(new Int32Array(s, 2 * n4, count));
    arrays.kind.set(new Uint8Array(s, b0, count));
    arrays.type.set(new Uint8Array(s, b0 + count, count));
    arrays.hasUnit.set(new Uint8Array(s, b0 + 2 * count, count));
    arrays.scaler.set(new Int8Array(s, b0 + 3 * count, count));
    arrays.unit.set(new Uint8Array(s, b0 + 4 * count, count));
    arrays.attribute.set(new Uint8Array(s, b0 + 5 * count, count));
    this.current = layout;
  }

  /** Forget which layout the reader holds (a read failed or was not kept: its arrays are overwritten). */
  release(): void {
    this.current = undefined;
  }
}
