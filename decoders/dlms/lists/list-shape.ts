/** One entry of the list-shape registry: how to recognise a meter's push list and map it. */
import type { MeterReading } from '../../reading';
import type { DataNotification } from '../apdu';

export interface ListShape {
  /** Stable name, shown in errors and the README table. */
  name: string;
  /** Which meters send this shape (documentation). */
  meters: string;
  detect(n: DataNotification): boolean;
  /** Reading, or a human reason why the list could not be mapped. */
  map(n: DataNotification): MeterReading | string;
}
