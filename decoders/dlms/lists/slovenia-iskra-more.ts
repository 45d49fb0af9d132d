/**
 * Two more positional lists of Slovenian Iskra AM550 meters (no OBIS names, one flat structure),
 * beside the ECE lists in slovenia-ece.ts. Layouts as UtilitechAS/amsreader-firmware decodes them
 * (src/decoder/src/IEC6205675.cpp, the "ISK" branch, by item count and the type of one item):
 *
 *   12 items, item 2 long-unsigned ("UP_3f", Elektro Celje; amsreader issue #615 comment 40):
 *     0-0:42.0.0 name (octets) | 0-0:96.1.2 id (octets) | U1 U2 U3 (long-unsigned, 0.1 V) |
 *     I1 I2 I3 (long-unsigned, 0.01 A) | P+ P- (double-long-unsigned, W) | Q+ Q- (var)
 *   9 items, item 6 long-unsigned (1-phase AM550, Elektro Ljubljana; amsreader issue #869):
 *     name | id | P+ P- Q+ Q- (double-long-unsigned, W / var) | U1 (long-unsigned, 0.1 V) |
 *     A- tariff 1, A- tariff 2 (double-long-unsigned, Wh)
 *
 * The scales are checked on the captures (hosttests/vectors/han/amsreader-firmware/iskra-*):
 * 0.01 A is the only current unit with P+ <= sum of U x I and a plausible power factor.
 */
import type { AxdrValue } from '../axdr';
import type { ListShape } from './list-shape';
import { FLAT_NUMBER, type FlatList } from '../flat-list';
import { finishReading, flatListId, flatText, newDraft, num, text } from './values';

const LONG_UNSIGNED = 0x12;
const DOUBLE_LONG_UNSIGNED = 0x06;

function tagsAre(items: AxdrValue[], from: number, to: number, tag: number): boolean {
  for (let i = from; i < to; i++) {
    const v = items[i];
    if (v.kind !== 'number' || v.tag !== tag) return false;
  }
  return true;
}

function itemsOf(n: { body: AxdrValue }, count: number): AxdrValue[] | undefined {
  const b = n.body;
  return b.kind === 'structure' && b.items.length === count ? b.items : undefined;
}

/** tagsAre for a flat list (flat-list.ts): numbers with that wire tag. */
function flatTagsAre(l: FlatList, from: number, to: number, tag: number): boolean {
  for (let i = from; i < to; i++) if (l.kind[i] !== FLAT_NUMBER || l.tag[i] !== tag) return false;
  return true;
}

const tenthV = (v: AxdrValue): number => (num(v) as number) / 10;
const hundredthA = (v: AxdrValue): number => (num(v) as number) / 100;

export const sloveniaIskraUp3f: ListShape = {
  name: 'slovenia-iskra-up3f',
  meters: 'Iskra AM550 (SI, Elektro Celje), list "UP_3f": U, I per phase, P and Q totals',
  detect(n) {
    const it = itemsOf(n, 12);
    return it !== undefined && text(it[0]) !== undefined && text(it[1]) !== undefined &&
      tagsAre(it, 2, 8, LONG_UNSIGNED) && tagsAre(it, 8, 12, DOUBLE_LONG_UNSIGNED);
  },
  map(n) {
    const it = itemsOf(n, 12) as AxdrValue[];
    const d = newDraft();
    d.manufacturer = 'Iskra';
    d.meterId = text(it[0]);
    d.l1 = { voltageV: tenthV(it[2]), currentA: hundredthA(it[5]) };
    d.l2 = { voltageV: tenthV(it[3]), currentA: hundredthA(it[6]) };
    d.l3 = { voltageV: tenthV(it[4]), currentA: hundredthA(it[7]) };
    d.powerImportW = num(it[8]);
    d.powerExportW = num(it[9]);
    d.reactivePowerImportVar = num(it[10]);
    d.reactivePowerExportVar = num(it[11]);
    return finishReading(d, n.time?.iso);
  },
  // (the same detect and map on a list read straight from the bytes)
  flat: {
    detect(l) {
      return l.listTag === 0x02 && l.count === 12 && flatListId(l) !== undefined && flatText(l, 1) !== undefined &&
        flatTagsAre(l, 2, 8, LONG_UNSIGNED) && flatTagsAre(l, 8, 12, DOUBLE_LONG_UNSIGNED);
    },
    map(l, timeIso) {
      const v = l.value;
      const d = newDraft();
      d.manufacturer = 'Iskra';
      d.meterId = flatListId(l);
      d.l1 = { voltageV: v[2] / 10, currentA: v[5] / 100 };
      d.l2 = { voltageV: v[3] / 10, currentA: v[6] / 100 };
      d.l3 = { voltageV: v[4] / 10, currentA: v[7] / 100 };
      d.powerImportW = v[8];
      d.powerExportW = v[9];
      d.reactivePowerImportVar = v[10];
      d.reactivePowerExportVar = v[11];
      return finishReading(d, timeIso);
    },
  },
};

export const sloveniaIskraOnePhase: ListShape = {
  name: 'slovenia-iskra-1phase',
  meters: 'Iskra AM550 1-phase (SI, Elektro Ljubljana), 9 items: P and Q totals, U1, export tariffs',
  detect(n) {
    const it = itemsOf(n, 9);
    return it !== undefined && text(it[0]) !== undefined && text(it[1]) !== undefined &&
      tagsAre(it, 2, 6, DOUBLE_LONG_UNSIGNED) && tagsAre(it, 6, 7, LONG_UNSIGNED) && tagsAre(it, 7, 9, DOUBLE_LONG_UNSIGNED);
  },
  map(n) {
    const it = itemsOf(n, 9) as AxdrValue[];
    const d = newDraft();
    d.manufacturer = 'Iskra';
    d.meterId = text(it[0]);
    d.powerImportW = num(it[2]);
    d.powerExportW = num(it[3]);
    d.reactivePowerImportVar = num(it[4]);
    d.reactivePowerExportVar = num(it[5]);
    d.l1 = { voltageV: tenthV(it[6]) };
    d.energyExportTariffWh = [num(it[7]) as number, num(it[8]) as number];
    return finishReading(d, n.time?.iso);
  },
  flat: {
    detect(l) {
      return l.listTag === 0x02 && l.count === 9 && flatListId(l) !== undefined && flatText(l, 1) !== undefined &&
        flatTagsAre(l, 2, 6, DOUBLE_LONG_UNSIGNED) && flatTagsAre(l, 6, 7, LONG_UNSIGNED) && flatTagsAre(l, 7, 9, DOUBLE_LONG_UNSIGNED);
    },
    map(l, timeIso) {
      const v = l.value;
      const d = newDraft();
      d.manufacturer = 'Iskra';
      d.meterId = flatListId(l);
      d.powerImportW = v[2];
      d.powerExportW = v[3];
      d.reactivePowerImportVar = v[4];
      d.reactivePowerExportVar = v[5];
      d.l1 = { voltageV: v[6] / 10 };
      d.energyExportTariffWh = [v[7], v[8]];
      return finishReading(d, timeIso);
    },
  },
};
