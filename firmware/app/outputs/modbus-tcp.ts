/**
 * Modbus TCP server side of one connection: request ADUs in, response ADUs out. Only function 04
 * (Read Input Registers) is served, which is all an SDM630 reader uses.
 *
 * Frame layout (Modbus Messaging on TCP/IP Implementation Guide V1.0b, 3.1.3 "MBAP header";
 * Modbus Application Protocol Specification V1.1b3, 6.4 "Read Input Registers" and 7 "Exception
 * Responses"):
 *
 *   offset 0  transaction id  u16 big-endian   echoed in the response
 *          2  protocol id     u16              0 = Modbus; anything else closes the connection
 *          4  length          u16              bytes that follow (unit id + PDU), 2..254
 *          6  unit id         u8
 *          7  PDU             function code u8, then data
 *
 *   04 request:   04, start address u16, quantity u16 (1..125)
 *   04 response:  04, byte count u8 (= 2 x quantity), registers u16 big-endian
 *   exception:    function | 0x80, code u8: 01 illegal function, 02 illegal data address,
 *                 03 illegal data value, 0B gateway target device failed to respond (other unit id)
 *
 * A request for another unit id is answered with exception 0B (a TCP device is its own gateway), so a
 * misconfigured charger gets a clear answer instead of a time-out; unit ids 0 and 255 are accepted
 * (the "no unit" values of Modbus TCP). Bytes are reassembled across TCP segments in a fixed
 * 260-byte buffer (the largest ADU); a header that cannot be Modbus ends the connection.
 *
 * Pure: no sockets, no time.
 */

export const MODBUS_EXCEPTION = {
  illegalFunction: 0x01,
  illegalDataAddress: 0x02,
  illegalDataValue: 0x03,
  gatewayTargetFailed: 0x0b,
} as const;

export const MAX_ADU_BYTES = 260;
const MAX_READ_REGISTERS = 125;

/** Where the served registers come from: the bytes of `count` registers, or undefined (exception 02). */
export type InputRegisterReader = (start: number, count: number) => Uint8Array | undefined;

export interface ModbusRequestCounters {
  requests: number;
  exceptions: number;
}

/** The response PDU (function code first) to one request PDU. */
export function answerPdu(pdu: Uint8Array, read: InputRegisterReader): Uint8Array {
  const fn = pdu[0] as number;
  if (fn !== 0x04) return exception(fn, MODBUS_EXCEPTION.illegalFunction);
  if (pdu.length !== 5) return exception(fn, MODBUS_EXCEPTION.illegalDataValue);
  const start = ((pdu[1] as number) << 8) | (pdu[2] as number);
  const count = ((pdu[3] as number) << 8) | (pdu[4] as number);
  if (count < 1 || count > MAX_READ_REGISTERS) return exception(fn, MODBUS_EXCEPTION.illegalDataValue);
  const bytes = start + count <= 0x10000 ? read(start, count) : undefined;
  if (!bytes || bytes.length !== count * 2) return exception(fn, MODBUS_EXCEPTION.illegalDataAddress);
  const out = new Uint8Array(2 + bytes.length);
  out[0] = 0x04;
  out[1] = bytes.length;
  out.set(bytes, 2);
  return out;
}

function exception(fn: number, code: number): Uint8Array {
  const out = new Uint8Array(2);
  out[0] = (fn | 0x80) & 0xff;
  out[1] = code;
  return out;
}

/** One TCP connection's byte stream: feed what arrives, send what comes back. */
export class ModbusTcpConnection {
  private readonly buffer = new Uint8Array(MAX_ADU_BYTES);
  private length = 0;
  readonly counters: ModbusRequestCounters = { requests: 0, exceptions: 0 };

  constructor(
    private readonly unitId: () => number,
    private readonly read: InputRegisterReader,
  ) {}

  /**
   * The responses to every complete request in `bytes` (plus what was buffered), in order; `close`
   * is set when the stream cannot be Modbus TCP (the caller closes the socket after sending them).
   */
  push(bytes: Uint8Array): { responses: Uint8Array[]; close?: string } {
    const responses: Uint8Array[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(bytes.length - offset, MAX_ADU_BYTES - this.length);
      this.buffer.set(bytes.subarray(offset, offset + take), this.length);
      this.length += take;
      offset += take;
      for (;;) {
        if (this.length < 7) break;
        const b = this.buffer;
        const protocol = ((b[2] as number) << 8) | (b[3] as number);
        const following = ((b[4] as number) << 8) | (b[5] as number);
        if (protocol !== 0) return { responses, close: `not Modbus TCP (protocol id ${protocol})` };
        if (following < 2 || following > MAX_ADU_BYTES - 6) return { responses, close: `bad MBAP length ${following}` };
        const total = 6 + following;
        if (this.length < total) break;
        responses.push(this.answer(b.subarray(0, total)));
        b.copyWithin(0, total, this.length);
        this.length -= total;
      }
    }
    return { responses };
  }

  private answer(adu: Uint8Array): Uint8Array {
    this.counters.requests++;
    const unit = adu[6] as number;
    const pdu = adu.subarray(7);
    const mine = unit === this.unitId() || unit === 0 || unit === 0xff;
    const reply = mine ? answerPdu(pdu, this.read) : exception(pdu[0] as number, MODBUS_EXCEPTION.gatewayTargetFailed);
    if ((reply[0] as number) & 0x80) this.counters.exceptions++;
    const out = new Uint8Array(7 + reply.length);
    out[0] = adu[0] as number;
    out[1] = adu[1] as number;
    out[2] = 0;
    out[3] = 0;
    out[4] = ((1 + reply.length) >> 8) & 0xff;
    out[5] = (1 + reply.length) & 0xff;
    out[6] = unit;
    out.set(reply, 7);
    return out;
  }
}
