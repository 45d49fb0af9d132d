/**
 * The P1 "data request" line (RJ12 pin 2): a DSMR meter only sends telegrams while it is held high
 * (DSMR 4/5 accept 3.3 V logic through the usual transistor or directly). Driven through ECMA-419
 * Digital IO from the board's provider (device.io.Digital). HAN (M-Bus) ports have no such pin;
 * the simulator has no GPIO, so there the pin is only logged.
 */
import type { Logger } from '../../app/ports';

interface DigitalOut {
  write(value: 0 | 1): void;
  close(): void;
}

export class RequestPin {
  private digital: DigitalOut | undefined;

  constructor(
    private readonly pin: number,
    private readonly logger: Logger,
    private readonly activeHigh = true,
  ) {}

  enable(): void {
    const Digital = globalThis.device?.io?.Digital;
    if (!Digital) {
      this.logger.info(`P1 data-request pin ${this.pin}: no GPIO on this platform (simulator)`);
      return;
    }
    const digital = this.digital ?? new Digital({ pin: this.pin, mode: Digital.Output });
    this.digital = digital;
    digital.write(this.activeHigh ? 1 : 0);
  }

  disable(): void {
    this.digital?.write(this.activeHigh ? 0 : 1);
  }

  close(): void {
    this.digital?.close();
    this.digital = undefined;
  }
}
