/**
 * Clock, Scheduler and Logger ports on Moddable: Date.now(), Timer, trace().
 * Timers are created at run time (never at module load), as preloaded module state is frozen.
 */
import Timer from 'timer';
import type { Clock, Logger, Scheduler } from '../../app/ports';

export const moddableClock: Clock = Object.freeze({
  nowMs: () => Date.now(),
});

export function createScheduler(): Scheduler {
  return {
    every(intervalMs: number, callback: () => void) {
      const timer = Timer.repeat(() => callback(), intervalMs);
      return { cancel: () => Timer.clear(timer) };
    },
    after(delayMs: number, callback: () => void) {
      let timer: Timer | undefined = Timer.set(() => {
        timer = undefined;
        callback();
      }, delayMs);
      return {
        cancel: () => {
          if (timer) Timer.clear(timer);
          timer = undefined;
        },
      };
    },
  };
}

export function createLogger(tag: string): Logger {
  return {
    info: (message: string) => trace(`${tag}: ${message}\n`),
    warn: (message: string) => trace(`${tag} WARN: ${message}\n`),
  };
}
