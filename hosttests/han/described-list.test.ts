/**
 * The "described list" shape. Its only capture (node-dsmr-parser described-list) is broken twice:
 * the FCS fails (the source says crcValid: false) and the structure announces 28 elements but
 * carries 25 (the values of 1-1:8.8.1, 1-1:8.8.2 and 1-0:13.7.0 are missing; node-dsmr-parser
 * reports them null). It is rejected in broken-vectors.test.ts. Here the same real bytes are
 * repaired the honest way - the three value-less descriptors are removed and the counts lowered,
 * nothing is invented - and the list is decoded.
 */
import { DlmsApduDecoder } from '../../decoders/dlms/apdu';
import { listToReading } from '../../decoders/dlms/lists/registry';
import { loadHanVectors } from './vectors';

test('described list: descriptors + values, mapped through the OBIS table', () => {
  const v = loadHanVectors().find((x) => x.name === 'node-dsmr-parser/described-list')!;
  const b = v.bytes;
  const apduStart = 11; // 7E A2 AF 03 05 00 HCS(2) E6 E7 00
  const header = b.subarray(apduStart, apduStart + 18); // 0F, invoke id, 0C + date-time
  const bodyAt = apduStart + 18;
  expect([...b.subarray(bodyAt, bodyAt + 4)]).toEqual([0x02, 0x1c, 0x01, 0x1c]);
  const DESCRIPTOR = 18; // 02 04 | 12 cc cc | 09 06 n*6 | 0F aa | 12 ii ii
  const descStart = bodyAt + 4;
  const valuesStart = descStart + 28 * DESCRIPTOR;
  const lastDescriptor = b.subarray(valuesStart - DESCRIPTOR, valuesStart);
  expect([...lastDescriptor.subarray(7, 13)]).toEqual([1, 0, 13, 7, 0, 255]); // one of the value-less three
  const values = b.subarray(valuesStart, b.length - 3); // before FCS and flag
  const apdu = Uint8Array.from([...header, 0x02, 25, 0x01, 25, ...b.subarray(descStart, valuesStart - 3 * DESCRIPTOR), ...values]);
  const out = new DlmsApduDecoder().decode(apdu);
  expect(out.kind === 'error' ? out.error.message : out.kind).toBe('list');
  if (out.kind !== 'list') return;
  expect(out.list.described).toBe(true);
  const r = listToReading(out.list, out.timeIso, out.encrypted);
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.shape).toBe('obis-named');
  // node-dsmr-parser's expected objects for this frame
  expect(r.reading).toMatchObject({
    powerImportW: 143,
    powerExportW: 0,
    reactivePowerImportVar: 0,
    reactivePowerExportVar: 205,
    energyImportWh: 19809717,
    energyImportTariffWh: [11164972, 8644745],
    energyExportWh: 4,
    energyExportTariffWh: [1, 3],
  });
  expect(r.reading.meterTime).toBe('2025-05-20T09:43:45+02:00');
});
