/**
 * Stored password format: "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>".
 * The iteration count travels with the hash, so a device may pick fewer iterations than the PC
 * (pure-JS SHA-256 under XS on an ESP32 is slow) and both still verify each other's hashes.
 */
import { pbkdf2Sha256 } from '../crypto/sha256';
import { bytesToHex, constantTimeEqual, hexToBytes, utf8Encode } from '../util/bytes';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export function hashPassword(password: string, salt: Uint8Array, iterations: number): string {
  const hash = pbkdf2Sha256(utf8Encode(password), salt, iterations, 32);
  return `pbkdf2-sha256$${iterations}$${bytesToHex(salt)}$${bytesToHex(hash)}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== 'pbkdf2-sha256') return false;
  const iterations = Number(parts[1]);
  const salt = hexToBytes(parts[2]);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10000000 || !salt) return false;
  const hash = pbkdf2Sha256(utf8Encode(password), salt, iterations, 32);
  return constantTimeEqual(bytesToHex(hash), parts[3].toLowerCase());
}

/** Reason a new password is refused, or undefined when acceptable. */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== 'string') return 'password must be a string';
  if (password.length < PASSWORD_MIN_LENGTH) return `password must have at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `password must have at most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}
