/**
 * More positional lists of Slovenian Iskra AM550 meters (no OBIS names, one flat structure),
 * beside the ECE lists in slovenia-ece.ts. Layouts as UtilitechAS/amsreader-firmware decodes them
 * (src/decoder/src/IEC6205675.cpp, the "ISK" branch, by item count and the type of one item):
 *
 *   12 items, item 2 long-unsigned ("UP_3f", Elektro Celje; amsreader issue #615 comment 40):
 *     0-0:42.0.0 name (octets) | 0-0:96.1.2 id (octets) | U1 U2 U3 (long-unsigned, 0.1 V) |
 *     I1 I2 I3 (long-unsigned, 0.01 A) | P+ P- (double-long-unsigned, W) | Q+ Q- (var)
 *   9 items, item 6 long-unsigned (1-phase AM550, Elektro Ljubljana; amsreader issue #869):
 *     name | id | P+ P- Q+ Q- (double-long-unsigned, W / var) | U1 (long-unsigned, 0.1 V) |
 *     A- tariff 1, A- tariff 2 (double-long-unsigned, Wh)
 *   9 items, all double-long-unsigned after the name (Elektro Ljubljana, GEN-i; #869-6):
 *     name | P+ P- (W) | A+ A+T1 A+T2 (Wh) | A- A-T1 A-T2 (Wh)
 *   4 items (every 15 min, Elektro Ljubljana; #869-3, -4, -7):
 *     meter number (octets) | unsigned (meaning unknown, 0 in every capture) | A+ A- (Wh)
 *
 * The scales are checked on the captures (hosttests/vectors/han/amsreader-firmware/iskra-* and
 * hosttests/han-meters/apdus/amsreader-firmware/iskra-*): 0.01 A is the only current unit with
 * P+ <= sum of U x I and a plausible power factor; the tariff registers add up to the totals; the
 * 4-item list of a meter sends the A+ and A- its 9-item list sends (12,789,949 / 12,789,950 Wh).
 */
import { ITEM_NUMBER } from '../push-list';
import type { ListShape } from './list-shape';
import { finishReading, itemText, listIdText, newDraft, numbersTagged, positional } from './values';

const LONG_UNSIGNED = 0x12;
const DOUBLE_LONG_UNSIGNED = 0x06;

export const sloveniaIskraUp3f: ListShape = {
  name: 'slovenia-iskra-up3f',
  meters: 'Iskra AM550 (SI, Elektro Celje), list "UP_3f": U, I per phase, P and Q totals',
  detect(l) {
    return (
      positional(l) &&
      l.listTag === 0x02 &&
      l.count === 12 &&
      listIdText(l) !== undefined &&
      itemText(l, 1) !== undefined &&
      numbersTagged(l, 2, 8, LONG_UNSIGNED) &&
      numbersTagged(l, 8, 12, DOUBLE_LONG_UNSIGNED)
    );
  },
  map(l, timeIso) {
    const v = l.value;
    const d = newDraft();
    d.manufacturer = 'Iskra';
    d.meterId = listIdText(l);
    d.l1 = { voltageV: v[2] / 10, currentA: v[5] / 100 };
    d.l2 = { voltageV: v[3] / 10, currentA: v[6] / 100 };
    d.l3 = { voltageV: v[4] / 10, currentA: v[7] / 100 };
    d.powerImportW = v[8];
    d.powerExportW = v[9];
    d.reactivePowerImportVar = v[10];
    d.reactivePowerExportVar = v[11];
    return finishReading(d, timeIso);
  },
};

export const sloveniaIskraOnePhase: ListShape = {
  name: 'slovenia-iskra-1phase',
  meters: 'Iskra AM550 1-phase (SI, Elektro Ljubljana), 9 items: P and Q totals, U1, export tariffs',
  detect(l) {
    return (
      positional(l) &&
      l.listTag === 0x02 &&
      l.count === 9 &&
      listIdText(l) !== undefined &&
      itemText(l, 1) !== undefined &&
      numbersTagged(l, 2, 6, DOUBLE_LONG_UNSIGNED) &&
      numbersTagged(l, 6, 7, LONG_UNSIGNED) &&
      numbersTagged(l, 7, 9, DOUBLE_LONG_UNSIGNED)
    );
  },
  map(l, timeIso) {
    const v = l.value;
    const d = newDraft();
    d.manufacturer = 'Iskra';
    d.meterId = listIdText(l);
    d.powerImportW = v[2];
    d.powerExportW = v[3];
    d.reactivePowerImportVar = v[4];
    d.reactivePowerExportVar = v[5];
    d.l1 = { voltageV: v[6] / 10 };
    d.energyExportTariffWh = [v[7], v[8]];
    return finishReading(d, timeIso);
  },
};

export const sloveniaIskraEnergy9: ListShape = {
  name: 'slovenia-iskra-energy-9',
  meters: 'Iskra AM550 (SI, Elektro Ljubljana), 9 items: P+ P-, A+ and A- with two tariffs',
  detect(l) {
    return positional(l) && l.listTag === 0x02 && l.count === 9 && listIdText(l) !== undefined && numbersTagged(l, 1, 9, DOUBLE_LONG_UNSIGNED);
  },
  map(l, timeIso) {
    const v = l.value;
    const d = newDraft();
    d.manufacturer = 'Iskra';
    d.meterId = listIdText(l);
    d.powerImportW = v[1];
    d.powerExportW = v[2];
    d.energyImportWh = v[3];
    d.energyImportTariffWh = [v[4], v[5]];
    d.energyExportWh = v[6];
    d.energyExportTariffWh = [v[7], v[8]];
    return finishReading(d, timeIso);
  },
};

export const sloveniaIskraEnergy4: ListShape = {
  name: 'slovenia-iskra-energy-4',
  meters: 'Iskra AM550 (SI, Elektro Ljubljana), 4 items every 15 min: meter number, A+, A-',
  detect(l) {
    return (
      positional(l) &&
      l.listTag === 0x02 &&
      l.count === 4 &&
      listIdText(l) !== undefined &&
      l.kind[1] === ITEM_NUMBER &&
      numbersTagged(l, 2, 4, DOUBLE_LONG_UNSIGNED)
    );
  },
  map(l, timeIso) {
    const d = newDraft();
    d.manufacturer = 'Iskra';
    d.meterId = listIdText(l);
    d.energyImportWh = l.value[2];
    d.energyExportWh = l.value[3];
    return finishReading(d, timeIso);
  },
};
