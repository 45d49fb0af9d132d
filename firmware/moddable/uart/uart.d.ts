/**
 * Declaration of the meter UART native module (uart.js + esp32/uart.c + lin/uart.c), imported as
 * "meter-uart". mcconfig picks this file up beside uart.js; firmware/moddable/tsconfig.json maps
 * the specifier here for the SDK-less type check.
 */

export type UARTParity = 'none' | 'even' | 'odd';

export interface MeterUARTLine {
  baud?: number;
  dataBits?: 7 | 8;
  parity?: UARTParity;
  stopBits?: 1 | 2;
  /** Invert RX (P1 data lines are inverted open collector). Ignored in the simulator. */
  invert?: boolean;
}

export interface MeterUARTOptions extends MeterUARTLine {
  baud: number;
  /** GPIO of the receive line (ESP32). */
  receive?: number;
  /** GPIO of the transmit line; omit for receive-only. */
  transmit?: number;
  /** Hardware UART number (ESP32; default 1). */
  port?: number;
  /** Receive ring buffer in bytes (ESP32; default 4096). */
  rxBufferSize?: number;
  /** Serial device or pseudo-terminal to read (simulator only). */
  path?: string;
  onReadable?: (this: MeterUART, count: number) => void;
}

export interface MeterUARTCounters {
  parityErrors: number;
  framingErrors: number;
  overflows: number;
  breaks: number;
}

declare class MeterUART {
  constructor(options: MeterUARTOptions);
  /** Copies up to buffer.byteLength waiting bytes into buffer; returns how many. */
  read(buffer: ArrayBuffer | Uint8Array): number;
  readonly available: number;
  reconfigure(line: MeterUARTLine): void;
  counters(): MeterUARTCounters;
  close(): void;
}

export default MeterUART;
