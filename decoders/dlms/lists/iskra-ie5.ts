/**
 * Iskra IE.5 (Croatia, HEP; amsreader-firmware #1072): one positional structure of 33 items
 * without OBIS names, pushed over HDLC in several segments:
 *
 *   0 meter number (octets) | 1 time (octets 4: hh mm ss hs) | 2 date (octets 5: yyyy mm dd dow) |
 *   3-5 A+, A+ T1, A+ T2 | 6-8 A-, A- T1, A- T2 (double-long-unsigned, Wh) |
 *   9-12 reactive energy QI-QIV (varh, not in the reading contract) | 13-14 P+ P- (W) |
 *   15 power factor (long-unsigned, 0.001; not in the contract) | 16-18 P+ L1-L3 | 19-21 P- L1-L3 (W) |
 *   22-24 U1-U3 (long-unsigned, 0.1 V) | 25-27 I1-I3 (long-unsigned, 0.01 A) |
 *   28-32 a double-long-unsigned, three 1-element arrays and a boolean of unknown meaning
 *
 * Positions as amsreader-firmware decodes the 33-item Iskra list (IEC6205675.cpp); units as the
 * issue states them (comment 27: W, Wh, varh; voltage x10, current x100). Checked on both real
 * frames: tariff registers add up to the totals, the phases' P+ to the total within 1 W, and
 * P <= U x I on every phase. The clock comes from the notification header.
 */
import { ITEM_OCTETS } from '../push-list';
import type { ListShape } from './list-shape';
import { finishReading, itemText, newDraft, numbersTagged, positional } from './values';

const DOUBLE_LONG_UNSIGNED = 0x06;
const LONG_UNSIGNED = 0x12;

export const iskraIe5: ListShape = {
  name: 'iskra-ie5-33',
  meters: 'Iskra IE.5 (HR), 33 positional items: energy with tariffs, P, per-phase P, U, I',
  detect(l) {
    return (
      positional(l) &&
      l.listTag === 0x02 &&
      l.count === 33 &&
      itemText(l, 0) !== undefined &&
      l.kind[1] === ITEM_OCTETS &&
      l.len[1] === 4 &&
      l.kind[2] === ITEM_OCTETS &&
      l.len[2] === 5 &&
      numbersTagged(l, 3, 15, DOUBLE_LONG_UNSIGNED) &&
      numbersTagged(l, 15, 16, LONG_UNSIGNED) &&
      numbersTagged(l, 16, 22, DOUBLE_LONG_UNSIGNED) &&
      numbersTagged(l, 22, 28, LONG_UNSIGNED)
    );
  },
  map(l, timeIso) {
    const v = l.value;
    const d = newDraft();
    d.manufacturer = 'Iskra';
    d.meterId = itemText(l, 0);
    d.energyImportWh = v[3];
    d.energyImportTariffWh = [v[4], v[5]];
    d.energyExportWh = v[6];
    d.energyExportTariffWh = [v[7], v[8]];
    d.powerImportW = v[13];
    d.powerExportW = v[14];
    d.l1 = { voltageV: v[22] / 10, currentA: v[25] / 100, powerImportW: v[16], powerExportW: v[19] };
    d.l2 = { voltageV: v[23] / 10, currentA: v[26] / 100, powerImportW: v[17], powerExportW: v[20] };
    d.l3 = { voltageV: v[24] / 10, currentA: v[27] / 100, powerImportW: v[18], powerExportW: v[21] };
    return finishReading(d, timeIso);
  },
};
