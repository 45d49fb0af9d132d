/**
 * The HAN list reader's layout replay (decoders/dlms/list-layout.ts): a reader that has read a
 * list before must give exactly what a fresh reader gives for the next list, whatever changed in
 * it: the item arrays, the reading every list shape maps from them, the error. The lists are the
 * real captures' (every HAN vector, as the splitters hand them to the reader), read again with
 * their values changed, with bytes changed anywhere, cut short, and interleaved with other lists.
 */
import { ITEM_BOOLEAN, ITEM_NULL, ITEM_NUMBER, ITEM_SCALER_UNIT, PushList } from '../../decoders/dlms/push-list';
import { ListLayouts } from '../../decoders/dlms/list-layout';
import { listToReading } from '../../decoders/dlms/lists/registry';
import { mulberry32 } from '../../tools/simulate/prng';
import { decodeAll, loadHanVectors } from './vectors';

interface CapturedList {
  vector: string;
  bytes: Uint8Array;
  start: number;
  end: number;
}

/** Every list the splitters hand to the reader, per vector (bytes copied as they were). */
function captureLists(): CapturedList[] {
  const out: CapturedList[] = [];
  const read = PushList.prototype.read;
  let vector = '';
  PushList.prototype.read = function (this: PushList, b: Uint8Array, p: number, end: number): number {
    out.push({ vector, bytes: b.slice(), start: p, end });
    return read.call(this, b, p, end);
  };
  try {
    for (const v of loadHanVectors()) {
      vector = v.name;
      decodeAll(v);
    }
  } finally {
    PushList.prototype.read = read;
  }
  return out;
}

/** What a read leaves for the list shapes: the result, the header fields, each item's meaningful fields, the mapped reading. */
function outcome(l: PushList, r: number): unknown {
  const items: unknown[] = [];
  for (let i = 0; i < l.count; i++) {
    const k = l.kind[i];
    items.push({
      kind: k,
      type: l.type[i],
      value: k === ITEM_NUMBER || k === ITEM_BOOLEAN ? l.value[i] : undefined,
      at: k === ITEM_NULL || k === ITEM_SCALER_UNIT ? undefined : l.at[i],
      len: k === ITEM_NULL || k === ITEM_SCALER_UNIT ? undefined : l.len[i],
      nameAt: l.nameAt[i],
      hasUnit: l.hasUnit[i],
      scaler: l.hasUnit[i] === 1 ? l.scaler[i] : undefined,
      unit: l.hasUnit[i] === 1 ? l.unit[i] : undefined,
      attribute: l.attribute[i],
    });
  }
  const mapped = r >= 0 ? listToReading(l, '2024-01-01T00:00:00Z', false) : undefined;
  return {
    r,
    error: r < 0 ? l.error : '',
    notAList: l.notAList,
    count: l.count,
    listTag: r >= 0 ? l.listTag : undefined,
    tagged: l.tagged,
    named: l.named,
    described: l.described,
    descriptorCount: l.descriptorCount,
    items,
    reading: mapped === undefined ? undefined : JSON.parse(JSON.stringify(mapped)),
  };
}

function fresh(bytes: Uint8Array, start: number, end: number): unknown {
  const l = new PushList();
  return outcome(l, l.read(bytes, start, end));
}

/** A fixed sequence (the simulator's mulberry32), so a failure reproduces. */
const rng = mulberry32;

/** Counts the layout matches, so a test cannot pass without replaying anything. */
function countMatches(): { hits: number; restore(): void } {
  const match = ListLayouts.prototype.match;
  const counter = {
    hits: 0,
    restore(): void {
      ListLayouts.prototype.match = match;
    },
  };
  ListLayouts.prototype.match = function (this: ListLayouts, b: Uint8Array, start: number, end: number) {
    const m = match.call(this, b, start, end);
    if (m !== undefined) counter.hits++;
    return m;
  };
  return counter;
}

const lists = captureLists();
const readable = lists.filter((c) => new PushList().read(c.bytes, c.start, c.end) >= 0);

test('the captures give lists to replay (every HAN vector that decodes)', () => {
  expect(readable.length).toBeGreaterThan(60);
});

