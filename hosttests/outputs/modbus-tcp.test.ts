// Modbus TCP framing and function 04 (firmware/app/outputs/modbus-tcp.ts), byte for byte against the
// Modbus specification's own example (Modbus Application Protocol V1.1b3, 6.4: read input register
// 0x0008 answers 04 02 00 0A) wrapped in the MBAP header of the TCP implementation guide.
import { ModbusTcpConnection, answerPdu } from '../../firmware/app/outputs/modbus-tcp';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

// 16 registers 0x0000..0x000F holding their own address, so any read shows what it returned.
function reader(start: number, count: number): Uint8Array | undefined {
  if (start + count > 16) return undefined;
  const out = new Uint8Array(count * 2);
  for (let i = 0; i < count; i++) out[i * 2 + 1] = start + i;
  return out;
}

describe('Modbus TCP function 04', () => {
  test('the specification example: register 0x0008 read as 04 02 00 0A... (here: its address, 00 08)', () => {
    expect(hex(answerPdu(bytes('04 0008 0001'), reader))).toBe('04020008');
  });

  test('MBAP: transaction id and unit echoed, length counts unit + PDU', () => {
    const c = new ModbusTcpConnection(() => 1, reader);
    const out = c.push(bytes('1234 0000 0006 01 04 0006 0002'));
    expect(out.close).toBeUndefined();
    expect(out.responses.map(hex)).toEqual(['123400000007010404' + '00060007']);
  });

  test('a request split over three TCP segments, and two requests in one segment', () => {
    const c = new ModbusTcpConnection(() => 1, reader);
    expect(c.push(bytes('0001 00')).responses).toEqual([]);
    expect(c.push(bytes('00 0006 01')).responses).toEqual([]);
    expect(c.push(bytes('04 0000 0001')).responses.map(hex)).toEqual(['000100000005010402' + '0000']);
    const two = c.push(bytes('0002 0000 0006 01 04 0001 0001' + '0003 0000 0006 01 04 0002 0001'));
    expect(two.responses.map(hex)).toEqual(['000200000005010402' + '0001', '000300000005010402' + '0002']);
    expect(c.counters).toEqual({ requests: 3, exceptions: 0 });
  });

  test('exceptions: 01 other function, 02 outside the map, 03 quantity 0 or 126, 0B another unit id', () => {
    const c = new ModbusTcpConnection(() => 7, reader);
    const ask = (pdu: string, unit = '07') =>
      hex(c.push(bytes('0009 0000 ' + (pdu.replace(/\s+/g, '').length / 2 + 1).toString(16).padStart(4, '0') + unit + pdu)).responses[0]!).slice(12);
    expect(ask('03 0000 0002')).toBe('078301');
    expect(ask('06 0000 0001')).toBe('078601');
    expect(ask('04 000F 0002')).toBe('078402');
    expect(ask('04 FFFF 0002')).toBe('078402');
    expect(ask('04 0000 0000')).toBe('078403');
    expect(ask('04 0000 007E')).toBe('078403');
    expect(ask('04 0000')).toBe('078403');
    expect(ask('04 0000 0001', '08')).toBe('08840b');
    expect(c.counters.exceptions).toBe(8);
  });

  test('another unit id gets exception 0B; units 0 and 255 are answered', () => {
    const c = new ModbusTcpConnection(() => 1, reader);
    expect(hex(c.push(bytes('0001 0000 0006 02 04 0000 0001')).responses[0]!)).toBe('00010000000302840b');
    expect(hex(c.push(bytes('0001 0000 0006 00 04 0000 0001')).responses[0]!)).toBe('000100000005000402' + '0000');
    expect(hex(c.push(bytes('0001 0000 0006 ff 04 0000 0001')).responses[0]!)).toBe('000100000005' + 'ff' + '0402' + '0000');
  });

  test('a stream that is not Modbus TCP is closed: protocol id not 0, a length of 0, 1 or over 254', () => {
    expect(new ModbusTcpConnection(() => 1, reader).push(bytes('0001 0001 0006 01 04 0000 0001')).close).toMatch(/protocol id 1/);
    expect(new ModbusTcpConnection(() => 1, reader).push(bytes('0001 0000 0001 01 04 0000 0001')).close).toMatch(/length 1/);
    expect(new ModbusTcpConnection(() => 1, reader).push(bytes('0001 0000 00FF 01 04 0000 0001')).close).toMatch(/length 255/);
    // HTTP sent to the Modbus port
    expect(new ModbusTcpConnection(() => 1, reader).push(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')).close).toBeDefined();
  });

  test('answers already complete before a bad frame are still given', () => {
    const out = new ModbusTcpConnection(() => 1, reader).push(bytes('0001 0000 0006 01 04 0000 0001' + '0002 0001 0006 01 04 0000 0001'));
    expect(out.responses).toHaveLength(1);
    expect(out.close).toBeDefined();
  });

  test('a byte at a time: 1000 random requests give the same answers as whole ones', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
    const whole = new ModbusTcpConnection(() => 1, reader);
    const trickle = new ModbusTcpConnection(() => 1, reader);
    for (let i = 0; i < 1000; i++) {
      const start = rnd() % 20;
      const count = rnd() % 130;
      const fn = rnd() % 5 === 0 ? 3 : 4;
      const req = bytes(
        (i & 0xffff).toString(16).padStart(4, '0') +
          '0000 0006 01' +
          fn.toString(16).padStart(2, '0') +
          start.toString(16).padStart(4, '0') +
          count.toString(16).padStart(4, '0'),
      );
      const a = whole.push(req).responses.map(hex);
      const b: string[] = [];
      for (const byte of req) b.push(...trickle.push(new Uint8Array([byte])).responses.map(hex));
      expect(b).toEqual(a);
      expect(a).toHaveLength(1);
    }
  });
});
