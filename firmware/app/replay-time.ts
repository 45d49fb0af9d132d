/**
 * Replayed captures: a recording loops, so its frames' meter time stamps come round again, and the
 * headroom engine takes a time stamp it has seen as a repeated frame (no new data: the allowance
 * falls to the safe current and then to 0 A within a minute). A source that replays (ports.ts
 * ByteSource.restampsMeterTime) gets each decoded frame's meter time replaced by the moment it is
 * replayed: local time of the settings' time zone with its offset written out (so tariff hours and
 * days fall where the owner's do), with milliseconds, and always later than the previous stamp
 * (frames of one capture file arrive in one chunk, at one instant). Frames that carry no time stamp
 * (Aidon list 1, what the built-in demo loops over) are left as they are.
 */
import type { MeterReading } from '../../decoders/reading';
import { localOffsetMin, type ClockSettings } from '../../decoders/headroom/time';

export class ReplayClock {
  private lastMs = -Infinity;

  restamp(reading: MeterReading, nowMs: number, clock: ClockSettings): MeterReading {
    if (reading.meterTime === undefined) return reading;
    const stampMs = Math.max(Math.floor(nowMs), this.lastMs + 1);
    this.lastMs = stampMs;
    const offsetMin = localOffsetMin(stampMs, clock);
    const wall = new Date(stampMs + offsetMin * 60000).toISOString().slice(0, 23);
    const abs = Math.abs(offsetMin);
    const offset = (offsetMin < 0 ? '-' : '+') + two(Math.floor(abs / 60)) + ':' + two(abs % 60);
    return { ...reading, meterTime: wall + offset };
  }
}

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}
