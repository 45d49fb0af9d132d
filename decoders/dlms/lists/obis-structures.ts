/**
 * "OBIS-tagged structures": the notification body is an array (or structure) of structures
 *
 *   { logical-name octet-string(6), value, [scaler_unit { integer scaler, enum unit }] }
 *
 * Aidon (Norway NEK list 1/2/3 "AIDON_V0001", 1-phase, 3-phase TN and IT; Sweden), TINETZ Kaifa
 * (Austria, after decryption) and other meters that follow the Norwegian/Swedish HAN pattern.
 * The items without scaler_unit are identity and clock objects.
 *
 * Aidon quirk: the clock (0-0:1.0.0, list 3) is Norwegian local time, but its deviation field
 * does not follow the rule (a June 2019 frame says +60 = UTC-01:00 by IEC 62056-6-2 while Norway
 * was at UTC+02:00; amsreader-firmware ignores the field and converts from CET/CEST). For Aidon
 * lists the offset is therefore dropped: local time without offset, rather than a wrong one.
 */
import type { AxdrValue } from '../axdr';
import type { DataNotification } from '../apdu';
import type { ListShape } from './list-shape';
import { applyObisValue, finishReading, isLogicalName, newDraft, scalerUnit } from './values';

function itemsOf(body: AxdrValue): AxdrValue[] | undefined {
  return body.kind === 'array' || body.kind === 'structure' ? body.items : undefined;
}

function isTagged(v: AxdrValue): boolean {
  return v.kind === 'structure' && v.items.length >= 2 && isLogicalName(v.items[0]);
}

/** "2019-06-12T18:00:00-01:00" -> "2019-06-12T18:00:00". */
function withoutOffset(iso: string): string {
  const n = iso.length;
  const sign = iso.charAt(n - 6);
  return (sign === '+' || sign === '-') && iso.charAt(n - 3) === ':' ? iso.slice(0, n - 6) : iso;
}

export const obisStructures: ListShape = {
  name: 'obis-structures',
  meters: 'Aidon (NO, SE), TINETZ Kaifa (AT), meters following the NEK HAN pattern',
  detect(n: DataNotification): boolean {
    const items = itemsOf(n.body);
    if (!items || items.length === 0) return false;
    let tagged = 0;
    for (const it of items) if (isTagged(it)) tagged++;
    return tagged * 2 > items.length;
  },
  map(n: DataNotification) {
    const draft = newDraft();
    let mapped = 0;
    for (const it of itemsOf(n.body) ?? []) {
      if (it.kind !== 'structure' || !isTagged(it)) continue;
      const name = (it.items[0] as { bytes: Uint8Array }).bytes;
      if (applyObisValue(draft, name, it.items[1], scalerUnit(it.items[2]))) mapped++;
    }
    if (mapped === 0) return 'no known OBIS codes in the list';
    const listId = draft.listId;
    if (typeof listId === 'string' && listId.indexOf('AIDON') === 0 && typeof draft.meterTime === 'string') {
      draft.meterTime = withoutOffset(draft.meterTime);
    }
    return finishReading(draft, n.time?.iso);
  },
};