test('the same list again, and again with new values: replayed, and what a fresh reader gives', () => {
  const counter = countMatches();
  try {
    const random = rng(13);
    for (const c of readable) {
      const l = new PushList();
      l.read(c.bytes, c.start, c.end);
      // the same bytes
      expect(outcome(l, l.read(c.bytes, c.start, c.end))).toEqual(fresh(c.bytes, c.start, c.end));
      // new values: every value byte the layout masks, changed (found by changing each byte and
      // asking a fresh reader whether the items stayed the same but for their values)
      for (let round = 0; round < 5; round++) {
        const b = c.bytes.slice();
        for (let k = 0; k < 6; k++) {
          const at = c.start + Math.floor(random() * (c.end - c.start));
          b[at] = Math.floor(random() * 256);
        }
        expect({ vector: c.vector, round, o: outcome(l, l.read(b, c.start, c.end)) }).toEqual({ vector: c.vector, round, o: fresh(b, c.start, c.end) });
      }
    }
    expect(counter.hits).toBeGreaterThan(readable.length);
  } finally {
    counter.restore();
  }
});

test('values changed in every number: replayed, equal to a fresh read', () => {
  const counter = countMatches();
  try {
    const random = rng(7);
    let replays = 0;
    for (const c of readable) {
      const probe = new PushList();
      probe.read(c.bytes, c.start, c.end);
      const b = c.bytes.slice();
      // every number's and boolean's bytes, and every octet-string's content, set at random
      for (let i = 0; i < probe.count; i++) {
        const k = probe.kind[i];
        if (k !== ITEM_NUMBER && k !== ITEM_BOOLEAN) continue;
        for (let j = 0; j < probe.len[i]; j++) b[probe.at[i] + j] = Math.floor(random() * 256);
      }
      const before = counter.hits;
      const o = outcome(probe, probe.read(b, c.start, c.end));
      if (counter.hits > before) replays++;
      expect({ vector: c.vector, o }).toEqual({ vector: c.vector, o: fresh(b, c.start, c.end) });
    }
    // every list with a layout (all but those too long to keep) replays with new values
    expect(replays).toBeGreaterThan(readable.length * 0.9);
  } finally {
    counter.restore();
  }
});

test('a list cut short, or with a count or tag changed, after its layout was kept: the full read and its error', () => {
  const random = rng(3);
  for (const c of readable) {
    const l = new PushList();
    l.read(c.bytes, c.start, c.end);
    const cut = c.start + Math.floor(random() * (c.end - c.start));
    expect(outcome(l, l.read(c.bytes, c.start, cut))).toEqual(fresh(c.bytes, c.start, cut));
    const b = c.bytes.slice();
    b[c.start + 1] ^= 1; // the list's element count
    expect(outcome(l, l.read(b, c.start, c.end))).toEqual(fresh(b, c.start, c.end));
    // and the list itself once more: still replayed correctly after a failed read
    expect(outcome(l, l.read(c.bytes, c.start, c.end))).toEqual(fresh(c.bytes, c.start, c.end));
  }
});

test('lists of several meters interleaved through one reader (more than it keeps layouts for): each equal to a fresh read', () => {
  const random = rng(11);
  // five lists of five vectors
  const pool = [0, 1, 2, 3, 4].map((k) => readable[Math.floor((k * readable.length) / 5)] as CapturedList);
  expect(new Set(pool.map((c) => c.vector)).size).toBe(5);
  const l = new PushList();
  for (let k = 0; k < 2000; k++) {
    const c = pool[Math.floor(random() * (2 + (k % 4)))] as CapturedList;
    const b = c.bytes.slice();
    if (random() < 0.5) b[c.start + Math.floor(random() * (c.end - c.start))] = Math.floor(random() * 256);
    expect(outcome(l, l.read(b, c.start, c.end))).toEqual(fresh(b, c.start, c.end));
  }
});

test('an OBIS name changed in an interleaved list (Kamstrup): not the old layout, mapped by the new name', () => {
  const c = readable.find((x) => x.vector.indexOf('Kamstrup') >= 0) as CapturedList;
  const l = new PushList();
  l.read(c.bytes, c.start, c.end);
  listToReading(l, undefined, false);
  // the first name 1.1.1.7.0.255 (active power import) becomes 1.1.2.7.0.255 (export)
  const b = c.bytes.slice();
  let at = -1;
  for (let p = c.start; p + 8 <= c.end; p++)
    if (b[p] === 0x09 && b[p + 1] === 6 && b[p + 2] === 1 && b[p + 4] === 1 && b[p + 5] === 7 && b[p + 6] === 0) {
      at = p + 4;
      break;
    }
  expect(at).toBeGreaterThan(0);
  b[at] = 2;
  type Mapped = { reading: { reading: Record<string, unknown> } };
  const before = fresh(c.bytes, c.start, c.end) as Mapped;
  const warm = outcome(l, l.read(b, c.start, c.end)) as Mapped;
  expect(warm).toEqual(fresh(b, c.start, c.end));
  // (the list's own export power, later in the list, then overwrites the renamed value)
  expect(before.reading.reading.powerImportW).toBeDefined();
  expect(warm.reading.reading.powerImportW).toBeUndefined();
});

