/**
 * THE registry of HAN list shapes. A data-notification is offered to each shape in order; the
 * first whose detect() accepts it maps it. Order matters only where shapes overlap: specific
 * shapes (list id or exact layout) come before the generic OBIS walkers.
 * To support a new meter, add a file with a ListShape and one line here.
 */
import type { DecodeError, MeterReading } from '../../reading';
import type { DataNotification } from '../apdu';
import type { FlatList } from '../flat-list';
import { austriaIm350 } from './austria-im350';
import { describedList } from './described-list';
import { kaifaPositional } from './kaifa-positional';
import type { ListShape } from './list-shape';
import { lgE450Austria } from './lg-e450-austria';
import { kamstrupList, obisInterleaved } from './obis-interleaved';
import { obisStructures } from './obis-structures';
import { sloveniaEceList1, sloveniaEceList2 } from './slovenia-ece';
import { sloveniaIskraOnePhase, sloveniaIskraUp3f } from './slovenia-iskra-more';

// The splitters map a list whose items are ALL OBIS-tagged structures without this registry
// (obis-structures.ts mapTaggedStructures, for speed): no shape before obisStructures may accept
// such a list. hosttests/han/fast-lists.test.ts compares both paths on every HAN vector.
const SHAPES: readonly ListShape[] = Object.freeze([
  kamstrupList,
  kaifaPositional,
  austriaIm350,
  lgE450Austria,
  sloveniaEceList1,
  sloveniaEceList2,
  describedList,
  obisStructures,
  obisInterleaved,
  sloveniaIskraUp3f,
  sloveniaIskraOnePhase,
]);

export function listShapes(): readonly ListShape[] {
  return SHAPES;
}

/**
 * notificationToReading for a list of scalars read straight from the bytes (flat-list.ts): the
 * shapes in the same order, each through its `flat` detect/map. Undefined as soon as a shape
 * without a flat form would be asked (it might accept the list): the caller then builds the
 * A-XDR tree and asks notificationToReading, so the registry's answer never changes.
 */
export function flatListToReading(
  l: FlatList,
  timeIso: string | undefined,
  encrypted: boolean,
): { ok: true; reading: MeterReading } | { ok: false; error: DecodeError } | undefined {
  for (let k = 0; k < SHAPES.length; k++) {
    const shape = SHAPES[k];
    const flat = shape.flat;
    if (flat === undefined) return undefined;
    if (!flat.detect(l)) continue;
    const r = flat.map(l, timeIso);
    if (typeof r === 'string') return { ok: false, error: { code: 'unsupported', message: `${shape.name}: ${r}` } };
    if (encrypted) r.encrypted = true;
    return { ok: true, reading: r };
  }
  return undefined;
}

export function notificationToReading(
  n: DataNotification,
): { ok: true; reading: MeterReading; shape: string } | { ok: false; error: DecodeError } {
  for (const shape of SHAPES) {
    if (!shape.detect(n)) continue;
    const r = shape.map(n);
    if (typeof r === 'string') return { ok: false, error: { code: 'unsupported', message: `${shape.name}: ${r}` } };
    if (n.encrypted) r.encrypted = true;
    return { ok: true, reading: r, shape: shape.name };
  }
  return { ok: false, error: { code: 'unsupported', message: 'data-notification list shape not recognised' } };
}
