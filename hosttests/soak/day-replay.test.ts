// A day of a Norwegian Aidon meter (list 1 every 2.5 s, list 2 every 10 s: 43,200 frames) pushed at
// high speed through the real app (startHost: app core, HTTP server, WebSocket publisher) with two
// WebSocket clients connected. What must stay flat: the V8 heap (the second half of the day must
// not end above the first half by more than a margin: no per-frame leak), the app's frame counter
// (every frame decoded), and the push latency (the last quarter not slower than the first by more
// than a factor). Behaviour, not speed: the margins are wide, the loop is bounded.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import type { ByteSource } from '../../firmware/app/ports';
import { startHost, type RunningHost } from '../../firmware/host/start-host';
import { parseHexFile } from '../../tools/xs/vector-catalog';

const root = join(__dirname, '..', '..');
const list1 = parseHexFile(readFileSync(join(root, 'hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-1.hex'), 'utf8'));
const list2 = parseHexFile(readFileSync(join(root, 'hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1.hex'), 'utf8'));
const FRAMES_PER_DAY = 86_400 / 2.5 + 86_400 / 10; // 34,560 list 1 + 8,640 list 2

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1048576;
}

/** A meter port the test drives directly: bytes go in when the test says so. */
class PushSource implements ByteSource {
  readonly kind = 'replay' as const;
  private onBytes: ((b: Uint8Array, nowMs: number) => void) | undefined;
  describe(): string {
    return 'soak test source (a day of Aidon frames)';
  }
  start(onBytes: (b: Uint8Array, nowMs: number) => void): void {
    this.onBytes = onBytes;
  }
  stop(): void {
    this.onBytes = undefined;
  }
  push(b: Uint8Array): void {
    this.onBytes?.(b, Date.now());
  }
}

jest.setTimeout(240_000);

let host: RunningHost;
const source = new PushSource();
const clients: WebSocket[] = [];
let received = [0, 0];

beforeAll(async () => {
  host = await startHost({
    port: 0,
    host: '127.0.0.1',
    settingsPath: join(mkdtempSync(join(tmpdir(), 'meterbox-soak-')), 'settings.json'),
    source,
    quiet: true,
  });
  for (let i = 0; i < 2; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`);
    ws.on('message', () => {
      received[i]++;
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    clients.push(ws);
  }
});

afterAll(async () => {
  for (const ws of clients) ws.terminate();
  await host?.close();
});

async function frames(): Promise<number> {
  return host.app.framesDecoded();
}

test('a day of frames: every frame decoded, heap flat, push latency flat, clients still served', async () => {
  const heap: number[] = [];
  const latencyMs: number[][] = [[], [], [], []];
  const total = FRAMES_PER_DAY;
  const quarter = Math.ceil(total / 4);
  const framesBefore = await frames();
  received = [0, 0];
  for (let i = 0; i < total; i++) {
    const frame = i % 5 === 4 ? list2 : list1;
    if (i % 200 === 0) {
      // Latency sample: from handing the frame to the app to both clients holding its push.
      const want = received.map((n) => n + 1);
      const t0 = process.hrtime.bigint();
      source.push(frame);
      while (received[0] < want[0] || received[1] < want[1]) await new Promise((r) => setImmediate(r));
      latencyMs[Math.floor(i / quarter)].push(Number(process.hrtime.bigint() - t0) / 1e6);
    } else {
      source.push(frame);
    }
    // Let the sockets drain now and then, as a real line's pacing would.
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    if ((i + 1) % quarter === 0 || i === total - 1) heap.push(heapMB());
  }
  // Every push reached both clients.
  await new Promise((r) => setTimeout(r, 200));
  const decoded = (await frames()) - framesBefore;
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = {
    frames: total,
    decoded,
    pushes: received,
    heapMB: heap.map((h) => +h.toFixed(1)),
    latencyMedianMsPerQuarter: latencyMs.map((l) => +median(l).toFixed(2)),
  };
  console.log(`soak: ${JSON.stringify(summary)}`);

  expect(decoded).toBe(total);
  expect(received[0]).toBeGreaterThanOrEqual(total);
  expect(received[1]).toBeGreaterThanOrEqual(total);
  // Heap: the end of the day not more than 25% (+4 MB for GC noise) above the middle of the day.
  expect(heap[3]).toBeLessThanOrEqual(heap[1] * 1.25 + 4);
  // Latency: the last quarter's median not more than 3x the first quarter's (+2 ms).
  expect(median(latencyMs[3])).toBeLessThanOrEqual(median(latencyMs[0]) * 3 + 2);
  // And the app still answers with the latest reading.
  const status = (await (await fetch(`http://127.0.0.1:${host.port}/api/v1/status`)).json()) as { reading?: { l1?: { currentA?: number } } };
  expect(status.reading).toBeTruthy();
});
