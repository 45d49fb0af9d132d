/**
 * "Described list" (Landis+Gyr E450 push setups, e.g. Switzerland): the body is a structure whose
 * first element describes the rest, as the push setup's capture objects:
 *
 *   { array[N] of { class-id (long-unsigned), logical name (octets 6), attribute (integer),
 *                   data-index (long-unsigned) },
 *     value 1, ..., value N-1 }
 *
 * The first descriptor is the push setup itself (0-6:25.9.0) and has no value. A value whose
 * descriptor names attribute 2 (the register value) is mapped through the OBIS table; when the
 * list also carries the register's attribute 3 (scaler_unit) it is applied, otherwise the value
 * is taken in the field's base unit (W, Wh, var, varh) - which the one capture confirms for
 * energy (its 1-1:1.8.0 = 19 809 717 Wh). Voltage and current without a scaler_unit are left
 * absent: their scale differs between meters (0.1 V / 0.01 A or 1 V / 1 A) and a guess is worse
 * than nothing for the headroom.
 */
import type { AxdrValue } from '../axdr';
import { NEVER_FLAT, type ListShape } from './list-shape';
import { applyObisValue, finishReading, isLogicalName, newDraft, num, sameName, scalerUnit } from './values';

function descriptors(items: AxdrValue[]): AxdrValue[] | undefined {
  const first = items[0];
  if (!first || (first.kind !== 'array' && first.kind !== 'structure')) return undefined;
  return first.items;
}

function isDescriptor(v: AxdrValue): v is { kind: 'structure'; items: AxdrValue[] } {
  return v.kind === 'structure' && v.items.length === 4 && isLogicalName(v.items[1]) && v.items[0].kind === 'number';
}

function key(name: Uint8Array): string {
  return `${name[0]}.${name[1]}.${name[2]}.${name[3]}.${name[4]}`;
}

export const describedList: ListShape = {
  name: 'described-list',
  meters: 'Landis+Gyr E450 push setups with capture-object descriptors (CH, others)',
  detect(n) {
    const b = n.body;
    if (b.kind !== 'structure') return false;
    const d = descriptors(b.items);
    if (!d || d.length !== b.items.length || d.length < 2) return false;
    for (const x of d) if (!isDescriptor(x)) return false;
    return true;
  },
  map(n) {
    const items = (n.body as { items: AxdrValue[] }).items;
    const d = descriptors(items) as { items: AxdrValue[] }[];
    const scalers: Record<string, { scaler: number; unit: number }> = {};
    let next = 1;
    const values: { name: Uint8Array; attr: number; value: AxdrValue }[] = [];
    for (let i = 0; i < d.length; i++) {
      const name = (d[i].items[1] as { bytes: Uint8Array }).bytes;
      if (i === 0 && sameName(d[i].items[1], 0, 6, 25, 9, 0)) continue;
      const value = items[next++];
      if (!value) break;
      const attr = num(d[i].items[2]) ?? 0;
      if (attr === 3) {
        const su = scalerUnit(value);
        if (su) scalers[key(name)] = su;
      } else values.push({ name, attr, value });
    }
    const draft = newDraft();
    let mapped = 0;
    for (const { name, attr, value } of values) {
      if (attr !== 2) continue;
      // (a voltage or current without scaler_unit is left absent by applyObisValue, see header)
      if (applyObisValue(draft, name, value, scalers[key(name)])) mapped++;
    }
    if (mapped === 0) return 'no known OBIS codes in the described list';
    return finishReading(draft, n.time?.iso);
  },
  // (its first item is an array or structure of descriptors)
  flat: NEVER_FLAT,
};
