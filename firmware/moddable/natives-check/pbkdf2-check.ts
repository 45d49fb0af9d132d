/**
 * The natives check for passwords: the PBKDF2 native on the SDK's C SHA-256 (firmware/moddable/pbkdf2,
 * kcl-pbkdf2.c) and the SDK's native SHA-256 (platform/native-sha256.ts) against the app's pure
 * JavaScript (firmware/app/crypto/sha256.ts), on the real engine:
 *   1. published PBKDF2-HMAC-SHA-256 vectors (pbkdf2-vectors.ts), native and JavaScript, and keys
 *      node:crypto derived for salts over 64 bytes (longSaltVectors);
 *   2. random cases (password 0..200 bytes, so keys longer than a block are hashed first; salt
 *      0..200 bytes, across the 64-byte block edges; 1..300 iterations; run in uneven steps)
 *      native vs JavaScript;
 *   3. the stored password format across both: a hash made by the device's Pbkdf2 port
 *      (createNativePbkdf2: steps between timers) verifies with the JavaScript one, and back,
 *      with a 16-byte salt (what the box makes) and a 100-byte one (a hash from elsewhere);
 *   4. what the native refuses (0 or negative iterations, a password that is not bytes, result
 *      before the end, a closed job);
 *   5. SHA-256: native vs JavaScript for every length 0..300, in uneven pieces and from views
 *      into a larger buffer (the native hashes views in place).
 * It also prints (as information, not a check) the iterations per second of both: the login cost.
 */
import Pbkdf2Job from 'meterbox-pbkdf2';
import { hashPassword, verifyPassword, pureJsPbkdf2 } from '../../app/auth/password-hash';
import { createPureSha256, pbkdf2Sha256 } from '../../app/crypto/sha256';
import { toHex } from '../../../decoders/util/hex';
import { createNativePbkdf2, DEVICE_PASSWORD_ITERATIONS } from '../pbkdf2/native-pbkdf2';
import { createNativeSha256 } from '../platform/native-sha256';
import { latin1Bytes, longSaltVectors, pbkdf2Vectors } from './pbkdf2-vectors';

export type Check = (name: string, ok: boolean, detail?: string) => void;

/** PBKDF2 through the native job, `step` iterations per call (synchronous: no timers). */
function nativeKey(password: Uint8Array, salt: Uint8Array, iterations: number, step: number): Uint8Array {
  const job = new Pbkdf2Job(password, salt, iterations);
  try {
    while (job.step(step) > 0) {
      /* next step */
    }
    return new Uint8Array(job.result());
  } finally {
    job.close();
  }
}

function throwsRange(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (e) {
    return e instanceof RangeError;
  }
}

function throws(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch {
    return true;
  }
}

