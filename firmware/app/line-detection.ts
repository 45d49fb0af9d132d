/**
 * Serial line auto-detection ("--line auto", meter.line = "auto"): tries each candidate line
 * setting for `dwellMs`, locks on the first one under which a frame decodes, and starts over if
 * a locked line goes silent of frames for `relockAfterMs`. Pure: time comes from the caller.
 *
 * The candidate order follows what meters actually use: HAN M-Bus 2400 8E1 first (most Nordic
 * meters), then P1 115200 8N1 (DSMR 4/5), Kamstrup HAN 2400 8N1, old DSMR 2.2/3 9600 7E1.
 */
import type { LineSettings } from './ports';

export function defaultLinePlan(): LineSettings[] {
  return [
    { baud: 2400, dataBits: 8, parity: 'even', stopBits: 1 },
    { baud: 115200, dataBits: 8, parity: 'none', stopBits: 1 },
    { baud: 2400, dataBits: 8, parity: 'none', stopBits: 1 },
    { baud: 9600, dataBits: 7, parity: 'even', stopBits: 1 },
    { baud: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
  ];
}

export function describeLine(line: LineSettings): string {
  const parity = line.parity === 'none' ? 'N' : line.parity === 'even' ? 'E' : 'O';
  return `${line.baud} ${line.dataBits}${parity}${line.stopBits}${line.inverted ? ' inverted' : ''}`;
}

export class LineDetector {
  private index = 0;
  private since: number;
  private lockedLine = false;
  private lastFrameMs = 0;

  constructor(private readonly plan: LineSettings[], nowMs: number, private readonly dwellMs = 12000, private readonly relockAfterMs = 60000) {
    if (plan.length === 0) throw new Error('line plan is empty');
    this.since = nowMs;
  }

  current(): LineSettings {
    return this.plan[this.index];
  }

  locked(): boolean {
    return this.lockedLine;
  }

  onFrame(nowMs: number): void {
    this.lockedLine = true;
    this.lastFrameMs = nowMs;
  }

  /** Returns the next line to switch to, or undefined to stay. */
  onTick(nowMs: number): LineSettings | undefined {
    if (this.lockedLine) {
      if (nowMs - this.lastFrameMs < this.relockAfterMs) return undefined;
      this.lockedLine = false;
      this.since = nowMs;
      return undefined;
    }
    if (nowMs - this.since < this.dwellMs) return undefined;
    this.index = (this.index + 1) % this.plan.length;
    this.since = nowMs;
    return this.plan[this.index];
  }

  status(): { mode: 'auto'; locked: boolean; line: string; candidates: string[] } {
    return { mode: 'auto', locked: this.lockedLine, line: describeLine(this.current()), candidates: this.plan.map(describeLine) };
  }
}
