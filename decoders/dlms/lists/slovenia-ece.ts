/**
 * Slovenian Iskra (AM550 family) HAN lists "ECE list 1" and "ECE list 2": positional structures
 * without OBIS names. Layout as in athombv/node-dsmr-parser (dlms-payload-ece-list*.ts), which
 * names each position:
 *
 *   list 1 (18): 0-0:42.0.0 device name (octets 16) | 0-0:96.1.2 serial (octets) |
 *                P+ P- Q+ Q- (double-long-unsigned, W / var) | U1 U2 U3 (long-unsigned, 0.1 V) |
 *                I1 I2 I3 (long-unsigned) | P+L1 P+L2 P+L3 P-L1 P-L2 P-L3 (double-long-unsigned, W)
 *   list 1, 1-phase (10): device name | serial | P+ P- Q+ Q- | U1 | I1 | P+L1 P-L1
 *                (amsreader-firmware #869-8, Elektro Ljubljana: the same positions for one phase)
 *   list 2 (12): device name | 0-0:96.1.3 (octets) | 0-0:96.3.10 breaker (boolean or enum) |
 *                0-0:96.14.0 tariff (octets 2) | A+ A+T1 A+T2 A- A-T1 A-T2 R+ R- (double-long-unsigned, Wh / varh)
 *
 * Voltage 0.1 V is confirmed by the vector (2346 -> 234.6 V). Current 0.01 A (node-dsmr-parser's
 * default scaler for this list, amsreader-firmware's / 100) is confirmed by a second capture,
 * han/amsreader-firmware/iskra-am550-ece-list1-gh615-1: L3 sends 1325 W at 229.6 V and 597, which
 * only 5.97 A fits (0.597 A would be below P / U, 59.7 A a power factor of 0.1); and by #869-8:
 * 540 W at 233.6 V and 278 (2.78 A, power factor 0.83).
 */
import { ITEM_BOOLEAN, ITEM_NUMBER, ITEM_OCTETS } from '../push-list';
import type { ListShape } from './list-shape';
import { finishReading, itemText, listIdText, newDraft, num, numbersTagged, positional } from './values';

const DOUBLE_LONG_UNSIGNED = 0x06;
const LONG_UNSIGNED = 0x12;

export const sloveniaEceList1: ListShape = {
  name: 'slovenia-ece-list-1',
  meters: 'Iskra AM550 (SI), ECE list 1 (power, voltage, current)',
  detect(l) {
    if (!positional(l) || l.listTag !== 0x02 || l.count !== 18) return false;
    return (
      listIdText(l) !== undefined &&
      numbersTagged(l, 2, 6, DOUBLE_LONG_UNSIGNED) &&
      numbersTagged(l, 6, 12, LONG_UNSIGNED) &&
      numbersTagged(l, 12, 18, DOUBLE_LONG_UNSIGNED)
    );
  },
  map(l, timeIso) {
    const d = newDraft();
    d.manufacturer = 'Iskra';
    d.meterId = listIdText(l);
    d.powerImportW = num(l, 2);
    d.powerExportW = num(l, 3);
    d.reactivePowerImportVar = num(l, 4);
    d.reactivePowerExportVar = num(l, 5);
    const v = l.value;
    d.l1 = { voltageV: v[6] / 10, currentA: v[9] / 100, powerImportW: v[12], powerExportW: v[15] };
    d.l2 = { voltageV: v[7] / 10, currentA: v[10] / 100, powerImportW: v[13], powerExportW: v[16] };
    d.l3 = { voltageV: v[8] / 10, currentA: v[11] / 100, powerImportW: v[14], powerExportW: v[17] };
    return finishReading(d, timeIso);
  },
};

export const sloveniaEceList1OnePhase: ListShape = {
  name: 'slovenia-ece-list-1-1phase',
  meters: 'Iskra AM550 1-phase (SI), ECE list 1 (power, voltage, current of one phase)',
  detect(l) {
    if (!positional(l) || l.listTag !== 0x02 || l.count !== 10) return false;
    return (
      listIdText(l) !== undefined &&
      itemText(l, 1) !== undefined &&
      numbersTagged(l, 2, 6, DOUBLE_LONG_UNSIGNED) &&
      numbersTagged(l, 6, 8, LONG_UNSIGNED) &&
      numbersTagged(l, 8, 10, DOUBLE_LONG_UNSIGNED)
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
    d.l1 = { voltageV: v[6] / 10, currentA: v[7] / 100, powerImportW: v[8], powerExportW: v[9] };
    return finishReading(d, timeIso);
  },
};

export const sloveniaEceList2: ListShape = {
  name: 'slovenia-ece-list-2',
  meters: 'Iskra AM550 (SI), ECE list 2 (energy registers, tariff, breaker)',
  detect(l) {
    if (!positional(l) || l.listTag !== 0x02 || l.count !== 12) return false;
    // breaker as boolean (node-dsmr-parser capture) or as the disconnect-control enum (amsreader #615, #956)
    const breaker = l.kind[2] === ITEM_BOOLEAN || (l.kind[2] === ITEM_NUMBER && l.type[2] === 0x16);
    return listIdText(l) !== undefined && breaker && l.kind[3] === ITEM_OCTETS && numbersTagged(l, 4, 12, DOUBLE_LONG_UNSIGNED);
  },
  map(l, timeIso) {
    const d = newDraft();
    d.manufacturer = 'Iskra';
    d.meterId = listIdText(l);
    if (l.kind[2] === ITEM_BOOLEAN) d.breakerState = l.value[2] !== 0 ? 1 : 0;
    else if (l.kind[2] === ITEM_NUMBER) d.breakerState = l.value[2]; // enum 0/1/2 as DSMR 96.3.10
    const n = l.len[3];
    if (l.kind[3] === ITEM_OCTETS && n >= 1 && n <= 4) {
      let t = 0;
      for (let i = 0; i < n; i++) t = t * 256 + l.bytes[l.at[3] + i];
      d.tariff = t;
    }
    d.energyImportWh = num(l, 4);
    d.energyImportTariffWh = [num(l, 5) as number, num(l, 6) as number];
    d.energyExportWh = num(l, 7);
    d.energyExportTariffWh = [num(l, 8) as number, num(l, 9) as number];
    d.reactiveEnergyImportVarh = num(l, 10);
    d.reactiveEnergyExportVarh = num(l, 11);
    return finishReading(d, timeIso);
  },
};
