/**
 * Kaifa positional lists (Norway, "KFM_001"): a structure of values without OBIS names, the
 * position says what each is (Kaifa HAN interface description, NVE/NEK lists):
 *
 *   1 item   list 1: P+ (W)                                           every 2 s
 *   9 items  list 2, 1-phase: id, meter id, type, P+, P-, Q+, Q-, I1, U1
 *  13 items  list 2, 3-phase: id, meter id, type, P+, P-, Q+, Q-, I1, I2, I3, U1, U2, U3   every 10 s
 *  14 items  list 3, 1-phase: list 2 (9) + clock, A+, A-, R+, R-                          hourly
 *  18 items  list 3, 3-phase: list 2 (13) + clock, A+, A-, R+, R-
 *
 * Units are fixed: power W / var, current mA (0.001 A), voltage 0.1 V, energy Wh / varh.
 * (The vectors confirm it: 2142 -> 2.142 A, 2390 -> 239.0 V.) On IT grids the MA304H3E reports
 * U2 = 0; finishReading turns that into "absent, 3-wire".
 */
import type { MeterReading } from '../../reading';
import type { AxdrValue } from '../axdr';
import type { DataNotification } from '../apdu';
import { cosemDateTimeIso, decodeCosemDateTime } from '../cosem-datetime';
import type { ListShape } from './list-shape';
import { FLAT_NUMBER, FLAT_OCTETS, type FlatList } from '../flat-list';
import { finishReading, flatListId, flatText, newDraft, num, text, type ReadingDraft } from './values';

function items(n: DataNotification): AxdrValue[] | undefined {
  return n.body.kind === 'structure' || n.body.kind === 'array' ? n.body.items : undefined;
}

export const kaifaPositional: ListShape = {
  name: 'kaifa-positional',
  meters: 'Kaifa MA105H2E, MA304H3E, MA304H4, MA304T3/T4 (NO, SE), list id KFM_001',
  detect(n) {
    const it = items(n);
    if (!it) return false;
    if (it.length === 1) return it[0].kind === 'number';
    if (it.length !== 9 && it.length !== 13 && it.length !== 14 && it.length !== 18) return false;
    const id = text(it[0]);
    return id !== undefined && id.indexOf('KFM') === 0 && it[3].kind === 'number';
  },
  map(n) {
    const it = items(n) ?? [];
    const d = newDraft();
    if (it.length === 1) {
      d.powerImportW = num(it[0]);
      d.manufacturer = 'Kaifa';
      return finishReading(d, n.time?.iso);
    }
    const threePhase = it.length === 13 || it.length === 18;
    d.listId = text(it[0]);
    d.meterId = text(it[1]);
    d.meterModel = text(it[2]);
    d.manufacturer = 'Kaifa';
    d.powerImportW = num(it[3]);
    d.powerExportW = num(it[4]);
    d.reactivePowerImportVar = num(it[5]);
    d.reactivePowerExportVar = num(it[6]);
    const mA = (v: AxdrValue | undefined) => (num(v) === undefined ? undefined : (num(v) as number) / 1000);
    const dV = (v: AxdrValue | undefined) => (num(v) === undefined ? undefined : (num(v) as number) / 10);
    let next: number;
    if (threePhase) {
      d.l1 = { currentA: mA(it[7]), voltageV: dV(it[10]) };
      d.l2 = { currentA: mA(it[8]), voltageV: dV(it[11]) };
      d.l3 = { currentA: mA(it[9]), voltageV: dV(it[12]) };
      d.phaseCount = 3;
      next = 13;
    } else {
      d.l1 = { currentA: mA(it[7]), voltageV: dV(it[8]) };
      d.phaseCount = 1;
      next = 9;
    }
    if (it.length > next) {
      const clock = it[next];
      if (clock.kind === 'octets' && clock.bytes.length === 12) {
        const dt = decodeCosemDateTime(clock.bytes);
        if (dt) d.meterTime = dt.iso;
      }
      d.energyImportWh = num(it[next + 1]);
      d.energyExportWh = num(it[next + 2]);
      d.reactiveEnergyImportVarh = num(it[next + 3]);
      d.reactiveEnergyExportVarh = num(it[next + 4]);
    }
    return finishKaifa(d, n.time?.iso);
  },
  flat: {
    detect(l) {
      const count = l.count;
      if (count === 1) return l.kind[0] === FLAT_NUMBER;
      if (count !== 9 && count !== 13 && count !== 14 && count !== 18) return false;
      const id = flatListId(l);
      return id !== undefined && id.indexOf('KFM') === 0 && l.kind[3] === FLAT_NUMBER;
    },
    map(l, timeIso) {
      return mapKaifaFlat(l, timeIso);
    },
  },
};

