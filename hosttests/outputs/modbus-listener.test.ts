// The Modbus TCP output with Node's real TCP listener (firmware/host/modbus-tcp-listener.ts):
// started, moved and stopped by the settings; --modbus-tcp wins; a port in use is reported; the
// connection limit evicts the quietest connection; a stream that is not Modbus is closed.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { ModbusTcpOutput } from '../../firmware/app/outputs/modbus-tcp-output';
import { NodeModbusListener } from '../../firmware/host/modbus-tcp-listener';
import { DSMR_V5, freePort, harness } from './fixtures';

const READ_L1 = Buffer.from('000100000006010400060002', 'hex');

function client(port: number): Promise<{ socket: Socket; next(): Promise<Buffer>; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const queue: Buffer[] = [];
    const waiting: ((b: Buffer) => void)[] = [];
    socket.on('data', (d: Buffer) => {
      const w = waiting.shift();
      if (w) w(d);
      else queue.push(d);
    });
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('connect', () =>
      resolve({
        socket,
        closed,
        next: () =>
          new Promise((r) => {
            const q = queue.shift();
            if (q) r(q);
            else waiting.push(r);
          }),
      }),
    );
    socket.once('error', reject);
  });
}

const waitUntil = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('Modbus TCP output on a real socket', () => {
  test('settings start it, move it to another port and stop it; the charger reads the current over TCP', async () => {
    const listener = new NodeModbusListener({ host: '127.0.0.1', maxConnections: 4, idleTimeoutMs: 60000 });
    const output = new ModbusTcpOutput(listener);
    const h = harness([output]);
    try {
      expect(output.status()).toMatchObject({ enabled: false, listening: false });
      const p1 = await freePort();
      expect(
        h.app.updateSettings((d) => {
          d.outputs.modbusTcp = { enabled: true, port: p1, unitId: 1 };
          return d;
        }).ok,
      ).toBe(true);
      await waitUntil(() => output.status().listening === true);
      h.feedDsmr(DSMR_V5);
      const c = await client(p1);
      c.socket.write(READ_L1);
      const answer = await c.next();
      expect(answer.subarray(0, 9).toString('hex')).toBe('000100000007010404');
      expect(answer.readFloatBE(9)).toBeCloseTo(h.app.snapshot().headroom.phases.l1.currentA!, 5);
      const p2 = await freePort();
      h.app.updateSettings((d) => {
        d.outputs.modbusTcp.port = p2;
        return d;
      });
      await c.closed; // the old listener and its connections are gone
      await waitUntil(() => output.status().listening === true && output.status().port === p2);
      h.app.updateSettings((d) => {
        d.outputs.modbusTcp.enabled = false;
        return d;
      });
      expect(output.status()).toMatchObject({ enabled: false, listening: false });
      await expect(client(p2)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      h.app.stop();
    }
  });

  test('--modbus-tcp wins over the settings; a port in use is reported in the status', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as AddressInfo).port;
    const output = new ModbusTcpOutput(new NodeModbusListener({ host: '127.0.0.1', maxConnections: 4, idleTimeoutMs: 60000 }), taken);
    const h = harness([output]);
    try {
      await waitUntil(() => output.status().lastError !== undefined);
      expect(output.status()).toMatchObject({ enabled: true, listening: false, portFrom: 'command line' });
      expect(String(output.status().lastError)).toMatch(/port in use/);
      // meter reading goes on
      h.feedDsmr(DSMR_V5);
      expect(h.app.framesDecoded()).toBe(1);
    } finally {
      h.app.stop();
      blocker.close();
    }
  });

  test('past the connection limit the quietest connection goes, so a rebooted charger always gets in; non-Modbus bytes close', async () => {
    const listener = new NodeModbusListener({ host: '127.0.0.1', maxConnections: 2, idleTimeoutMs: 60000 });
    const output = new ModbusTcpOutput(listener, 0);
    const h = harness([output]);
    try {
      await waitUntil(() => listener.boundPort() !== undefined && output.status().listening === true);
      const port = listener.boundPort()!;
      const a = await client(port);
      await waitUntil(() => listener.connectionCount() === 1);
      const b = await client(port);
      b.socket.write(READ_L1);
      await b.next();
      const c = await client(port);
      await a.closed; // a was the quietest
      c.socket.write(READ_L1);
      expect((await c.next()).length).toBe(13);
      b.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await b.closed;
      expect(output.status().connectionsAccepted).toBe(3);
    } finally {
      h.app.stop();
    }
  });
});
