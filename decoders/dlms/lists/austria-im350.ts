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
import type { AxdrValue } from '../axdr';
import type { ListShape } from './list-shape';
import { FLAT_NUMBER } from '../flat-list';
import { finishReading, flatText, newDraft, num, sameName, text } from './values';

export const austriaIm350: ListShape = {
  name: 'austria-im350',
  meters: 'Siemens IM350, Iskraemeco AM550 (AT: Wiener Netze, Wels, Kärnten), encrypted',
  detect(n) {
    const b = n.body;
    if (b.kind !== 'structure' || b.items.length < 10) return false;
    if (!sameName(b.items[0], 0, 6, 25, 9, 0)) return false;
    for (let i = 4; i < 10; i++) if (b.items[i].kind !== 'number') return false;
    return true;
  },
  map(n) {
    const it = (n.body as { items: AxdrValue[] }).items;
    const d = newDraft();
    d.meterId = text(it[1]);
    if (d.meterId === undefined) delete d.meterId;
    d.energyImportWh = num(it[4]);
    d.energyExportWh = num(it[5]);
    d.reactiveEnergyImportVarh = num(it[6]);
    d.reactiveEnergyExportVarh = num(it[7]);
    d.powerImportW = num(it[8]);
    d.powerExportW = num(it[9]);
    return finishReading(d, n.time?.iso);
  },
  flat: {
    detect(l) {
      if (l.listTag !== 0x02 || l.count < 10 || !l.isName(0)) return false;
      const b = l.bytes;
      const at = l.at[0];
      if (b[at] !== 0 || b[at + 1] !== 6 || b[at + 2] !== 25 || b[at + 3] !== 9 || b[at + 4] !== 0) return false;
      for (let i = 4; i < 10; i++) if (l.kind[i] !== FLAT_NUMBER) return false;
      return true;
    },
    map(l, timeIso) {
      const d = newDraft();
      const id = flatText(l, 1);
      if (id !== undefined) d.meterId = id;
      d.energyImportWh = l.num(4);
      d.energyExportWh = l.num(5);
      d.reactiveEnergyImportVarh = l.num(6);
      d.reactiveEnergyExportVarh = l.num(7);
      d.powerImportW = l.num(8);
      d.powerExportW = l.num(9);
      return finishReading(d, timeIso);
    },
  },
};
