/**
 * The device's Pbkdf2 port (firmware/app/auth/password-hash.ts) on the native (kcl-pbkdf2.c, the SDK's C SHA-256):
 * `stepIterations` at a time, then a zero-delay timer, so the UART, the sockets and other timers
 * run between steps and a login never holds the XS thread for its whole second.
 *
 * Iterations: DEVICE_PASSWORD_ITERATIONS, as many as fit in about 1 s on an ESP32 (docs/lan-security.md
 * shows the estimate: ~30 us per iteration from ESP-IDF's SHA-256 figures, 2 compressions each).
 */
import Timer from 'timer';
import Pbkdf2Job from 'meterbox-pbkdf2';
import type { Pbkdf2 } from '../../app/auth/password-hash';

export const DEVICE_PASSWORD_ITERATIONS = 30_000;
/** About 30 ms of hashing on an ESP32 between chances for everything else. */
export const PBKDF2_STEP_ITERATIONS = 1024;

export function createNativePbkdf2(stepIterations = PBKDF2_STEP_ITERATIONS): Pbkdf2 {
  return (password: Uint8Array, salt: Uint8Array, iterations: number) =>
    new Promise<Uint8Array>((resolve, reject) => {
      let job: Pbkdf2Job;
      try {
        job = new Pbkdf2Job(password, salt, iterations);
      } catch (e) {
        reject(e);
        return;
      }
      const run = () => {
        try {
          if (job.step(stepIterations) > 0) {
            Timer.set(run, 0);
            return;
          }
          const key = new Uint8Array(job.result());
          job.close();
          resolve(key);
        } catch (e) {
          job.close();
          reject(e);
        }
      };
      Timer.set(run, 0);
    });
}
