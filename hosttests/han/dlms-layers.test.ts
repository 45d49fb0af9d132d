/**
 * The layers under the list shapes: CRC-16/X.25, A-XDR bounds, COSEM date-time, glo-ciphering
 * plaintext against the sources' decrypted APDUs, general-block-transfer reassembly.
 */
import { DlmsApduDecoder } from '../../decoders/dlms/apdu';
import { PushList, ITEM_NUMBER } from '../../decoders/dlms/push-list';
import { apduOutcomeToResult } from '../../decoders/dlms/dlms-result';
import { decodeCosemDateTime } from '../../decoders/dlms/cosem-datetime';
import { unwrapGloCiphering } from '../../decoders/dlms/glo-ciphering';
import { HdlcSplitter } from '../../decoders/hdlc/hdlc-splitter';
import { listToReading } from '../../decoders/dlms/lists/registry';
import { crc16X25 } from '../../decoders/util/crc16-x25';
import { parseHexText, toHex } from '../../decoders/util/hex';
import { loadHanVectors } from './vectors';

const vectors = loadHanVectors();
const named = (n: string) => vectors.find((v) => v.name === n)!;

test('CRC-16/X.25 check value ("123456789" -> 0x906E) and a real HCS', () => {
  expect(crc16X25(new TextEncoder().encode('123456789'))).toBe(0x906e);
  const b = named('ams-han-decoder/AIDON_V0001__6515-1-ok-L210-1').bytes;
  // 7E | A0 D2 41 08 83 13 | HCS 82 D6 (LSB first)
  expect(crc16X25(b, 1, 7)).toBe(0xd682);
});

test('A-XDR (the list reader): a hostile element count fails cleanly instead of looping or allocating', () => {
  const l = new PushList();
  const hostile = parseHexText('01 84 7F FF FF FF 11 01');
  expect(l.read(hostile, 0, hostile.length)).toBe(-1);
  expect(l.error).toMatch(/items but 2 bytes left/);
  const nested = parseHexText('02 01 02 7F 11 01');
  expect(l.read(nested, 0, nested.length)).toBe(-1);
  expect(l.error).toMatch(/items/);
  const deep = new Uint8Array(200).fill(0x02).map((x, i) => (i % 2 ? 0x01 : x));
  expect(l.read(deep, 0, deep.length)).toBe(-1);
  expect(l.error).toMatch(/deep/);
  const numbers = parseHexText('02 02 10 FF 38 15 00 00 00 01 00 00 00 02');
  expect(l.read(numbers, 0, numbers.length)).toBe(numbers.length);
  expect([l.kind[0], l.value[0], l.kind[1], l.value[1]]).toEqual([ITEM_NUMBER, -200, ITEM_NUMBER, 4294967298]);
  const cut = parseHexText('02 02 06 00 00 01 00 06 00 00');
  expect(l.read(cut, 0, cut.length)).toBe(-1);
  expect(l.error).toBe('needs 4 bytes at offset 8, 2 left');
});

test('COSEM date-time: deviation is minutes of local time to UTC (local = UTC - deviation)', () => {
  // Austrian IM350 in May: deviation -120 (0xFF88), status 0x80 (DST) -> +02:00
  expect(decodeCosemDateTime(parseHexText('07 E5 05 13 03 0A 11 2C 00 FF 88 80'))).toEqual({
    iso: '2021-05-19T10:17:44+02:00',
    dayOfWeek: 3,
    deviationMin: -120,
    dst: true,
  });
  // deviation 0x8000 = not specified -> no offset
  expect(decodeCosemDateTime(parseHexText('07 E3 0C 10 01 07 3B 28 FF 80 00 FF'))!.iso).toBe('2019-12-16T07:59:40');
  // Aidon list 3, bytes as in AIDON_V0001__6525-3-FC722-ok-L375-1 (ams-han-decoder prints "+60"):
  // by the rule above that is UTC-01:00, which is what the date-time decoder says. Norway was at
  // UTC+02:00 that day, so the Aidon list shape drops the offset (see obis-structures.ts and the
  // golden test).
  expect(decodeCosemDateTime(parseHexText('07 E3 06 0C 03 12 00 00 FF 00 3C 00'))!.iso).toBe('2019-06-12T18:00:00-01:00');
  expect(decodeCosemDateTime(parseHexText('FF FF 06 0C 03 12 00 00 FF 00 3C 00'))).toBeUndefined();
});

function gloApdu(v: ReturnType<typeof named>): Uint8Array {
  const b = v.bytes;
  const at = b.indexOf(0xdb);
  return b.subarray(at);
}

test('glo-ciphering plaintext equals the decrypted APDU the sources state', () => {
  const cases: [string, (s: any) => string][] = [
    ['austria/tinetz-kaifa-doc-example', (s) => s.expected_source.plaintext_apdu_hex],
    ['node-dsmr-parser/m-bus/austria-example-1', (s) => s.expected_source.decrypted_apdu_hex],
    ['austria/shrdzm-im350-wels', (s) => s.cross_check.values.messages[0].plaintext_hex],
    ['austria/shrdzm-am550-kaerntennetz', (s) => s.cross_check.values.messages[0].plaintext_hex],
    ['austria/lg-e450-burgenland-lng2', (s) => s.cross_check.values.messages[0].plaintext_hex],
  ];
  for (const [name, expected] of cases) {
    const v = named(name);
    let apdu: Uint8Array;
    if (v.isMbus) {
      // join the M-Bus segments' data (after C A CI STSAP DTSAP) by hand, independently of the splitter
      const parts: number[] = [];
      let p = 0;
      while (p < v.bytes.length) {
        const L = v.bytes[p + 1];
        for (let i = p + 9; i < p + 4 + L; i++) parts.push(v.bytes[i]);
        p += L + 6;
      }
      apdu = Uint8Array.from(parts);
    } else apdu = gloApdu(v);
    const r = unwrapGloCiphering(apdu, 0, apdu.length, v.options);
    expect(r.ok).toBe(true);
    if (r.ok) expect({ name, hex: toHex(r.plaintext) }).toEqual({ name, hex: expected(v.sidecar).toLowerCase().replace(/\s/g, '') });
  }
});

