/**
 * Stored password format: "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" (32-byte hash).
 * The iteration count travels with the hash, so every hash ever stored stays verifiable: a box
 * updated to a higher count still checks the old hash, then stores a new one at the current count
 * on the next successful login (needsRehash).
 *
 * The derivation itself is a port (Pbkdf2): node:crypto's pbkdf2 in the thread pool on the PC,
 * a C native on the SDK's SHA-256 in steps between other work on the device, the pure JavaScript one in tests.
 */
import { pbkdf2Sha256 } from '../crypto/sha256';
import { bytesToHex, constantTimeEqual, hexToBytes, utf8Encode } from '../util/bytes';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
/** Longest password a login even hashes (bytes of work an attacker could ask for are bounded). */
export const PASSWORD_MAX_CHECKED_LENGTH = 1024;
/** Highest count a stored hash may name (a damaged or planted hash must not hang a check). */
export const MAX_STORED_ITERATIONS = 10_000_000;

/** PBKDF2-HMAC-SHA-256 of password and salt, 32 bytes; may take a while, never blocks the caller's loop on the PC. */
export type Pbkdf2 = (password: Uint8Array, salt: Uint8Array, iterations: number) => Promise<Uint8Array>;

/** The pure JavaScript derivation (crypto/sha256.ts), for tests and platforms without a native one. */
export const pureJsPbkdf2: Pbkdf2 = (password, salt, iterations) => Promise.resolve(pbkdf2Sha256(password, salt, iterations, 32));

interface StoredHash {
  iterations: number;
  salt: Uint8Array;
  hashHex: string;
}

function parseStored(stored: string): StoredHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== 'pbkdf2-sha256') return undefined;
  const iterations = Number(parts[1]);
  const salt = hexToBytes(parts[2]);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_STORED_ITERATIONS || !salt || parts[3].length !== 64) return undefined;
  return { iterations, salt, hashHex: parts[3].toLowerCase() };
}

export async function hashPassword(password: string, salt: Uint8Array, iterations: number, pbkdf2: Pbkdf2 = pureJsPbkdf2): Promise<string> {
  const hash = await pbkdf2(utf8Encode(password), salt, iterations);
  return `pbkdf2-sha256$${iterations}$${bytesToHex(salt)}$${bytesToHex(hash)}`;
}

export async function verifyPassword(password: string, stored: string, pbkdf2: Pbkdf2 = pureJsPbkdf2): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const hash = await pbkdf2(utf8Encode(password), parsed.salt, parsed.iterations);
  return constantTimeEqual(bytesToHex(hash), parsed.hashHex);
}

/** True when a stored hash uses fewer iterations than the box asks for today (store a new one after a good login). */
export function needsRehash(stored: string, iterations: number): boolean {
  const parsed = parseStored(stored);
  return parsed !== undefined && parsed.iterations < iterations;
}

/** Reason a new password is refused, or undefined when acceptable. */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== 'string') return 'password must be a string';
  if (password.length < PASSWORD_MIN_LENGTH) return `password must have at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `password must have at most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}
