/**
 * THE registry of HAN list shapes. A push list (read once by push-list.ts) is offered to each
 * shape in order; the first whose detect() accepts it maps it. Order matters only where shapes
 * overlap: specific shapes (list id or exact layout) come before the generic OBIS one.
 * To support a new meter, add a file with a ListShape and one line here.
 */
import type { DecodeError, MeterReading } from '../../reading';
import type { PushList } from '../push-list';
import { austriaIm350 } from './austria-im350';
import { iskraIe5 } from './iskra-ie5';
import { kaifaPositional } from './kaifa-positional';
import { kamstrupList } from './kamstrup';
import type { ListShape } from './list-shape';
import { lgE450Austria } from './lg-e450-austria';
import { obisNamed } from './obis-named';
import { sloveniaEceList1, sloveniaEceList1OnePhase, sloveniaEceList2 } from './slovenia-ece';
import { sloveniaIskraEnergy4, sloveniaIskraEnergy9, sloveniaIskraOnePhase, sloveniaIskraUp3f } from './slovenia-iskra-more';

const SHAPES: readonly ListShape[] = Object.freeze([
  kamstrupList,
  kaifaPositional,
  austriaIm350,
  lgE450Austria,
  sloveniaEceList1,
  sloveniaEceList2,
  obisNamed,
  sloveniaIskraUp3f,
  sloveniaIskraOnePhase,
  sloveniaIskraEnergy9,
  sloveniaIskraEnergy4,
  sloveniaEceList1OnePhase,
  iskraIe5,
]);

export type ListResult = { ok: true; reading: MeterReading; shape: string } | { ok: false; error: DecodeError };

/** The reading of a push list: the first shape that detects it maps it; `encrypted` is stated on it. */
export function listToReading(l: PushList, timeIso: string | undefined, encrypted: boolean): ListResult {
  for (let k = 0; k < SHAPES.length; k++) {
    const shape = SHAPES[k];
    if (!shape.detect(l)) continue;
    const r = shape.map(l, timeIso);
    if (typeof r === 'string') return { ok: false, error: { code: 'unsupported', message: `${shape.name}: ${r}` } };
    if (encrypted) r.encrypted = true;
    return { ok: true, reading: r, shape: shape.name };
  }
  return { ok: false, error: { code: 'unsupported', message: 'data-notification list shape not recognised' } };
}
