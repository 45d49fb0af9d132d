// The device's meter byte source (firmware/moddable/uart/uart-source.ts) over a stand-in for the
// native "meter-uart" module. The native now reports every esp_err_t the ESP-IDF driver returns
// (uart.c): a refused line setting or a failed read must reach the app as a source error, never as
// an exception thrown into a timer or the UART callback (an uncaught exception there aborts the XS
// machine, which restarts a release build).
interface FakeOptions {
  baud: number;
  onReadable?: (this: FakeUart, count: number) => void;
}

class FakeUart {
  static instances: FakeUart[] = [];
  static refuseOpen = false;
  refuse: string | undefined;
  failRead = false;
  pending: number[] = [];
  constructor(readonly options: FakeOptions) {
    if (FakeUart.refuseOpen) throw new Error('uart_driver_install failed (0x103)');
    FakeUart.instances.push(this);
  }
  read(buffer: Uint8Array): number {
    if (this.failRead) throw new Error('uart_read_bytes failed');
    const n = Math.min(buffer.length, this.pending.length);
    buffer.set(this.pending.splice(0, n));
    return n;
  }
  reconfigure(line: { baud?: number }): void {
    if (this.refuse) throw new Error(this.refuse);
    this.options.baud = line.baud ?? this.options.baud;
  }
  counters() {
    return { parityErrors: 0, framingErrors: 0, overflows: 0, breaks: 0 };
  }
  close(): void {}
  deliver(bytes: number[]): void {
    this.pending.push(...bytes);
    this.options.onReadable?.call(this, bytes.length);
  }
}

jest.mock('meter-uart', () => ({ __esModule: true, default: FakeUart }), { virtual: true });

// required after the mock (the esbuild transform does not hoist jest.mock above imports)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UARTByteSource } = require('../../firmware/moddable/uart/uart-source') as {
  UARTByteSource: new (
    pins: object,
    line: object,
    clock: { nowMs(): number },
  ) => {
    start(onBytes: (b: Uint8Array, t: number) => void, onError: (m: string) => void): void;
    setLineSettings(line: object): void;
  };
};

const HAN_LINE = { baud: 2400, dataBits: 8, parity: 'even', stopBits: 1 };
const P1_LINE = { baud: 115200, dataBits: 8, parity: 'none', stopBits: 1, inverted: true };

function started() {
  const errors: string[] = [];
  const received: number[][] = [];
  const source = new UARTByteSource({ receive: 25 }, HAN_LINE, { nowMs: () => 1000 });
  source.start(
    (b) => received.push(Array.from(b)),
    (m) => errors.push(m),
  );
  return { source, errors, received, uart: FakeUart.instances[FakeUart.instances.length - 1] as FakeUart };
}

beforeEach(() => {
  FakeUart.instances = [];
  FakeUart.refuseOpen = false;
});

test('bytes the driver has are delivered', () => {
  const { uart, received, errors } = started();
  uart.deliver([0x7e, 0xa0, 0x7e]);
  expect(received).toEqual([[0x7e, 0xa0, 0x7e]]);
  expect(errors).toEqual([]);
});

test('a line setting the driver refuses is reported, not thrown', () => {
  const { source, uart, errors } = started();
  uart.refuse = 'uart_set_baudrate failed (0x102)';
  expect(() => source.setLineSettings(P1_LINE)).not.toThrow();
  expect(errors).toEqual(['meter UART refused 115200 8N1 inverted: Error: uart_set_baudrate failed (0x102)']);
  uart.refuse = undefined;
  source.setLineSettings(P1_LINE);
  expect(uart.options.baud).toBe(115200);
  expect(errors).toHaveLength(1);
});

test('a failed read is reported, not thrown out of the UART callback', () => {
  const { uart, errors, received } = started();
  uart.failRead = true;
  expect(() => uart.deliver([1, 2, 3])).not.toThrow();
  expect(errors).toEqual(['meter UART read failed: Error: uart_read_bytes failed']);
  expect(received).toEqual([]);
});

test('a driver that cannot be installed is reported with its code', () => {
  FakeUart.refuseOpen = true;
  const { errors } = started();
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/cannot open meter UART \(UART1 rx GPIO25 2400 8E1\): Error: uart_driver_install failed \(0x103\)/);
});
