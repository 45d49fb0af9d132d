/**
 * A simulated meter: replays real captures in a loop at a real meter's cadence. Each step sends
 * one capture file's bytes, paced like the serial line would deliver them (`baud` / 10 bytes per
 * second, in 50 ms chunks; 0 = all at once), then waits for the next step. The captures' own time
 * stamps repeat on every loop, so the app gives each frame its replay time as meter time
 * (restampsMeterTime; firmware/app/replay-time.ts) and describe() says so.
 *
 * The default sequence is a Norwegian Aidon 6525 3-phase meter on an IT grid (no L2 current):
 * list 3 (energy registers, sent at the hour) once, then list 2 (full list, every 10 s) between
 * three list 1 frames (total power only, every 2.5 s), from hosttests/vectors/.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseHexText } from '../../decoders/util/hex';
import type { ByteSource } from '../app/ports';

export interface ReplayStep {
  name: string;
  bytes: Uint8Array;
}

export function readCapture(path: string): Uint8Array {
  const data = readFileSync(path);
  if (path.endsWith('.hex')) return parseHexText(data.toString('utf8'));
  // .txt (DSMR telegrams with their exact CRLF bytes) and .bin are sent as stored.
  return new Uint8Array(data);
}

const AIDON = 'hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-';

export function defaultReplay(root: string): { steps: ReplayStep[]; loopFrom: number; intervalMs: number; baud: number; label: string } {
  const names = ['L375-1', 'L267-1', 'L42-1', 'L42-2', 'L42-1', 'L267-2', 'L42-2', 'L42-1', 'L42-2'];
  const steps = names.map((n) => ({ name: n, bytes: readCapture(join(root, AIDON + n + '.hex')) }));
  return { steps, loopFrom: 1, intervalMs: 2500, baud: 2400, label: 'simulated Aidon 6525 (NO, IT grid) from real captures' };
}

export function captureReplay(
  paths: string[],
  intervalMs: number,
  baud: number,
): { steps: ReplayStep[]; loopFrom: number; intervalMs: number; baud: number; label: string } {
  const steps = paths.map((p) => ({ name: basename(p), bytes: readCapture(p) }));
  return { steps, loopFrom: 0, intervalMs, baud, label: 'replay of ' + steps.map((s) => s.name).join(', ') };
}

export class ReplaySource implements ByteSource {
  readonly kind = 'replay' as const;
  /** The loop repeats the captures' time stamps: the app stamps each frame with its replay time. */
  readonly restampsMeterTime = true;
  private timers: NodeJS.Timeout[] = [];
  private stopped = true;
  private index = 0;

  constructor(
    private readonly steps: ReplayStep[],
    private readonly options: { intervalMs: number; baud: number; loopFrom: number; label: string; loop?: boolean },
  ) {
    if (steps.length === 0) throw new Error('nothing to replay');
  }

  describe(): string {
    return (
      this.options.label + ` (every ${this.options.intervalMs} ms${this.options.baud ? `, ${this.options.baud} baud pacing` : ''}; meter time = replay time)`
    );
  }

  start(onBytes: (bytes: Uint8Array, nowMs: number) => void): void {
    this.stopped = false;
    this.index = 0;
    const step = () => {
      if (this.stopped) return;
      const current = this.steps[this.index];
      this.send(current.bytes, onBytes);
      this.index++;
      if (this.index >= this.steps.length) {
        if (this.options.loop === false) return;
        this.index = this.options.loopFrom;
      }
      this.schedule(step, this.options.intervalMs);
    };
    this.schedule(step, 0);
  }

  private send(bytes: Uint8Array, onBytes: (bytes: Uint8Array, nowMs: number) => void): void {
    if (!this.options.baud) {
      onBytes(bytes, Date.now());
      return;
    }
    // ~10 bits per byte on the wire; 50 ms chunks like a UART driver's receive timeout.
    const chunk = Math.max(1, Math.round(this.options.baud / 10 / 20));
    for (let offset = 0, delay = 0; offset < bytes.length; offset += chunk, delay += 50) {
      const part = bytes.subarray(offset, offset + chunk);
      this.schedule(() => onBytes(part, Date.now()), delay);
    }
  }

  private schedule(callback: () => void, delayMs: number): void {
    const t = setTimeout(() => {
      this.timers = this.timers.filter((x) => x !== t);
      if (!this.stopped) callback();
    }, delayMs);
    this.timers.push(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}
