/**
 * ByteSource over the meter UART (native module "meter-uart"). One receive buffer is allocated at
 * start and reused for every read; onBytes gets a view that is only valid during the call (the
 * MeterStream copies what it keeps). setLineSettings re-programs the UART at run time, which the
 * app core's line auto-detection uses.
 */
import MeterUART from 'meter-uart';
import type { MeterUARTOptions } from 'meter-uart';
import type { ByteSource, ByteSourceCounters, Clock, LineSettings } from '../../app/ports';

export interface UARTPins {
  receive?: number;
  transmit?: number;
  port?: number;
  /** Simulator: pseudo-terminal path. */
  path?: string;
  rxBufferSize?: number;
}

const READ_CHUNK_BYTES = 512;

export function describeLineSettings(line: LineSettings): string {
  const parity = line.parity === 'none' ? 'N' : line.parity === 'even' ? 'E' : 'O';
  return `${line.baud} ${line.dataBits}${parity}${line.stopBits}${line.inverted ? ' inverted' : ''}`;
}

export class UARTByteSource implements ByteSource {
  readonly kind = 'uart' as const;
  private uart: MeterUART | undefined;
  private line: LineSettings;
  private onError: ((message: string) => void) | undefined;

  constructor(
    private readonly pins: UARTPins,
    line: LineSettings,
    private readonly clock: Clock,
  ) {
    this.line = { ...line };
  }

  describe(): string {
    const where = this.pins.path ?? `UART${this.pins.port ?? 1} rx GPIO${this.pins.receive ?? '?'}`;
    return `${where} ${describeLineSettings(this.line)}`;
  }

  start(onBytes: (bytes: Uint8Array, nowMs: number) => void, onError: (message: string) => void): void {
    if (this.uart) return;
    this.onError = onError;
    const buffer = new Uint8Array(READ_CHUNK_BYTES);
    const clock = this.clock;
    const options: MeterUARTOptions = {
      ...this.pins,
      baud: this.line.baud,
      dataBits: this.line.dataBits,
      parity: this.line.parity,
      stopBits: this.line.stopBits,
      invert: this.line.inverted === true,
      onReadable(count: number) {
        while (count > 0) {
          let got: number;
          try {
            got = this.read(buffer);
          } catch (e) {
            // the driver refused (esp_err_t in the message): report it, do not let it abort the machine
            onError(`meter UART read failed: ${String(e)}`);
            return;
          }
          if (got <= 0) break;
          count -= got;
          try {
            onBytes(buffer.subarray(0, got), clock.nowMs());
          } catch (e) {
            onError(`meter data handler failed: ${String(e)}`);
          }
        }
      },
    };
    try {
      this.uart = new MeterUART(options);
    } catch (e) {
      onError(`cannot open meter UART (${this.describe()}): ${String(e)}`);
    }
  }

  /**
   * A setting the driver refuses (the native names the ESP-IDF call and its esp_err_t) is reported
   * through onError, never thrown into the caller's timer: the line detection then sees no frames
   * at that setting and moves on, and the status shows why.
   */
  setLineSettings(settings: LineSettings): void {
    this.line = { ...settings };
    try {
      this.uart?.reconfigure({
        baud: settings.baud,
        dataBits: settings.dataBits,
        parity: settings.parity,
        stopBits: settings.stopBits,
        invert: settings.inverted === true,
      });
    } catch (e) {
      this.onError?.(`meter UART refused ${describeLineSettings(settings)}: ${String(e)}`);
    }
  }

  counters(): ByteSourceCounters {
    if (!this.uart) return {};
    const c = this.uart.counters();
    return { parityErrors: c.parityErrors, framingErrors: c.framingErrors, overflows: c.overflows };
  }

  stop(): void {
    this.uart?.close();
    this.uart = undefined;
  }
}
