/**
 * Landis+Gyr E450 as configured by Netz Burgenland (Austria): a proprietary structure of 14 values
 * without OBIS names (field order from the issue that published the key, checked against the
 * decrypted vector: 7619 Wh export matches "7.619 kWh"):
 *
 *   U1 U2 U3 (long-unsigned, V) | I1 I2 I3 (long-unsigned, 0.01 A) | P+ P- (double-long-unsigned, W) |
 *   A+ A- (double-long-unsigned, Wh) | 3 long-unsigned of unknown meaning | meter number (octets)
 */
import { ITEM_NUMBER, ITEM_OCTETS } from '../push-list';
import type { ListShape } from './list-shape';
import { finishReading, itemText, newDraft, num, positional } from './values';

const TAGS = [0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x06, 0x06, 0x06, 0x06, 0x12, 0x12, 0x12];

export const lgE450Austria: ListShape = {
  name: 'lg-e450-burgenland',
  meters: 'Landis+Gyr E450 (AT: Netz Burgenland), encrypted',
  detect(l) {
    if (!positional(l) || l.listTag !== 0x02 || l.count !== 14) return false;
    for (let i = 0; i < TAGS.length; i++) if (l.kind[i] !== ITEM_NUMBER || l.type[i] !== TAGS[i]) return false;
    return l.kind[13] === ITEM_OCTETS;
  },
  map(l, timeIso) {
    const d = newDraft();
    const cA = (i: number) => (num(l, i) as number) / 100;
    d.manufacturer = 'Landis+Gyr';
    const id = itemText(l, 13);
    if (id !== undefined) d.meterId = id;
    d.l1 = { voltageV: num(l, 0), currentA: cA(3) };
    d.l2 = { voltageV: num(l, 1), currentA: cA(4) };
    d.l3 = { voltageV: num(l, 2), currentA: cA(5) };
    d.powerImportW = num(l, 6);
    d.powerExportW = num(l, 7);
    d.energyImportWh = num(l, 8);
    d.energyExportWh = num(l, 9);
    return finishReading(d, timeIso);
  },
};
