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
import type { MeterReading } from '../../reading';
import { readAxdr, type AxdrValue, type ByteReader } from '../axdr';
import type { DataNotification } from '../apdu';
import { NEVER_FLAT, type ListShape } from './list-shape';
import { FLAT_NUMBER, type FlatList } from '../flat-list';
import { applyObisFlatWith, applyObisValue, finishReading, isLogicalName, newDraft, scalerUnit } from './values';

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
  // (it wants more than half of the items to be tagged structures)
  flat: NEVER_FLAT,
};

/**
 * The same mapping straight from the bytes, for the splitters' hot path: a body whose items are
 * ALL OBIS-tagged structures (Aidon, TINETZ Kaifa...) is mapped without building the A-XDR tree
 * (under XS the tree costs ~160 computrons per value, most of the decode). With every item a
 * tagged structure, no shape before obisStructures in the registry accepts the list (they all
 * want a text, number or octet-string first item, or descriptor structures), so the result is
 * exactly obisStructures.map's; hosttests/han/fast-lists.test.ts compares both on every vector.
 * Returns undefined, with `r` left anywhere, when the body is anything else or does not parse:
 * the caller then takes the general path from the start (which reports the error).
 * `scalarsToo`: scalar items may stand between the structures (TINETZ Kaifa over M-Bus starts
 * with a bare clock name and the clock) and are passed by as obisStructures.map does; the caller
 * must have made sure no earlier shape accepts the list (apdu.ts mapNotification), and more than
 * half of the items must be tagged structures (obisStructures.detect).
 */
export function mapTaggedStructures(r: ByteReader, timeIso: string | undefined, flat: FlatList, scalarsToo = false): MeterReading | string | undefined {
  const b = r.bytes;
  // The flat list serves as one value slot (item 0) for the scalar values below.
  flat.bytes = b;
  flat.count = 1;
  const end = r.end;
  let p = r.pos;
  if (p + 2 > end || (b[p] !== 0x01 && b[p] !== 0x02) || b[p + 1] >= 0x80) return undefined;
  const count = b[p + 1];
  p += 2;
  if (count === 0 || count > end - p) return undefined;
  const draft = newDraft();
  let mapped = 0;
  let tagged = 0;
  try {
    for (let k = 0; k < count; k++) {
      if (b[p] !== 0x02) {
        if (!scalarsToo) return undefined;
        // A scalar between the tagged structures: obisStructures.map passes it by. Read only
        // for its extent (slot 1 of the flat list as scratch); anything else: general path.
        const q = flat.item(b, p, end, 1);
        if (q < 0) return undefined;
        p = q;
        r.pos = q;
        continue;
      }
      // 02 n 09 06 <logical name>: a structure of n >= 2 items led by a 6-byte octet-string.
      if (p + 10 > end || b[p] !== 0x02 || b[p + 1] >= 0x80 || b[p + 1] < 2 || b[p + 2] !== 0x09 || b[p + 3] !== 0x06) return undefined;
      const n = b[p + 1];
      if (n > end - p - 2) return undefined; // the tree walk's "items but bytes left" check
      const nameAt = p + 4;
      // The value: a scalar straight into the flat list's slot 0, else (a structure, a float...)
      // the A-XDR tree as before.
      let value: AxdrValue | undefined;
      let q: number;
      const v = p + 10;
      const tag = b[v];
      if (tag === 0x06 && v + 5 <= end) {
        // (the commonest value, double-long-unsigned, read here as flat.item reads it)
        flat.value[0] = b[v + 1] * 0x1000000 + ((b[v + 2] << 16) | (b[v + 3] << 8) | b[v + 4]);
        flat.tag[0] = 0x06;
        flat.kind[0] = FLAT_NUMBER;
        q = v + 5;
      } else if ((tag === 0x12 || tag === 0x10) && v + 3 <= end) {
        // long-unsigned / long (voltages, currents), as flat.item reads them
        const x = (b[v + 1] << 8) | b[v + 2];
        flat.value[0] = tag === 0x10 && x >= 0x8000 ? x - 0x10000 : x;
        flat.tag[0] = tag;
        flat.kind[0] = FLAT_NUMBER;
        q = v + 3;
      } else q = flat.item(b, v, end, 0);
      if (q < 0) {
        r.pos = v;
        value = readAxdr(r, 2);
        q = r.pos;
      }
      let su: { scaler: number; unit: number } | undefined;
      let withUnit = false;
      let scaler = 0;
      let unit = 0;
      if (n >= 3) {
        if (q + 6 <= end && b[q] === 0x02 && b[q + 1] === 0x02 && b[q + 2] === 0x0f && b[q + 4] === 0x16) {
          // the usual scaler_unit, as plain numbers (no object per value on the flat path)
          const sb = b[q + 3];
          withUnit = true;
          scaler = sb >= 0x80 ? sb - 0x100 : sb;
          unit = b[q + 5];
          r.pos = q + 6;
        } else {
          r.pos = q;
          su = scalerUnit(readAxdr(r, 2));
          if (su) {
            withUnit = true;
            scaler = su.scaler;
            unit = su.unit;
          }
        }
        for (let extra = 3; extra < n; extra++) readAxdr(r, 2);
      } else r.pos = q;
      if (withUnit && su === undefined && value !== undefined) su = { scaler, unit };
      const applied =
        value === undefined
          ? applyObisFlatWith(draft, flat, nameAt, 0, withUnit, withUnit ? scaler : undefined, unit)
          : applyObisValue(draft, b.subarray(nameAt, nameAt + 6), value, su);
      if (applied) mapped++;
      tagged++;
      p = r.pos;
    }
  } catch {
    return undefined;
  }
  // (with scalars: obisStructures.detect's rule, more than half of the items tagged structures;
  // else the registry decides on the tree)
  if (scalarsToo && tagged * 2 <= count) return undefined;
  if (mapped === 0) return 'no known OBIS codes in the list';
  const listId = draft.listId;
  if (typeof listId === 'string' && listId.indexOf('AIDON') === 0 && typeof draft.meterTime === 'string') {
    draft.meterTime = withoutOffset(draft.meterTime);
  }
  return finishReading(draft, timeIso);
}
