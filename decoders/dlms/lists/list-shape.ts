/** One entry of the list-shape registry: how to recognise a meter's push list and map it. */
import type { MeterReading } from '../../reading';
import type { PushList } from '../push-list';

export interface ListShape {
  /** Stable name, shown in errors and the README table. */
  name: string;
  /** Which meters send this shape (documentation). */
  meters: string;
  /** Whether the list (read once by push-list.ts) is this shape. */
  detect(l: PushList): boolean;
  /** Reading (with the notification's time when the list has no clock), or a human reason why the list could not be mapped. */
  map(l: PushList, timeIso: string | undefined): MeterReading | string;
}
