/**
 * Line shapes and value rules of the DSMR parser, one behaviour per test, on small telegrams
 * built from lines of the real vectors (parseTelegramText: the splitter already framed them).
 */
import { parseTelegramText } from '../../decoders/dsmr/parse-telegram';
import { parseDsmrTimestamp } from '../../decoders/dsmr/timestamp';
import { readNumber } from '../../decoders/dsmr/value';
import { hexToPrintableAscii } from '../../decoders/util/ascii';

const telegram = (...lines: string[]): string => ['/ISk5\\2MT382-1000', '', ...lines, '!'].join('\r\n');
const parse = (...lines: string[]) => parseTelegramText(telegram(...lines)).reading;

describe('time stamps', () => {
  const ts = (s: string) => parseDsmrTimestamp(s, 0, s.length);
  it('S = summer time +02:00, W = winter time +01:00, lower case accepted', () => {
    expect(ts('200512135409S')).toBe('2020-05-12T13:54:09+02:00');
    expect(ts('101209113020W')).toBe('2010-12-09T11:30:20+01:00');
    expect(ts('101209113020w')).toBe('2010-12-09T11:30:20+01:00');
  });
  it('DSMR 2.2/3 stamps without flag keep no offset', () => {
    expect(ts('161107190000')).toBe('2016-11-07T19:00:00');
  });
  it('invalid stamps are undefined, never invented', () => {
    for (const bad of [
      '632525252525W',
      '250000000000W',
      '123412341234W',
      '230230120000W',
      '210229000000W',
      '2305121354X9S',
      '200512135409X',
      '2005121354',
      '',
    ]) {
      expect({ bad, t: ts(bad) }).toEqual({ bad, t: undefined });
    }
    expect(ts('200229000000W')).toBe('2020-02-29T00:00:00+01:00');
  });
  it('the 1970 epoch placeholder stays 1970, not 2070', () => {
    expect(ts('700101010000W')).toBe('1970-01-01T01:00:00+01:00');
  });
});

describe('numbers and units', () => {
  const n = (s: string, unit: 'W' | 'Wh' | 'A' | 'V' | '' = 'W') => readNumber(s, 0, s.length, unit);
  it('kW and kWh become W and Wh without float noise', () => {
    expect(n('01.193*kW')).toEqual({ ok: true, value: 1193 });
    expect(n('001.19*kW')).toEqual({ ok: true, value: 1190 });
    expect(n('00052185.7825309*kWh', 'Wh')).toEqual({ ok: true, value: 52185782.5309 });
    expect(n('123456.789*kwh', 'Wh')).toEqual({ ok: true, value: 123456789 });
  });
  it('W and Wh integer units (Sagemcom T210-D-r) are taken as they are', () => {
    expect(n('000000286*W')).toEqual({ ok: true, value: 286 });
    expect(n('006545766*Wh', 'Wh')).toEqual({ ok: true, value: 6545766 });
  });
  it('a unit that does not fit the field is refused, not converted', () => {
    expect(n('016*A', 'W')).toEqual({ ok: false, reason: 'unit' });
  });
  it('empty and non-numeric values are refused', () => {
    expect(n('')).toEqual({ ok: false, reason: 'empty' });
    expect(n('*kW')).toEqual({ ok: false, reason: 'not-a-number' });
    expect(n('0x10')).toEqual({ ok: false, reason: 'not-a-number' });
    expect(n('1e3*kW')).toEqual({ ok: false, reason: 'not-a-number' });
    expect(n(' 12')).toEqual({ ok: false, reason: 'not-a-number' });
  });
});

