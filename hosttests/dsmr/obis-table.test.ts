import { lookupObis, lookupObisParts, parseObisText, setObisField, unitScale } from '../../decoders/obis/obis-table';

describe('OBIS table', () => {
  it('finds an entry from DSMR text, dotted HAN text and a 6-byte logical name alike', () => {
    const byText = lookupObis('1-0:31.7.0');
    expect(byText?.field).toEqual(['l1', 'currentA']);
    expect(byText?.unit).toBe('A');
    expect(lookupObis('1-0:31.7.0.255')).toBe(byText);
    expect(lookupObis('1.0.31.7.0.255')).toBe(byText);
    expect(lookupObis(new Uint8Array([1, 0, 31, 7, 0, 255]))).toBe(byText);
  });
  it('ignores B for electricity (1-1:1.8.1 as the XT211 sends it) but not for M-Bus channels', () => {
    expect(lookupObisParts(1, 1, 1, 8, 1)?.field).toEqual(['energyImportTariffWh', 0]);
    expect(lookupObis('0-0:96.1.0')?.field).toEqual(['meterId']);
    expect(lookupObis('0-2:96.1.0')?.shape).toBe('mbus-id');
    expect(lookupObis('0-3:24.2.1')?.shape).toBe('mbus-value');
  });
  it('returns undefined for unknown or malformed codes', () => {
    expect(lookupObis('1-0:99.99.9')).toBeUndefined();
    expect(lookupObis('1-0:31.7')).toBeUndefined();
    expect(parseObisText('1-0:31.x.0')).toBeUndefined();
    expect(lookupObis(new Uint8Array([1, 0]))).toBeUndefined();
  });
  it('scales wire units to the base unit and refuses mismatched ones', () => {
    expect(unitScale('kW', 'W')).toBe(1000);
    expect(unitScale('kwh', 'Wh')).toBe(1000);
    expect(unitScale('kVArh', 'varh')).toBe(1000);
    expect(unitScale('Wh', 'Wh')).toBe(1);
    expect(unitScale('V', 'A')).toBeUndefined();
  });
  it('sets nested fields without touching siblings', () => {
    const r: Record<string, unknown> = { l1: { voltageV: 230 } };
    setObisField(r, ['l1', 'currentA'], 5);
    setObisField(r, ['energyImportTariffWh', 1], 7);
    expect(r).toEqual({ l1: { voltageV: 230, currentA: 5 }, energyImportTariffWh: [undefined, 7] });
  });
});
