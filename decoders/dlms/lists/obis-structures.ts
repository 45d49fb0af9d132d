/**
 * "OBIS-tagged structures": the notification body is an array (or structure) of structures
 *
 *   { logical-name octet-string(6), value, [scaler_unit { integer scaler, enum unit }] }
 *
 * Aidon (Norway NEK list 1/2/3 "AIDON_V0001", 1-phase, 3-phase TN and IT; Sweden), TINETZ Kaifa
 * (Austria, after decryption) and other meters that follow the Norwegian/Swedish HAN pattern.
 * The items without scaler_unit are identity and clock objects.
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
    return finishReading(draft, n.time?.iso);
  },
};