describe('telegram lines', () => {
  it('a missing value leaves the field absent, never 0', () => {
    const r = parse('1-0:31.7.0()', '1-0:51.7.0(002*A)', '1-0:32.7.0(abc*V)');
    expect(r.l1).toBeUndefined();
    expect(r.l2).toEqual({ currentA: 2 });
    expect(parseTelegramText(telegram('1-0:32.7.0(abc*V)')).badValues).toBe(1);
  });
  it('the header gives listId and the maker flag', () => {
    const r = parse();
    expect(r.listId).toBe('ISk5\\2MT382-1000');
    expect(r.manufacturer).toBe('ISk');
  });
  it('equipment ids are hex-decoded when they are hex ASCII, kept raw otherwise', () => {
    expect(parse('0-0:96.1.1(4B384547303034303436333935353037)').meterId).toBe('K8EG004046395507');
    expect(parse('0-0:96.1.1(ADC3100000158491)').meterId).toBe('ADC3100000158491');
    expect(parse('0-0:96.1.1(00000000000000)').meterId).toBe('00000000000000');
  });
  it('text messages: hex-coded decoded, empty absent', () => {
    expect(parse('0-0:96.13.0(48656C6C6F)').textMessage).toBe('Hello');
    expect(parse('0-0:96.13.0()').textMessage).toBeUndefined();
  });
  it('gas with its own time stamp (0-n:24.2.1) and the type from 24.1.0', () => {
    const r = parse('0-1:24.1.0(003)', '0-1:96.1.0(4730303332353631323930333235)', '0-1:24.2.1(101209110000W)(12785.123*m3)');
    expect(r.subMeters).toEqual([
      { channel: 1, type: 'gas', deviceType: 3, id: 'G0032561290325', value: 12785.123, unit: 'm3', time: '2010-12-09T11:00:00+01:00' },
    ]);
  });
  it('DSMR 2.2/3 gas: 0-n:24.3.0 header with the value on the next line', () => {
    const r = parse('0-1:24.1.0(3)', '0-1:24.3.0(090212160000)(00)(60)(1)(0-1:24.2.1)(m3)', '(00001.001)', '0-1:24.4.0(1)');
    expect(r.subMeters).toEqual([{ channel: 1, type: 'gas', deviceType: 3, value: 1.001, unit: 'm3', time: '2009-02-12T16:00:00' }]);
  });
  it('sub-meters keep channel order whatever order their lines come in', () => {
    const r = parse('0-2:24.1.0(007)', '0-1:24.1.0(003)');
    expect(r.subMeters?.map((m) => [m.channel, m.type])).toEqual([
      [1, 'gas'],
      [2, 'water'],
    ]);
  });
  it('power failure log 1-0:99.97.0 (multi-value line)', () => {
    const r = parse('1-0:99.97.0(2)(0-0:96.7.19)(101208152415W)(0000000240*s)(101208151004W)(0000000301*s)');
    expect(r.powerFailureLog).toEqual([
      { endTime: '2010-12-08T15:24:15+01:00', durationS: 240 },
      { endTime: '2010-12-08T15:10:04+01:00', durationS: 301 },
    ]);
    expect(parse('1-0:99.97.0(0)(0-0:96.7.19)').powerFailureLog).toEqual([]);
  });
  it('Belgian capacity tariff: average demand, month peak, peak history with an invalid stamp kept absent', () => {
    const r = parse(
      '1-0:1.4.0(02.351*kW)',
      '1-0:1.6.0(200509134558S)(02.589*kW)',
      '0-0:98.1.0(2)(1-0:1.6.0)(1-0:1.6.0)(230801000000S)(632525252525W)(00.000*kW)(230901000000S)(230831181500S)(01.862*kW)',
    );
    expect(r.averageDemandW).toBe(2351);
    expect(r.monthPeakW).toBe(2589);
    expect(r.monthPeakTime).toBe('2020-05-09T13:45:58+02:00');
    expect(r.peakHistory).toEqual([
      { powerW: 0, periodTime: '2023-08-01T00:00:00+02:00' },
      { powerW: 1862, periodTime: '2023-09-01T00:00:00+02:00', peakTime: '2023-08-31T18:15:00+02:00' },
    ]);
  });
  it('E.ON Hungary 0-0:98.1.0 billing snapshot is not mistaken for a peak history', () => {
    expect(parse('0-0:98.1.0(230701000000S)(000040.777*kWh)(000008.950*kWh)(03.564*kW)(02.156*kW)(03.564*kW)').peakHistory).toBeUndefined();
  });
  it('OBIS quirks: "*255" and ".255" F groups, ":" typo, B channel on electricity (1-1:)', () => {
    const r = parse('1-0:1.8.0*255(00052185.7825309*kWh)', '1-0:31.7.0.255(001*A)', '1-0:72:32.0(00004)', '1-1:1.7.0(01.622*kW)');
    expect(r.energyImportWh).toBe(52185782.5309);
    expect(r.l1?.currentA).toBe(1);
    expect(r.voltageSags?.l3).toBe(4);
    expect(r.powerImportW).toBe(1622);
  });
  it('per-tariff registers, tariff indicator, breaker, threshold in kW', () => {
    const r = parse('1-0:1.8.1(000010.181*kWh)', '1-0:2.8.2(000010.282*kWh)', '0-0:96.14.0(0002)', '0-0:96.3.10(1)', '0-0:17.0.0(999.9*kW)');
    expect(r.energyImportTariffWh).toEqual([10181]);
    expect(r.energyExportTariffWh?.[1]).toBe(10282);
    expect(r.tariff).toBe(2);
    expect(r.breakerState).toBe(1);
    expect(r.powerThresholdW).toBe(999900);
  });
  it('phaseCount: 3 when any L2/L3 value is sent, 1 for L1 only, absent when no per-phase values', () => {
    expect(parse('1-0:31.7.0(001*A)', '1-0:51.7.0(002*A)').phaseCount).toBe(3);
    expect(parse('1-0:31.7.0(001*A)', '1-0:32.7.0(230.1*V)').phaseCount).toBe(1);
    expect(parse('1-0:1.7.0(01.193*kW)').phaseCount).toBeUndefined();
  });
  it('unknown objects and stray lines are counted and skipped', () => {
    const p = parseTelegramText(telegram('1-0:14.7.0(50.00*Hz)', 'garbage line', '1-0:1.7.0(01.193*kW)'));
    expect(p.unknownObjects).toBe(1);
    expect(p.reading.powerImportW).toBe(1193);
  });
  it('a value wrapped onto the next line is joined', () => {
    expect(parse('0-0:96.13.0(48656C6C', '6F)', '1-0:1.7.0(01.193*kW)').textMessage).toBe('Hello');
  });
});

describe('hexToPrintableAscii', () => {
  it('decodes printable hex ASCII of any even length, upper or lower case', () => {
    expect(hexToPrintableAscii('4B384547303034303436333935353037')).toBe('K8EG004046395507');
    expect(hexToPrintableAscii('48656c6c6f')).toBe('Hello');
    expect(hexToPrintableAscii('41')).toBe('A');
  });
  it('refuses odd lengths, non-hex, spaces, signs and non-printable bytes', () => {
    for (const bad of ['', '4', '4B3', '4G', '4B 38', '4B3845  ', '-41', '0x41', '00', '4B38454700', '7F']) {
      expect({ bad, out: hexToPrintableAscii(bad) }).toEqual({ bad, out: undefined });
    }
  });
});