test('general-block-transfer: blocks joined in order; a missing block is reported, never decoded', () => {
  const v = named('node-dsmr-parser/aidon-example-2');
  const apdu = v.bytes.subarray(v.bytes.indexOf(0x0f, 8), v.bytes.length - 3); // after LLC, before FCS and flag
  expect(apdu[0]).toBe(0x0f);
  const half = Math.floor(apdu.length / 2);
  const block = (n: number, last: boolean, data: Uint8Array) =>
    Uint8Array.from([0xe0, last ? 0x80 : 0x00, 0, n, 0, 0, 0x82, data.length >> 8, data.length & 0xff, ...data]);
  const d = new DlmsApduDecoder();
  const b1 = block(1, false, apdu.subarray(0, half));
  const b2 = block(2, true, apdu.subarray(half));
  expect(d.decode(b1).kind).toBe('pending');
  const out = d.decode(b2);
  expect(out.kind).toBe('list');
  const direct = new DlmsApduDecoder().decode(apdu);
  expect(apduOutcomeToResult(out, 'hdlc', apdu, false)).toEqual(apduOutcomeToResult(direct, 'hdlc', apdu, false));
  const lost = new DlmsApduDecoder();
  expect(lost.decode(b2)).toMatchObject({ kind: 'error', error: { code: 'truncated' } });
});

test('general-block-transfer across HDLC frames: two blocks in two checked frames give one reading', () => {
  const v = named('node-dsmr-parser/aidon-example-2');
  const apdu = v.bytes.subarray(v.bytes.indexOf(0x0f, 8), v.bytes.length - 3);
  const half = Math.floor(apdu.length / 2);
  const block = (n: number, last: boolean, data: Uint8Array) =>
    Uint8Array.from([0xe0, last ? 0x80 : 0x00, 0, n, 0, 0, 0x82, data.length >> 8, data.length & 0xff, ...data]);
  // HDLC frame: 7E | A0+len | dst 03 | src 05 | control 13 | HCS | E6 E7 00 | info | FCS | 7E
  const hdlc = (info: Uint8Array) => {
    const len = 2 + 1 + 1 + 1 + 2 + 3 + info.length + 2;
    const f = new Uint8Array(len);
    f.set([0xa0 | ((len >> 8) & 7), len & 0xff, 0x03, 0x05, 0x13]);
    const hcs = crc16X25(f, 0, 5);
    f.set([hcs & 0xff, hcs >> 8, 0xe6, 0xe7, 0x00], 5);
    f.set(info, 10);
    const fcs = crc16X25(f, 0, len - 2);
    f.set([fcs & 0xff, fcs >> 8], len - 2);
    return Uint8Array.from([0x7e, ...f, 0x7e]);
  };
  const stream = Uint8Array.from([...hdlc(block(1, false, apdu.subarray(0, half))), ...hdlc(block(2, true, apdu.subarray(half)))]);
  const out: { ok: boolean; reading?: unknown }[] = [];
  const s = new HdlcSplitter();
  s.push(stream, (r) => out.push(r));
  s.flush((r) => out.push(r));
  expect(out.map((r) => r.ok)).toEqual([true]);
  const direct: { ok: boolean; reading?: unknown }[] = [];
  new HdlcSplitter().push(v.bytes, (r) => direct.push(r));
  expect(out[0].reading).toEqual(direct[0].reading);
});

test('a name/value list without scalers from an unknown meter: power kept, units inferred or left absent, and said so', () => {
  const v = named('roarfred/Kamstrup228');
  const apdu = new Uint8Array(v.bytes.subarray(v.bytes.indexOf(0x0f, 8), v.bytes.length - 3));
  const at = toHex(apdu).indexOf(toHex(new TextEncoder().encode('Kamstrup'))) / 2;
  expect(at).toBeGreaterThan(0);
  apdu[at] = 0x58; // 'X': same layout, but no longer a list whose units the maker documents
  const out = new DlmsApduDecoder().decode(apdu);
  expect(out.kind).toBe('list');
  if (out.kind !== 'list') return;
  const r = listToReading(out.list, out.timeIso, out.encrypted);
  expect(r.ok && r.shape).toBe('obis-named');
  if (!r.ok) return;
  const kamstrup = new HdlcSplitter();
  const real: { ok: boolean; reading?: any }[] = [];
  kamstrup.push(v.bytes, (x) => real.push(x));
  expect(r.reading.powerImportW).toBe(3815);
  // volts: the one scale near the nominal voltage, the same as Kamstrup's documented 1 V
  expect(r.reading.inferredUnits).toEqual({ voltageV: 1 });
  expect(r.reading.l1?.voltageV).toBe(real[0].reading.l1.voltageV);
  // currents on three phases and only total power: 0.01 A and 0.1 A both fit: absent
  expect(r.reading.unknownUnits).toEqual(['currentA']);
  expect(r.reading.l1?.currentA).toBeUndefined();
  expect(r.reading.l2?.currentA).toBeUndefined();
});
