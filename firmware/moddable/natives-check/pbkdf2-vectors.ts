/**
 * Published PBKDF2-HMAC-SHA-256 vectors for the natives check (pbkdf2-check.ts). The native
 * (firmware/moddable/pbkdf2) makes only the first 32-byte block, all the stored password format
 * uses, so each expected key is the first min(32, dkLen) bytes of the published one.
 *
 * Sources:
 *   - RFC 7914 (scrypt), section 11 "Test Vectors for PBKDF2 with HMAC-SHA-256" (dkLen 64).
 *   - The RFC 6070 inputs run with HMAC-SHA-256 instead of SHA-1, as published in the answers to
 *     "PBKDF2-HMAC-SHA256 test vectors" (Stack Overflow question 5130513) and used by many crypto
 *     libraries' tests; the last one has dkLen 16 in the source, so only 16 bytes are compared.
 * hosttests/moddable/natives-check-pbkdf2.test.ts recomputes every one with node:crypto.
 */
export interface Pbkdf2Vector {
  source: string;
  /** Latin-1 text (the RFC 6070 inputs hold NUL characters). */
  password: string;
  salt: string;
  iterations: number;
  /** Hex of the first bytes of the derived key. */
  keyHex: string;
}

export const pbkdf2Vectors: Pbkdf2Vector[] = [
  { source: 'RFC 7914 s.11 #1', password: 'passwd', salt: 'salt', iterations: 1, keyHex: '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc' },
  { source: 'RFC 7914 s.11 #2', password: 'Password', salt: 'NaCl', iterations: 80000, keyHex: '4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56' },
  { source: 'RFC 6070 inputs, SHA-256, c=1', password: 'password', salt: 'salt', iterations: 1, keyHex: '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b' },
  { source: 'RFC 6070 inputs, SHA-256, c=2', password: 'password', salt: 'salt', iterations: 2, keyHex: 'ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43' },
  { source: 'RFC 6070 inputs, SHA-256, c=4096', password: 'password', salt: 'salt', iterations: 4096, keyHex: 'c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a' },
  { source: 'RFC 6070 inputs, SHA-256, long', password: 'passwordPASSWORDpassword', salt: 'saltSALTsaltSALTsaltSALTsaltSALTsalt', iterations: 4096, keyHex: '348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1' },
  { source: 'RFC 6070 inputs, SHA-256, NUL', password: 'pass\u0000word', salt: 'sa\u0000lt', iterations: 4096, keyHex: '89b69d0516f829893c696226650a8687' },
];

/** Latin-1 text -> bytes (one byte per character). */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
