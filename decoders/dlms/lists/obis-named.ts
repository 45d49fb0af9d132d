/**
 * Lists whose values carry their OBIS names, in any of the three ways the reader understands
 * (push-list.ts):
 *
 *   tagged structures   array/structure of { logical name, value, [scaler_unit] }
 *                       Aidon (NO, SE), Landis+Gyr E350 (NO), TINETZ Kaifa (AT), the NEK HAN pattern
 *   interleaved         structure { [list id | date-time], name, value, [scaler_unit], name, value, ...,
 *                       [meter number] }: Austrian Kaifa and Sagemcom T210-D over M-Bus, Swedish
 *                       Kaifa MA304H4 (KFM_001, no scaler_unit)
 *   described           structure { capture-object descriptors, value 1, ..., value N-1 }:
 *                       Landis+Gyr E360 / E450 / E570 and Iskra AM550 push setups (CH and others)
 *
 * mapped through the one OBIS table (obis-values.ts). Units of voltage and current sent without a
 * scaler_unit: Kaifa's documented ones for a KFM list, else inferred or left absent
 * (phase-units.ts). Meter id: 0-0:96.1.x when sent; else, in an interleaved list, the last
 * untagged printable octet-string (Austrian Kaifa and Sagemcom put the meter number there);
 * else the COSEM logical device name 0-0:42.0.0.
 *
 * Aidon quirk: the clock (0-0:1.0.0, list 3) is Norwegian local time, but its deviation field
 * does not follow the rule (a June 2019 frame says +60 = UTC-01:00 by IEC 62056-6-2 while Norway
 * was at UTC+02:00; amsreader-firmware ignores the field and converts from CET/CEST). For Aidon
 * lists the offset is therefore dropped: local time without offset, rather than a wrong one.
 */
import type { ListShape } from './list-shape';
import { mapNamedValues } from './obis-values';
import { UNITS_INFER, UNITS_KAIFA } from './phase-units';
import { finishReading, itemText, newDraft, type ReadingDraft } from './values';

/** "2019-06-12T18:00:00-01:00" -> "2019-06-12T18:00:00". */
function withoutOffset(iso: string): string {
  const n = iso.length;
  const sign = iso.charAt(n - 6);
  return (sign === '+' || sign === '-') && iso.charAt(n - 3) === ':' ? iso.slice(0, n - 6) : iso;
}

/** Kaifa's documented units for a KFM_001 list, else inference (phase-units.ts). */
function unitsOf(draft: ReadingDraft): number {
  const id = draft.listId;
  return typeof id === 'string' && id.indexOf('KFM') === 0 ? UNITS_KAIFA : UNITS_INFER;
}

export const obisNamed: ListShape = {
  name: 'obis-named',
  meters: 'Aidon (NO, SE), L+G E350 (NO), Kaifa (AT, SE), Sagemcom T210-D (AT), L+G E360/E450/E570 and Iskra AM550 push setups (CH)',
  detect(l) {
    // more than half of the items tagged structures, a described list, or (in a structure) two
    // or more interleaved names
    return l.described || l.tagged * 2 > l.count || (l.listTag === 0x02 && l.named - l.tagged >= 2);
  },
  map(l, timeIso) {
    const draft = newDraft();
    const named = mapNamedValues(draft, l, unitsOf);
    if (named.mapped === 0) return l.described ? 'no known OBIS codes in the described list' : 'no known OBIS codes in the list';
    if (draft.meterId === undefined && !l.described && l.tagged === 0) {
      // Austrian Kaifa / Sagemcom: the meter number is the last, untagged printable octet-string.
      const last = l.count - 1;
      const text = itemText(l, last);
      if (text !== undefined && l.nameAt[last] < 0 && !(l.type[last - 1] === 0x09 && l.len[last - 1] === 6)) draft.meterId = text;
    }
    if (draft.meterId === undefined && named.deviceName !== undefined) draft.meterId = named.deviceName;
    const listId = draft.listId;
    if (typeof listId === 'string' && listId.indexOf('AIDON') === 0 && typeof draft.meterTime === 'string') {
      draft.meterTime = withoutOffset(draft.meterTime);
    }
    return finishReading(draft, timeIso);
  },
};
