/** One entry of the list-shape registry: how to recognise a meter's push list and map it. */
import type { MeterReading } from '../../reading';
import type { DataNotification } from '../apdu';
import type { FlatList } from '../flat-list';

export interface ListShape {
  /** Stable name, shown in errors and the README table. */
  name: string;
  /** Which meters send this shape (documentation). */
  meters: string;
  detect(n: DataNotification): boolean;
  /** Reading, or a human reason why the list could not be mapped. */
  map(n: DataNotification): MeterReading | string;
  /**
   * Optional, for speed: the same detect and map for a list of scalars read straight from the
   * bytes (flat-list.ts), with the notification's time. For every flat list they must give
   * exactly what detect/map give for its A-XDR tree (hosttests/han/fast-lists.test.ts). The
   * registry uses them only while every shape before has them too.
   */
  flat?: {
    detect(l: FlatList): boolean;
    map(l: FlatList, timeIso: string | undefined): MeterReading | string;
  };
}

/**
 * The flat form of a shape that never accepts a list of scalars (its detect wants structures):
 * the registry's flat path passes it by instead of stopping there.
 */
export const NEVER_FLAT: NonNullable<ListShape['flat']> = Object.freeze({
  detect: (): boolean => false,
  map: (): string => 'a list of scalars is never this shape',
});
