// `npm start -- --serial PTY` reads frames written into a pseudo-terminal pair made by socat, at the
// HAN line (2400 8E1) and the P1 line (115200 8N1), and a real WebSocket client sees the decoded
// values and the headroom within a second of the frame being written.
// Needs: socat (Debian package).
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../firmware/host/replay-source';
import { liveClient, repoRoot, spawnApp, tempDir, waitFor } from './helpers';

async function ptyPair(dir: string): Promise<{ appSide: string; meterSide: string; proc: ChildProcess }> {
  const appSide = join(dir, 'app');
  const meterSide = join(dir, 'meter');
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${appSide}`, `pty,raw,echo=0,link=${meterSide}`], { stdio: 'ignore' });
  await waitFor('socat to create the pty pair', () => existsSync(appSide) && existsSync(meterSide), 5000);
  return { appSide, meterSide, proc };
}

function writeMeter(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

const cases = [
  {
    name: 'HAN Aidon 6525 (IT grid) at 2400 8E1',
    args: ['--baud', '2400', '--data-bits', '8', '--parity', 'even', '--stop-bits', '1'],
    line: '2400 8E1',
    stty: ['speed 2400 baud', ' cs8 ', ' -cstopb '],
    // list 2: per-phase currents (L1 and L3 only: an IT-grid meter has no L2 current)
    capture: 'hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1.hex',
    check: (expected: any, snapshot: any) => {
      expect(snapshot.reading.l1.currentA).toBeCloseTo(expected.data.phase_current_l1.value, 3);
      expect(snapshot.reading.l3.currentA).toBeCloseTo(expected.data.phase_current_l3.value, 3);
      expect(snapshot.reading.l2?.currentA).toBeUndefined();
      expect(snapshot.meter.id).toBe(expected.data.meter_id.value);
    },
  },
  {
    name: 'P1 DSMR 5 at 115200 8N1',
    args: ['--line', '115200 8N1'],
    line: '115200 8N1',
    stty: ['speed 115200 baud', ' cs8 ', ' -cstopb '],
    capture: 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt',
    check: (expected: any, snapshot: any) => {
      expect(snapshot.reading.powerImportW).toBeCloseTo(expected.parsed.CURRENT_ELECTRICITY_USAGE.value * 1000, 3);
      expect(snapshot.reading.l1.currentA).toBe(expected.parsed.INSTANTANEOUS_CURRENT_L1.value);
    },
  },
];

describe.each(cases)('serial pty: $name', ({ args, line, stty, capture, check }) => {
  let pty: Awaited<ReturnType<typeof ptyPair>>;
  let app: Awaited<ReturnType<typeof spawnApp>>;
  const dir = tempDir('meterbox-pty-');

  beforeAll(async () => {
    pty = await ptyPair(dir);
    app = await spawnApp(['--serial', pty.appSide, ...args, '--settings', join(dir, 'settings.json'), '--quiet']);
  });
  afterAll(async () => {
    await app?.stop();
    pty?.proc.kill();
  });

  test('the WebSocket client sees the decoded values and headroom within a second', async () => {
    const live = await liveClient(app.url);
    try {
      await waitFor('the greeting snapshot', () => live.messages.length > 0, 5000);
      const first = live.messages[0].snapshot;
      expect(first.link.source).toContain(line);
      expect(first.reading).toBeNull();
      // Bytes written before the app has opened the port could be flushed: wait until it says so.
      await waitFor(
        'the serial port to be open',
        async () => {
          const r = await fetch(app.url + '/api/v1/status').then((x) => x.json());
          return r.link.connected === true;
        },
        5000,
      );
      // The line settings really reached the terminal (termios of the app's side of the pair).
      // Parity cannot be checked here: the Linux pty driver clears PARENB and forces CS8 on every
      // termios change (drivers/tty/pty.c, pty_set_termios); the speed and stop bits it keeps.
      const termios = ' ' + spawnSync('stty', ['-F', pty.appSide, '-a'], { encoding: 'utf8' }).stdout.replace(/[;\n]/g, ' ') + ' ';
      for (const flag of stty) expect(termios).toContain(flag);
      const bytes = readCapture(join(repoRoot, capture));
      const sidecar = require(join(repoRoot, capture.replace(/\.(hex|txt)$/, '.json')));
      const writtenAt = Date.now();
      writeMeter(pty.meterSide, bytes);
      const snapshot = await waitFor('a snapshot with the decoded frame', () => live.messages.map((m) => m.snapshot).find((s) => s.reading), 1000, 10);
      const latencyMs = Date.now() - writtenAt;
      expect(latencyMs).toBeLessThan(1000);
      check(sidecar.expected_source ?? sidecar, snapshot);
      expect(snapshot.headroom.status).not.toBe('no-data');
      expect(snapshot.headroom.phases.l1.currentSource).toBe('measured');
      expect(snapshot.frames.frames).toBe(1);
    } finally {
      live.close();
    }
  });
});