/**
 * map() from a flat list: the same fields in the same order (JSON shows the order). A field the
 * list does not carry is never set, where map() sets it undefined and finishKaifa deletes it:
 * the keys left, and their order, are the same, without the delete pass (costly under XS).
 */
function mapKaifaFlat(l: FlatList, timeIso: string | undefined): MeterReading | string {
  const d = newDraft();
  if (l.count === 1) {
    d.powerImportW = l.num(0);
    d.manufacturer = 'Kaifa';
    return finishReading(d, timeIso);
  }
  const kind = l.kind;
  const v = l.value;
  const threePhase = l.count === 13 || l.count === 18;
  const listId = flatListId(l);
  if (listId !== undefined) d.listId = listId;
  const meterId = flatText(l, 1);
  if (meterId !== undefined) d.meterId = meterId;
  const model = flatText(l, 2);
  if (model !== undefined) d.meterModel = model;
  d.manufacturer = 'Kaifa';
  // (count is 9, 13, 14 or 18 here: every index below is inside the list)
  if (kind[3] === FLAT_NUMBER) d.powerImportW = v[3];
  if (kind[4] === FLAT_NUMBER) d.powerExportW = v[4];
  if (kind[5] === FLAT_NUMBER) d.reactivePowerImportVar = v[5];
  if (kind[6] === FLAT_NUMBER) d.reactivePowerExportVar = v[6];
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
    if (kind[next] === FLAT_OCTETS && l.len[next] === 12) {
      const iso = cosemDateTimeIso(l.bytes, l.at[next]);
      if (iso !== undefined) d.meterTime = iso;
    }
    if (kind[next + 1] === FLAT_NUMBER) d.energyImportWh = v[next + 1];
    if (kind[next + 2] === FLAT_NUMBER) d.energyExportWh = v[next + 2];
    if (kind[next + 3] === FLAT_NUMBER) d.reactiveEnergyImportVarh = v[next + 3];
    if (kind[next + 4] === FLAT_NUMBER) d.reactiveEnergyExportVarh = v[next + 4];
  }
  return finishReading(d, timeIso);
}

/** One phase of a flat Kaifa list: current in mA, voltage in 0.1 V; only what the list carries. */
function phase(l: FlatList, currentAt: number, voltageAt: number): { currentA?: number; voltageV?: number } {
  const p: { currentA?: number; voltageV?: number } = {};
  if (l.kind[currentAt] === FLAT_NUMBER) p.currentA = l.value[currentAt] / 1000;
  if (l.kind[voltageAt] === FLAT_NUMBER) p.voltageV = l.value[voltageAt] / 10;
  return p;
}

/** Fields the list did not carry are removed (not left undefined), then the common rules. */
function finishKaifa(d: ReadingDraft, timeIso: string | undefined): MeterReading {
  for (const k of Object.keys(d)) if (d[k] === undefined) delete d[k];
  for (const p of ['l1', 'l2', 'l3']) {
    const ph = d[p] as Record<string, unknown> | undefined;
    if (ph) for (const k of Object.keys(ph)) if (ph[k] === undefined) delete ph[k];
  }
  return finishReading(d, timeIso);
}
