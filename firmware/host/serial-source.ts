/**
 * Meter bytes from a serial device (USB meter cable, or a pty in tests) via `serialport`.
 * Reopens after errors (cable pulled) every `retryMs`. Changing line settings (auto-detection)
 * closes and reopens the port, since serialport can only change the baud rate in place.
 * Errors reach the app as instructions a person can follow (serialProblem): the dashboard shows
 * them as the link hint while the port is not open.
 */
import { SerialPort } from 'serialport';
import type { ByteSource, LineSettings } from '../app/ports';
import { describeLine } from '../app/line-detection';

export class SerialSource implements ByteSource {
  readonly kind = 'serial' as const;
  private port: SerialPort | undefined;
  private stopped = true;
  private retry: NodeJS.Timeout | undefined;
  private onBytes: (bytes: Uint8Array, nowMs: number) => void = () => undefined;
  private onError: (message: string) => void = () => undefined;

  constructor(
    private readonly path: string,
    private line: LineSettings,
    private readonly retryMs = 2000,
  ) {}

  describe(): string {
    return `${this.path} ${describeLine(this.line)}`;
  }

  start(onBytes: (bytes: Uint8Array, nowMs: number) => void, onError: (message: string) => void): void {
    this.onBytes = onBytes;
    this.onError = onError;
    this.stopped = false;
    this.open();
  }

  private open(): void {
    if (this.stopped) return;
    const port = new SerialPort({
      path: this.path,
      baudRate: this.line.baud,
      dataBits: this.line.dataBits,
      parity: this.line.parity,
      stopBits: this.line.stopBits,
      autoOpen: false,
    });
    this.port = port;
    port.on('data', (chunk: Buffer) => this.onBytes(new Uint8Array(chunk), Date.now()));
    port.on('error', (e: Error) => this.onError(serialProblem(this.path, e.message)));
    port.on('close', () => {
      if (this.port === port) this.port = undefined;
      this.scheduleReopen();
    });
    port.open((e) => {
      if (e) {
        this.onError(serialProblem(this.path, e.message));
        if (this.port === port) this.port = undefined;
        this.scheduleReopen();
      }
    });
  }

  private scheduleReopen(): void {
    if (this.stopped || this.retry || this.port) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.open();
    }, this.retryMs);
    this.retry.unref();
  }

  connected(): boolean {
    return this.port !== undefined && this.port.isOpen;
  }

  setLineSettings(settings: LineSettings): void {
    if (JSON.stringify(settings) === JSON.stringify(this.line)) return;
    this.line = settings;
    const port = this.port;
    this.port = undefined;
    if (port && port.isOpen) {
      port.removeAllListeners('close');
      port.close(() => this.open());
    } else if (!this.retry) {
      this.open();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    const port = this.port;
    this.port = undefined;
    if (port) {
      port.removeAllListeners('close');
      if (port.isOpen) port.close();
    }
  }
}

/**
 * What a failed open or a port error means, as an instruction. serialport reports the errno as
 * text ("Error: Permission denied, cannot open /dev/ttyUSB0"), so the text is matched.
 */
export function serialProblem(path: string, message: string): string {
  if (/No such file or directory|ENOENT/i.test(message)) {
    return `${path} does not exist: plug in the meter cable, or find its name with "ls /dev/serial/by-id/ /dev/ttyUSB* /dev/ttyACM*" and start meterbox with --serial set to it.`;
  }
  if (/Permission denied|EACCES|EPERM/i.test(message)) {
    return `no permission to open ${path}: add the user that runs meterbox to the dialout group ("sudo usermod -aG dialout $USER", then log out and in again; the systemd service has SupplementaryGroups=dialout).`;
  }
  if (/Cannot lock port|Resource temporarily unavailable|EBUSY|EAGAIN/i.test(message)) {
    return `${path} is in use by another program (another meterbox, ModemManager or a serial console): stop that program, or check that this is the meter cable.`;
  }
  if (/Input\/output error|EIO|disconnected/i.test(message)) {
    return `${path} went away (was the meter cable unplugged?): plug it in again; meterbox reopens it by itself.`;
  }
  return `cannot read ${path}: ${message.replace(/^Error:\s*/, '')}`;
}
