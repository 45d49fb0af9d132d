/**
 * Kaifa positional lists (Norway, Sweden, "KFM_001"): a structure of values without OBIS names,
 * the position says what each is (Kaifa HAN interface description, NVE/NEK lists):
 *
 *   1 item   list 1: P+ (W)                                           every 2 s
 *   9 items  list 2, 1-phase: id, meter id, type, P+, P-, Q+, Q-, I1, U1
 *  13 items  list 2, 3-phase: id, meter id, type, P+, P-, Q+, Q-, I1, I2, I3, U1, U2, U3   every 10 s
 *  14 items  list 3, 1-phase: list 2 (9) + clock, A+, A-, R+, R-                          hourly
 *  18 items  list 3, 3-phase: list 2 (13) + clock, A+, A-, R+, R-
 *
 * Units are fixed: power W / var, current mA (0.001 A), voltage 0.1 V, energy Wh / varh.
 * (The vectors confirm it: 2142 -> 2.142 A, 2390 -> 239.0 V.) On IT grids the MA304H3E reports
 * U2 = 0; finishReading turns that into "absent, 3-wire". A field the list does not carry is
 * never set (the keys left, and their order, are the list's).
 */
import type { MeterReading, PhaseReading } from '../../reading';
import { cosemDateTimeIso } from '../cosem-datetime';
import { ITEM_NUMBER, ITEM_OCTETS, type PushList } from '../push-list';
import type { ListShape } from './list-shape';
import { finishReading, itemText, listIdText, newDraft, positional } from './values';

export const kaifaPositional: ListShape = {
  name: 'kaifa-positional',
  meters: 'Kaifa MA105H2E, MA304H3E, MA304H4, MA304T3/T4 (NO, SE), list id KFM_001',
  detect(l) {
    if (!positional(l)) return false;
    const count = l.count;
    if (count === 1) return l.kind[0] === ITEM_NUMBER;
    if (count !== 9 && count !== 13 && count !== 14 && count !== 18) return false;
    const id = listIdText(l);
    return id !== undefined && id.indexOf('KFM') === 0 && l.kind[3] === ITEM_NUMBER;
  },
  map: mapKaifa,
};

function mapKaifa(l: PushList, timeIso: string | undefined): MeterReading | string {
  const d = newDraft();
  const kind = l.kind;
  const v = l.value;
  if (l.count === 1) {
    if (kind[0] === ITEM_NUMBER) d.powerImportW = v[0];
    d.manufacturer = 'Kaifa';
    return finishReading(d, timeIso);
  }
  const threePhase = l.count === 13 || l.count === 18;
  const listId = listIdText(l);
  if (listId !== undefined) d.listId = listId;
  const meterId = itemText(l, 1);
  if (meterId !== undefined) d.meterId = meterId;
  const model = itemText(l, 2);
  if (model !== undefined) d.meterModel = model;
  d.manufacturer = 'Kaifa';
  // (count is 9, 13, 14 or 18 here: every index below is inside the list)
  if (kind[3] === ITEM_NUMBER) d.powerImportW = v[3];
  if (kind[4] === ITEM_NUMBER) d.powerExportW = v[4];
  if (kind[5] === ITEM_NUMBER) d.reactivePowerImportVar = v[5];
  if (kind[6] === ITEM_NUMBER) d.reactivePowerExportVar = v[6];
  let next: number;
  if (threePhase) {
    d.l1 = phase(l, 7, 10);
    d.l2 = phase(l, 8, 11);
    d.l3 = phase(l, 9, 12);
    d.phaseCount = 3;
    next = 13;
  } else {
    d.l1 = phase(l, 7, 8);
    d.phaseCount = 1;
    next = 9;
  }
  if (l.count > next) {
    if (kind[next] === ITEM_OCTETS && l.len[next] === 12) {
      const iso = cosemDateTimeIso(l.bytes, l.at[next]);
      if (iso !== undefined) d.meterTime = iso;
    }
    if (kind[next + 1] === ITEM_NUMBER) d.energyImportWh = v[next + 1];
    if (kind[next + 2] === ITEM_NUMBER) d.energyExportWh = v[next + 2];
    if (kind[next + 3] === ITEM_NUMBER) d.reactiveEnergyImportVarh = v[next + 3];
    if (kind[next + 4] === ITEM_NUMBER) d.reactiveEnergyExportVarh = v[next + 4];
  }
  return finishReading(d, timeIso);
}

/** One phase: current in mA, voltage in 0.1 V; only what the list carries. */
function phase(l: PushList, currentAt: number, voltageAt: number): PhaseReading {
  const p: PhaseReading = {};
  if (l.kind[currentAt] === ITEM_NUMBER) p.currentA = l.value[currentAt] / 1000;
  if (l.kind[voltageAt] === ITEM_NUMBER) p.voltageV = l.value[voltageAt] / 10;
  return p;
}
