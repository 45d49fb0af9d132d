/**
 * Landis+Gyr E450 as configured by Netz Burgenland (Austria): a proprietary structure of 14 values
 * without OBIS names (field order from the issue that published the key, checked against the
 * decrypted vector: 7619 Wh export matches "7.619 kWh"):
 *
 *   U1 U2 U3 (long-unsigned, V) | I1 I2 I3 (long-unsigned, 0.01 A) | P+ P- (double-long-unsigned, W) |
 *   A+ A- (double-long-unsigned, Wh) | 3 long-unsigned of unknown meaning | meter number (octets)
 */
import type { AxdrValue } from '../axdr';
import type { ListShape } from './list-shape';
import { FLAT_NUMBER, FLAT_OCTETS } from '../flat-list';
import { finishReading, flatText, newDraft, num, text } from './values';

const TAGS = [0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x06, 0x06, 0x06, 0x06, 0x12, 0x12, 0x12];

export const lgE450Austria: ListShape = {
  name: 'lg-e450-burgenland',
  meters: 'Landis+Gyr E450 (AT: Netz Burgenland), encrypted',
  detect(n) {
    const b = n.body;
    if (b.kind !== 'structure' || b.items.length !== 14) return false;
    for (let i = 0; i < TAGS.length; i++) {
      const v = b.items[i];
      if (v.kind !== 'number' || v.tag !== TAGS[i]) return false;
    }
    return b.items[13].kind === 'octets';
  },
  map(n) {
    const it = (n.body as { items: AxdrValue[] }).items;
    const d = newDraft();
    const cA = (v: AxdrValue) => (num(v) as number) / 100;
    d.manufacturer = 'Landis+Gyr';
    d.meterId = text(it[13]);
    if (d.meterId === undefined) delete d.meterId;
    d.l1 = { voltageV: num(it[0]), currentA: cA(it[3]) };
    d.l2 = { voltageV: num(it[1]), currentA: cA(it[4]) };
    d.l3 = { voltageV: num(it[2]), currentA: cA(it[5]) };
    d.powerImportW = num(it[6]);
    d.powerExportW = num(it[7]);
    d.energyImportWh = num(it[8]);
    d.energyExportWh = num(it[9]);
    return finishReading(d, n.time?.iso);
  },
  flat: {
    detect(l) {
      if (l.listTag !== 0x02 || l.count !== 14) return false;
      for (let i = 0; i < TAGS.length; i++) if (l.kind[i] !== FLAT_NUMBER || l.tag[i] !== TAGS[i]) return false;
      return l.kind[13] === FLAT_OCTETS;
    },
    map(l, timeIso) {
      const d = newDraft();
      const cA = (i: number) => (l.num(i) as number) / 100;
      d.manufacturer = 'Landis+Gyr';
      const id = flatText(l, 13);
      if (id !== undefined) d.meterId = id;
      d.l1 = { voltageV: l.num(0), currentA: cA(3) };
      d.l2 = { voltageV: l.num(1), currentA: cA(4) };
      d.l3 = { voltageV: l.num(2), currentA: cA(5) };
      d.powerImportW = l.num(6);
      d.powerExportW = l.num(7);
      d.energyImportWh = l.num(8);
      d.energyExportWh = l.num(9);
      return finishReading(d, timeIso);
    },
  },
};