test('every number type through the replay: the values a fresh reader reads (signed, 64-bit, floats, boolean)', () => {
  const hex = (s: string): Uint8Array => Uint8Array.from(s.split(' ').map((x) => parseInt(x, 16)));
  const list = (v: number): Uint8Array =>
    hex(
      `02 0D 05 FF FF FF ${(0xfe - v).toString(16)} 06 00 01 00 ${v.toString(16)} 10 FF ${(0x38 + v).toString(16)} 12 01 ${v.toString(16)} 0F F${v} 11 ${v.toString(16)} ` +
        `16 0${v} 0D 0${v} 03 0${v % 2} 14 FF FF FF FF FF FF FF ${(0xf0 + v).toString(16)} 15 00 00 00 01 00 00 00 0${v} ` +
        `17 40 4${v} 00 00 18 40 0${v} 00 00 00 00 00 00`,
    );
  const l = new PushList();
  const counter = countMatches();
  try {
    const first = list(1);
    expect(l.read(first, 0, first.length)).toBe(first.length);
    expect(Array.from(l.value.subarray(0, 13))).toEqual([-3, 65537, -199, 257, -15, 1, 1, 1, 1, -15, 4294967297, 3.015625, 2.125]);
    for (const v of [2, 3, 4, 5]) {
      const b = list(v);
      const before = counter.hits;
      expect(outcome(l, l.read(b, 0, b.length))).toEqual(fresh(b, 0, b.length));
      expect(counter.hits).toBe(before + 1);
    }
  } finally {
    counter.restore();
  }
});

test('the comparison by eight-byte words: +0 and -0 words differ, NaN words with the same bytes match', () => {
  const counter = countMatches();
  try {
    // 15 nulls: bytes 8-15 are a zero word; a 0x80 in it (the sign bit of one byte order or
    // the other) is an unknown tag, which the full read refuses
    const nulls = new Uint8Array(17);
    nulls[0] = 0x01;
    nulls[1] = 15;
    for (const at of [8, 15]) {
      const l = new PushList();
      expect(l.read(nulls, 0, nulls.length)).toBe(17);
      const b = nulls.slice();
      b[at] = 0x80;
      const o = outcome(l, l.read(b, 0, b.length)) as { r: number; error: string };
      expect(o).toEqual(fresh(b, 0, b.length));
      expect(o.r).toBe(-1);
      expect(o.error).toMatch(/unknown A-XDR tag 0x80/);
    }
    // a bit-string whose eight bytes are a NaN as a double: the same list again is replayed
    const nan = Uint8Array.from([0x01, 0x05, 0, 0, 0, 0, 0x04, 0x40, 1, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0, 0xff, 0xf8, 0xff]);
    const l = new PushList();
    expect(l.read(nan, 0, 16)).toBe(16);
    const before = counter.hits;
    expect(outcome(l, l.read(nan.slice(), 0, 16))).toEqual(fresh(nan, 0, 16));
    expect(counter.hits).toBe(before + 1);
  } finally {
    counter.restore();
  }
});

test('lists that never repeat: after eight kept in a row without a match, layouts rest for 64 reads, then work again', () => {
  const counter = countMatches();
  try {
    const nulls = (n: number): Uint8Array => {
      const b = new Uint8Array(n + 2);
      b[0] = 0x01;
      b[1] = n;
      return b;
    };
    const l = new PushList();
    const kept = (): boolean => {
      l.layoutMemo = 'probe';
      return l.layoutMemo === 'probe';
    };
    // eight different lists: each kept
    for (let n = 1; n <= 8; n++) {
      const b = nulls(n);
      expect(outcome(l, l.read(b, 0, b.length))).toEqual(fresh(b, 0, b.length));
      expect(kept()).toBe(true);
    }
    // the ninth miss starts the rest: 64 reads neither matched nor kept, results unchanged
    for (let k = 0; k < 65; k++) {
      const b = nulls(9 + (k % 3));
      expect(outcome(l, l.read(b, 0, b.length))).toEqual(fresh(b, 0, b.length));
      expect(kept()).toBe(false);
    }
    expect(counter.hits).toBe(0);
    // then a list is kept and the same list again matched
    const b = nulls(5);
    l.read(b, 0, b.length);
    expect(kept()).toBe(true);
    expect(outcome(l, l.read(b, 0, b.length))).toEqual(fresh(b, 0, b.length));
    expect(counter.hits).toBe(1);
  } finally {
    counter.restore();
  }
});
