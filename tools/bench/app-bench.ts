/**
 * The PC app under load (`npm run bench -- --app`), over a socat pseudo-terminal pair:
 *   - latency from the last byte of a P1 telegram written into the pty to the WebSocket message
 *     carrying its value (each telegram gets its own power value and a matching CRC, so every
 *     message is identified), median / p90 / p99 / max over >= 500 telegrams sent one at a time;
 *   - the app's memory (RSS, V8 heap after a forced gc) before and after a long replay written as
 *     fast as the pty takes it.
 * Needs socat. Loopback only.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export interface AppBenchResult {
  skipped?: string;
  latency?: { frames: number; lost: number; medianMs: number; p90Ms: number; p99Ms: number; maxMs: number };
  memory?: {
    replayFrames: number;
    replaySeconds: number;
    before: NodeJS.MemoryUsage;
    after: NodeJS.MemoryUsage;
    gcForced: boolean;
    wsMessagesDuringReplay: number;
  };
}

const root = join(__dirname, '..', '..');
const TEMPLATE = readFileSync(join(root, 'hosttests/vectors/p1/ndokter-dsmr_parser/telegram_v5.txt'), 'latin1');

function crc16Arc(text: string): number {
  let crc = 0;
  for (let i = 0; i < text.length; i++) {
    crc ^= text.charCodeAt(i);
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** telegram_v5 with 1-0:1.7.0 set to `w` watts (0..99999) and its CRC recomputed. */
export function telegramWithPower(w: number): Buffer {
  const kw = (w / 1000).toFixed(3).padStart(6, '0');
  const body = TEMPLATE.slice(0, TEMPLATE.indexOf('!') + 1).replace(/1-0:1\.7\.0\([0-9.]+\*kW\)/, `1-0:1.7.0(${kw}*kW)`);
  return Buffer.from(`${body}${crc16Arc(body).toString(16).toUpperCase().padStart(4, '0')}\r\n`, 'latin1');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

export async function runAppBench(opts: { log: (s: string) => void; frames?: number; replayFrames?: number }): Promise<AppBenchResult> {
  const frames = opts.frames ?? 500;
  const replayFrames = opts.replayFrames ?? 20_000;
  if (!existsSync(join(root, 'firmware/host/start-host.ts'))) return { skipped: 'firmware/host does not exist yet' };
  const socatOk = await new Promise<boolean>((resolve) => {
    const p = spawn('socat', ['-V'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (c) => resolve(c === 0));
  });
  if (!socatOk) {
    opts.log('app: socat not installed, skipped');
    return { skipped: 'socat not installed' };
  }

  const dir = mkdtempSync(join(tmpdir(), 'meterbox-appbench-'));
  const appSide = join(dir, 'app');
  const meterSide = join(dir, 'meter');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${appSide}`, `pty,raw,echo=0,link=${meterSide}`], { stdio: 'ignore' });
  let child: ChildProcess | undefined;
  let ws: WebSocket | undefined;
  try {
    if (!(await waitUntil(() => existsSync(appSide) && existsSync(meterSide), 5000))) return { skipped: 'socat did not create the pty pair' };
    child = fork(join(__dirname, 'app-child.ts'), [appSide, join(dir, 'settings.json')], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const ready = (await once(child, 'message')) as [{ type: string; port: number }];
    const port = ready[0].port;
    const memory = async (): Promise<{ memory: NodeJS.MemoryUsage; gcForced: boolean }> => {
      child!.send({ type: 'memory' });
      for (;;) {
        const [m] = (await once(child!, 'message')) as [{ type: string; memory: NodeJS.MemoryUsage; gcForced: boolean }];
        if (m.type === 'memory') return m;
      }
    };

    // Latency: one telegram at a time, each with its own power value.
    const arrivals = new Map<number, bigint>();
    let messages = 0;
    ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    ws.on('message', (data) => {
      const t = process.hrtime.bigint();
      messages++;
      try {
        const m = JSON.parse(String(data)) as { snapshot?: { reading?: { powerImportW?: number } } };
        const w = m.snapshot?.reading?.powerImportW;
        if (typeof w === 'number' && !arrivals.has(w)) arrivals.set(w, t);
      } catch {
        /* not ours */
      }
    });
    await once(ws, 'open');
    const meter = createWriteStream(meterSide);
    await once(meter, 'open');
    const write = async (b: Buffer): Promise<void> => {
      if (!meter.write(b)) await once(meter, 'drain');
    };
    // Warm-up: the port opens, the format locks.
    for (let i = 0; i < 5; i++) {
      await write(telegramWithPower(90_000 + i));
      await waitUntil(() => arrivals.has(90_000 + i), 3000);
    }

    const latencies: number[] = [];
    let lost = 0;
    for (let i = 0; i < frames; i++) {
      const w = 1_000 + i;
      await write(telegramWithPower(w));
      const sent = process.hrtime.bigint(); // write() has handed the last byte to the pty
      if (await waitUntil(() => arrivals.has(w), 2000)) latencies.push(Number(arrivals.get(w)! - sent) / 1e6);
      else lost++;
    }
    latencies.sort((a, b) => a - b);
    const latency = {
      frames: latencies.length,
      lost,
      medianMs: percentile(latencies, 50),
      p90Ms: percentile(latencies, 90),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies[latencies.length - 1],
    };
    opts.log(
      `app latency pty -> WebSocket over ${latency.frames} telegrams: median ${latency.medianMs.toFixed(2)} ms, p90 ${latency.p90Ms.toFixed(2)} ms, p99 ${latency.p99Ms.toFixed(2)} ms, max ${latency.maxMs.toFixed(2)} ms, lost ${lost}`,
    );

    // Long replay: as fast as the pty takes it, the WebSocket client still connected.
    const before = await memory();
    const m0 = messages;
    const t0 = Date.now();
    for (let i = 0; i < replayFrames; i++) await write(telegramWithPower(10_000 + (i % 80_000)));
    const last = 10_000 + ((replayFrames - 1) % 80_000);
    await waitUntil(() => arrivals.has(last), 30_000);
    const replaySeconds = (Date.now() - t0) / 1000;
    const after = await memory();
    const mem = { replayFrames, replaySeconds, before: before.memory, after: after.memory, gcForced: after.gcForced, wsMessagesDuringReplay: messages - m0 };
    const mb = (n: number): string => (n / 1048576).toFixed(1);
    opts.log(
      `app memory: before replay RSS ${mb(mem.before.rss)} MB heap ${mb(mem.before.heapUsed)} MB; after ${replayFrames} telegrams (${replaySeconds.toFixed(1)} s, ${mem.wsMessagesDuringReplay} WebSocket messages) RSS ${mb(mem.after.rss)} MB heap ${mb(mem.after.heapUsed)} MB${mem.gcForced ? ' (heap after forced gc)' : ''}`,
    );
    meter.end();
    return { latency, memory: mem };
  } finally {
    ws?.terminate();
    if (child && child.exitCode === null) {
      child.send({ type: 'stop' });
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    socat.kill();
  }
}

// Run on its own: npx tsx tools/bench/app-bench.ts
if (require.main === module) {
  runAppBench({ log: (s) => console.log(s) }).then(
    (r) => {
      if (r.skipped) console.log(`app bench skipped: ${r.skipped}`);
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
