/** Declaration of the "meterbox-pbkdf2" native module (pbkdf2.js, kcl-pbkdf2.c). */
export default class Pbkdf2Job {
  constructor(password: Uint8Array | ArrayBuffer, salt: Uint8Array | ArrayBuffer, iterations: number);
  /** Runs up to `count` more iterations; returns how many remain. */
  step(count: number): number;
  /** The derived 32 bytes, once step() returned 0. */
  result(): ArrayBuffer;
  close(): void;
}
