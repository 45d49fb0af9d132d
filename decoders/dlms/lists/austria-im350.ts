/**
 * Austrian "Kundenschnittstelle" list of Siemens IM350 and Iskraemeco AM550 (Wiener Netze,
 * eww Wels, KNG Kärnten Netz; decrypted from general-glo-ciphering):
 *
 *   { 0-6:25.9.0 (octets 00 06 19 09 00 FF), meter number (octets), time (octets 4: hh mm ss hs),
 *     date (octets 5: yyyy mm dd dow), A+ Wh, A- Wh, R+ varh, R- varh, P+ W, P- W,
 *     [customer info octets, customer info octets] }
 *
 * All six values are double-long-unsigned without scaler (Wiener Netze "Kundenschnittstelle"
 * description). The clock comes from the notification header (with deviation and DST status).
 */
import { ITEM_NUMBER } from '../push-list';
import type { ListShape } from './list-shape';
import { finishReading, itemIsName, itemText, newDraft, num, positional } from './values';

export const austriaIm350: ListShape = {
  name: 'austria-im350',
  meters: 'Siemens IM350, Iskraemeco AM550 (AT: Wiener Netze, Wels, Kärnten), encrypted',
  detect(l) {
    if (!positional(l) || l.listTag !== 0x02 || l.count < 10 || !itemIsName(l, 0, 0, 6, 25, 9, 0)) return false;
    for (let i = 4; i < 10; i++) if (l.kind[i] !== ITEM_NUMBER) return false;
    return true;
  },
  map(l, timeIso) {
    const d = newDraft();
    const id = itemText(l, 1);
    if (id !== undefined) d.meterId = id;
    d.energyImportWh = num(l, 4);
    d.energyExportWh = num(l, 5);
    d.reactiveEnergyImportVarh = num(l, 6);
    d.reactiveEnergyExportVarh = num(l, 7);
    d.powerImportW = num(l, 8);
    d.powerExportW = num(l, 9);
    return finishReading(d, timeIso);
  },
};
