/**
 * Slovenian Iskra (AM550 family) HAN lists "ECE list 1" and "ECE list 2": positional structures
 * without OBIS names. Layout as in athombv/node-dsmr-parser (dlms-payload-ece-list*.ts), which
 * names each position:
 *
 *   list 1 (18): 0-0:42.0.0 device name (octets 16) | 0-0:96.1.2 serial (octets) |
 *                P+ P- Q+ Q- (double-long-unsigned, W / var) | U1 U2 U3 (long-unsigned, 0.1 V) |
 *                I1 I2 I3 (long-unsigned) | P+L1 P+L2 P+L3 P-L1 P-L2 P-L3 (double-long-unsigned, W)
 *   list 2 (12): device name | 0-0:96.1.3 (octets) | 0-0:96.3.10 breaker (boolean or enum) |
 *                0-0:96.14.0 tariff (octets 2) | A+ A+T1 A+T2 A- A-T1 A-T2 R+ R- (double-long-unsigned, Wh / varh)
 *
 * Voltage 0.1 V is confirmed by the vector (2346 -> 234.6 V). Current 0.01 A (node-dsmr-parser's
 * default scaler for this list, amsreader-firmware's / 100) is confirmed by a second capture,
 * han/amsreader-firmware/iskra-am550-ece-list1-gh615-1: L3 sends 1325 W at 229.6 V and 597, which
 * only 5.97 A fits (0.597 A would be below P / U, 59.7 A a power factor of 0.1).
 */
import type { AxdrValue } from '../axdr';
import type { ListShape } from './list-shape';
import { FLAT_BOOLEAN, FLAT_NUMBER, FLAT_OCTETS, type FlatList } from '../flat-list';
import { finishReading, flatListId, newDraft, num, text } from './values';

function tagsMatch(items: AxdrValue[], from: number, to: number, tag: number): boolean {
  for (let i = from; i < to; i++) {
    const v = items[i];
    if (v.kind !== 'number' || v.tag !== tag) return false;
  }
  return true;
}

/** tagsMatch for a flat list. */
function flatTagsMatch(l: FlatList, from: number, to: number, tag: number): boolean {
  for (let i = from; i < to; i++) if (l.kind[i] !== FLAT_NUMBER || l.tag[i] !== tag) return false;
  return true;
}

export const sloveniaEceList1: ListShape = {
  name: 'slovenia-ece-list-1',
  meters: 'Iskra AM550 (SI), ECE list 1 (power, voltage, current)',
  detect(n) {
    const b = n.body;
    if (b.kind !== 'structure' || b.items.length !== 18) return false;
    const it = b.items;
    return text(it[0]) !== undefined && tagsMatch(it, 2, 6, 0x06) && tagsMatch(it, 6, 12, 0x12) && tagsMatch(it, 12, 18, 0x06);
  },
  map(n) {
    const it = (n.body as { items: AxdrValue[] }).items;
    const d = newDraft();
    d.manufacturer = 'Iskra';
    d.meterId = text(it[0]);
    d.powerImportW = num(it[2]);
    d.powerExportW = num(it[3]);
    d.reactivePowerImportVar = num(it[4]);
    d.reactivePowerExportVar = num(it[5]);
    const dV = (v: AxdrValue) => (num(v) as number) / 10;
    const cA = (v: AxdrValue) => (num(v) as number) / 100;
    d.l1 = { voltageV: dV(it[6]), currentA: cA(it[9]), powerImportW: num(it[12]), powerExportW: num(it[15]) };
    d.l2 = { voltageV: dV(it[7]), currentA: cA(it[10]), powerImportW: num(it[13]), powerExportW: num(it[16]) };
    d.l3 = { voltageV: dV(it[8]), currentA: cA(it[11]), powerImportW: num(it[14]), powerExportW: num(it[17]) };
    return finishReading(d, n.time?.iso);
  },
  flat: {
    detect(l) {
      if (l.listTag !== 0x02 || l.count !== 18) return false;
      return flatListId(l) !== undefined && flatTagsMatch(l, 2, 6, 0x06) && flatTagsMatch(l, 6, 12, 0x12) && flatTagsMatch(l, 12, 18, 0x06);
    },
    map(l, timeIso) {
      const d = newDraft();
      d.manufacturer = 'Iskra';
      d.meterId = flatListId(l);
      d.powerImportW = l.num(2);
      d.powerExportW = l.num(3);
      d.reactivePowerImportVar = l.num(4);
      d.reactivePowerExportVar = l.num(5);
      const dV = (i: number) => (l.num(i) as number) / 10;
      const cA = (i: number) => (l.num(i) as number) / 100;
      d.l1 = { voltageV: dV(6), currentA: cA(9), powerImportW: l.num(12), powerExportW: l.num(15) };
      d.l2 = { voltageV: dV(7), currentA: cA(10), powerImportW: l.num(13), powerExportW: l.num(16) };
      d.l3 = { voltageV: dV(8), currentA: cA(11), powerImportW: l.num(14), powerExportW: l.num(17) };
      return finishReading(d, timeIso);
    },
  },
};

