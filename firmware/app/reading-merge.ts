/**
 * Combines the frames of one meter into the reading the box publishes.
 *
 * WHY: many meters spread their data over several lists. A Norwegian Aidon sends total power
 * every 2.5 s, the per-phase list every 10 s and the energy registers once an hour. Publishing
 * only the last frame would make currents and registers flicker in and out. Rules:
 * - identity and registers (slow values) stick from whichever frame last carried them;
 * - per-phase and power values come from the latest frame, topped up from the last full frame
 *   only while that is at most `fullMaxAgeMs` old, so stale currents are never shown as current.
 * A value no frame carried stays absent (never 0).
 */
import type { MeterReading } from '../../decoders/reading';
import { cloneJson } from './util/clone';

const INSTANT_KEYS = [
  'powerImportW',
  'powerExportW',
  'reactivePowerImportVar',
  'reactivePowerExportVar',
  'l1',
  'l2',
  'l3',
  'averageDemandW',
  'frameKind',
  'meterTime',
  'tariff',
  'breakerState',
  'checksumChecked',
  'encrypted',
  'textMessage',
  'codeMessage',
];

export class ReadingMerger {
  private sticky: Record<string, unknown> = {};
  private latest: MeterReading | undefined;
  private latestMs = 0;
  private lastFull: MeterReading | undefined;
  private lastFullMs = 0;

  constructor(private readonly fullMaxAgeMs = 30000) {}

  add(reading: MeterReading, nowMs: number): void {
    // Another meter on the port (cable moved, replay of mixed captures): forget the old one.
    if (reading.meterId !== undefined && this.sticky.meterId !== undefined && reading.meterId !== this.sticky.meterId) this.reset();
    this.latest = reading;
    this.latestMs = nowMs;
    if (reading.frameKind !== 'short') {
      this.lastFull = reading;
      this.lastFullMs = nowMs;
    }
    const r = reading as unknown as Record<string, unknown>;
    for (const key of Object.keys(r)) {
      if (INSTANT_KEYS.indexOf(key) < 0 && r[key] !== undefined) this.sticky[key] = r[key];
    }
  }

  latestAgeMs(nowMs: number): number | undefined {
    return this.latest ? nowMs - this.latestMs : undefined;
  }

  latestReading(): MeterReading | undefined {
    return this.latest;
  }

  /** A fresh object (safe to stringify and hand out). */
  merged(nowMs: number): MeterReading | undefined {
    if (!this.latest) return undefined;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(this.sticky)) out[key] = this.sticky[key];
    if (this.lastFull && this.lastFull !== this.latest && nowMs - this.lastFullMs <= this.fullMaxAgeMs) {
      const full = this.lastFull as unknown as Record<string, unknown>;
      for (const key of INSTANT_KEYS) if (full[key] !== undefined) out[key] = full[key];
    }
    const latest = this.latest as unknown as Record<string, unknown>;
    for (const key of Object.keys(latest)) if (latest[key] !== undefined) out[key] = latest[key];
    out.protocol = this.latest.protocol;
    return cloneJson(out) as unknown as MeterReading;
  }

  reset(): void {
    this.sticky = {};
    this.latest = undefined;
    this.lastFull = undefined;
  }
}
