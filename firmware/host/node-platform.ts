/** Node implementations of the small ports: clock, scheduler, logger, randomness. */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { Clock, Logger, Scheduler } from '../app/ports';

export const nodeClock: Clock = { nowMs: () => Date.now() };

export const nodeScheduler: Scheduler = {
  every(intervalMs, callback) {
    const t = setInterval(callback, intervalMs);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
  after(delayMs, callback) {
    const t = setTimeout(callback, delayMs);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

export function consoleLogger(quiet = false): Logger {
  const stamp = () => new Date().toISOString().slice(11, 19);
  return {
    info: (m) => {
      if (!quiet) console.log(`${stamp()} ${m}`);
    },
    warn: (m) => console.warn(`${stamp()} warning: ${m}`),
  };
}

export function randomBytes(count: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(count));
}