export const sloveniaEceList2: ListShape = {
  name: 'slovenia-ece-list-2',
  meters: 'Iskra AM550 (SI), ECE list 2 (energy registers, tariff, breaker)',
  detect(n) {
    const b = n.body;
    if (b.kind !== 'structure' || b.items.length !== 12) return false;
    const it = b.items;
    // breaker as boolean (node-dsmr-parser capture) or as the disconnect-control enum (amsreader #615, #956)
    const breaker = it[2].kind === 'boolean' || (it[2].kind === 'number' && it[2].tag === 0x16);
    return text(it[0]) !== undefined && breaker && it[3].kind === 'octets' && tagsMatch(it, 4, 12, 0x06);
  },
  map(n) {
    const it = (n.body as { items: AxdrValue[] }).items;
    const d = newDraft();
    d.manufacturer = 'Iskra';
    d.meterId = text(it[0]);
    const breaker = it[2];
    if (breaker.kind === 'boolean') d.breakerState = breaker.value ? 1 : 0;
    else if (breaker.kind === 'number') d.breakerState = breaker.value; // enum 0/1/2 as DSMR 96.3.10
    const tariff = it[3];
    if (tariff.kind === 'octets' && tariff.bytes.length >= 1 && tariff.bytes.length <= 4) {
      let t = 0;
      for (const x of tariff.bytes) t = t * 256 + x;
      d.tariff = t;
    }
    d.energyImportWh = num(it[4]);
    d.energyImportTariffWh = [num(it[5]) as number, num(it[6]) as number];
    d.energyExportWh = num(it[7]);
    d.energyExportTariffWh = [num(it[8]) as number, num(it[9]) as number];
    d.reactiveEnergyImportVarh = num(it[10]);
    d.reactiveEnergyExportVarh = num(it[11]);
    return finishReading(d, n.time?.iso);
  },
  flat: {
    detect(l) {
      if (l.listTag !== 0x02 || l.count !== 12) return false;
      const breaker = l.kind[2] === FLAT_BOOLEAN || (l.kind[2] === FLAT_NUMBER && l.tag[2] === 0x16);
      return flatListId(l) !== undefined && breaker && l.kind[3] === FLAT_OCTETS && flatTagsMatch(l, 4, 12, 0x06);
    },
    map(l, timeIso) {
      const d = newDraft();
      d.manufacturer = 'Iskra';
      d.meterId = flatListId(l);
      if (l.kind[2] === FLAT_BOOLEAN) d.breakerState = l.value[2] !== 0 ? 1 : 0;
      else if (l.kind[2] === FLAT_NUMBER) d.breakerState = l.value[2];
      const n = l.len[3];
      if (l.kind[3] === FLAT_OCTETS && n >= 1 && n <= 4) {
        let t = 0;
        for (let i = 0; i < n; i++) t = t * 256 + l.bytes[l.at[3] + i];
        d.tariff = t;
      }
      d.energyImportWh = l.num(4);
      d.energyImportTariffWh = [l.num(5) as number, l.num(6) as number];
      d.energyExportWh = l.num(7);
      d.energyExportTariffWh = [l.num(8) as number, l.num(9) as number];
      d.reactiveEnergyImportVarh = l.num(10);
      d.reactiveEnergyExportVarh = l.num(11);
      return finishReading(d, timeIso);
    },
  },
};