export async function checkPasswordNatives(random: (n: number) => Uint8Array, check: Check): Promise<void> {
  for (const v of pbkdf2Vectors) {
    const password = latin1Bytes(v.password);
    const salt = latin1Bytes(v.salt);
    const bytes = v.keyHex.length / 2;
    const native = toHex(nativeKey(password, salt, v.iterations, 4096).subarray(0, bytes)).toLowerCase();
    // The JavaScript one is slow under the simulator's debug build: only up to 4096 iterations.
    const js = v.iterations <= 4096 ? toHex(pbkdf2Sha256(password, salt, v.iterations, 32).subarray(0, bytes)).toLowerCase() : v.keyHex;
    check(
      `PBKDF2 ${v.source}`,
      native === v.keyHex && js === v.keyHex,
      `c=${v.iterations}: native ${native}${v.iterations <= 4096 ? `, JavaScript ${js}` : ' (JavaScript not run)'}`,
    );
  }
  for (const v of longSaltVectors) {
    const password = latin1Bytes(v.password);
    const salt = latin1Bytes(v.salt);
    let native: string;
    try {
      native = toHex(nativeKey(password, salt, v.iterations, 1000)).toLowerCase();
    } catch (e) {
      native = `threw ${String(e)}`;
    }
    const js = toHex(pbkdf2Sha256(password, salt, v.iterations, 32)).toLowerCase();
    check(
      `PBKDF2 long salt accepted and right: ${v.source}`,
      native === v.keyHex && js === v.keyHex,
      `salt ${salt.length} B, c=${v.iterations}: native ${native}, JavaScript ${js}`,
    );
  }

  let same = 0;
  const cases = 60;
  let firstDifference = '';
  for (let i = 0; i < cases; i++) {
    const password = random((i * 37) % 201);
    const salt = random((i * 11) % 201);
    const iterations = 1 + ((i * 53) % 300);
    const native = toHex(nativeKey(password, salt, iterations, 1 + (i % 17)));
    const js = toHex(pbkdf2Sha256(password, salt, iterations, 32));
    if (native === js) same++;
    else if (!firstDifference) firstDifference = `case ${i}: password ${password.length} B, salt ${salt.length} B, c=${iterations}`;
  }
  check(
    `PBKDF2 native equals JavaScript on ${cases} random cases (password 0..200 B, salt 0..200 B, uneven steps)`,
    same === cases,
    `${same}/${cases}${firstDifference ? ', first difference ' + firstDifference : ''}`,
  );

  const devicePbkdf2 = createNativePbkdf2(100);
  for (const saltBytes of [16, 100]) {
    const salt = random(saltBytes);
    let crossOk = false;
    let detail: string;
    try {
      const madeOnDevice = await hashPassword('pässwörd 🔑 of the owner', salt, 777, devicePbkdf2);
      const madeInJs = await hashPassword('pässwörd 🔑 of the owner', salt, 777, pureJsPbkdf2);
      crossOk =
        madeOnDevice === madeInJs &&
        (await verifyPassword('pässwörd 🔑 of the owner', madeOnDevice, pureJsPbkdf2)) &&
        (await verifyPassword('pässwörd 🔑 of the owner', madeInJs, devicePbkdf2)) &&
        !(await verifyPassword('pässwörd 🔑 of the ownel', madeInJs, devicePbkdf2));
      detail = madeOnDevice.slice(0, 40) + '...';
    } catch (e) {
      detail = `threw ${String(e)}`;
    }
    check(
      `stored hash, ${saltBytes}-byte salt: made by the device port (timer steps) = made in JavaScript, each verifies with the other, a wrong password fails`,
      crossOk,
      detail,
    );
  }

  check(
    'native refuses 0 iterations (RangeError)',
    throwsRange(() => new Pbkdf2Job(random(8), random(16), 0)),
  );
  check(
    'native refuses negative iterations (RangeError)',
    throwsRange(() => new Pbkdf2Job(random(8), random(16), -5)),
  );
  check(
    'native refuses a password that is not bytes',
    throws(() => new Pbkdf2Job('password' as unknown as Uint8Array, random(16), 1)),
  );
  const unfinished = new Pbkdf2Job(random(8), random(16), 10);
  check(
    'native gives no result before the last iteration',
    throws(() => unfinished.result()),
  );
  unfinished.close();
  check(
    'a closed job refuses to step',
    throws(() => unfinished.step(1)),
  );
  check(
    'a closed job gives no result',
    throws(() => unfinished.result()),
  );

  let nativeMs = Date.now();
  nativeKey(random(12), random(16), DEVICE_PASSWORD_ITERATIONS, 1024);
  nativeMs = Date.now() - nativeMs;
  let jsMs = Date.now();
  pbkdf2Sha256(random(12), random(16), 2000, 32);
  jsMs = Date.now() - jsMs;
  // A figure, not a check: printed, never counted as passed.
  trace(
    `natives-check info PBKDF2 speed: native ${DEVICE_PASSWORD_ITERATIONS} iterations in ${nativeMs} ms (${Math.round((DEVICE_PASSWORD_ITERATIONS / Math.max(nativeMs, 1)) * 1000)}/s), JavaScript 2000 in ${jsMs} ms (${Math.round((2000 / Math.max(jsMs, 1)) * 1000)}/s)\n`,
  );

  let shaSame = 0;
  for (let n = 0; n <= 300; n++) {
    const outer = random(n + 9);
    const view = outer.subarray(5, 5 + n);
    const native = createNativeSha256();
    const js = createPureSha256();
    const cut = (n * 7) % (n + 1);
    native.update(view.subarray(0, cut));
    native.update(view.subarray(cut));
    js.update(view.slice());
    if (toHex(native.digest()) === toHex(js.digest())) shaSame++;
  }
  check('SHA-256 native equals JavaScript for lengths 0..300 (two pieces, views into a larger buffer)', shaSame === 301, `${shaSame}/301`);
}
