/**
 * Kamstrup OMNIPOWER (Norway, Sweden, Denmark, Switzerland; list id "Kamstrup_V0001"): a structure
 * opening with the list id as a visible-string, then OBIS names interleaved with their values,
 * no scaler_unit at all:
 *
 *   { "Kamstrup_V0001", name, value, name, value, ... }     list 1: 1-1:1.7.0 only; list 2 (10 s):
 *   id, type, P+ P- Q+ Q-, I, U; list 3 (hourly): + clock, A+ A- R+ R- (1-phase lists omit L2/L3)
 *
 * Units from Kamstrup's HAN description: voltage 1 V, power W / var, energy 0.01 kWh (10 Wh),
 * current 0.01 A on direct meters. The Swedish/Danish ("not Norwegian") frames in the vectors
 * follow the same scaling (9.96 A / 231 V / 2531 W are plausible only so). Meters with current
 * transformers send 0.001 A: told apart by what a direct meter cannot measure (phase-units.ts).
 */
import type { ListShape } from './list-shape';
import { mapNamedValues } from './obis-values';
import { UNITS_KAMSTRUP } from './phase-units';
import { finishReading, listIdText, newDraft, positional } from './values';

export const kamstrupList: ListShape = {
  name: 'kamstrup',
  meters: 'Kamstrup OMNIPOWER direct and CT meters (NO, SE, DK, CH), list id Kamstrup_V0001',
  detect(l) {
    if (!positional(l) || l.listTag !== 0x02 || l.count < 3) return false;
    const id = listIdText(l);
    return id !== undefined && id.indexOf('Kamstrup') === 0 && l.named > 0;
  },
  map(l, timeIso) {
    const draft = newDraft();
    if (mapNamedValues(draft, l, UNITS_KAMSTRUP).mapped === 0) return 'no known OBIS codes in the list';
    const r = finishReading(draft, timeIso);
    r.listId = listIdText(l);
    r.manufacturer = 'Kamstrup';
    return r;
  },
};
