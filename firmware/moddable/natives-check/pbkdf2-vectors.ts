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
 * longSaltVectors (below) adds salts over 64 bytes, derived with node:crypto.
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
  {
    source: 'RFC 7914 s.11 #2',
    password: 'Password',
    salt: 'NaCl',
    iterations: 80000,
    keyHex: '4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56',
  },
  {
    source: 'RFC 6070 inputs, SHA-256, c=1',
    password: 'password',
    salt: 'salt',
    iterations: 1,
    keyHex: '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b',
  },
  {
    source: 'RFC 6070 inputs, SHA-256, c=2',
    password: 'password',
    salt: 'salt',
    iterations: 2,
    keyHex: 'ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43',
  },
  {
    source: 'RFC 6070 inputs, SHA-256, c=4096',
    password: 'password',
    salt: 'salt',
    iterations: 4096,
    keyHex: 'c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a',
  },
  {
    source: 'RFC 6070 inputs, SHA-256, long',
    password: 'passwordPASSWORDpassword',
    salt: 'saltSALTsaltSALTsaltSALTsaltSALTsalt',
    iterations: 4096,
    keyHex: '348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1',
  },
  { source: 'RFC 6070 inputs, SHA-256, NUL', password: 'pass\u0000word', salt: 'sa\u0000lt', iterations: 4096, keyHex: '89b69d0516f829893c696226650a8687' },
];

/**
 * Salts longer than one SHA-256 block (64 bytes), which the native used to refuse: no published
 * PBKDF2-HMAC-SHA-256 vector has one, so these keys are what node:crypto (OpenSSL) derives, run
 * once by hand (`crypto.pbkdf2Sync(password, salt, iterations, 32, 'sha256')`, latin1 bytes) and
 * rederived by hosttests/moddable/natives-check-pbkdf2.test.ts. The lengths put S || INT(1) across
 * block edges: 64 + 65 + 4 = 133 bytes; 64 + 120 + 4 = 188 (the padding needs one more block);
 * 64 + 128 + 4 = 196; 1000 bytes spans 16 blocks.
 */
export const longSaltVectors: Pbkdf2Vector[] = [
  {
    source: 'node:crypto, salt 65 B',
    password: 'password',
    salt: 's'.repeat(65),
    iterations: 1,
    keyHex: '2a654d067dc4a30e6bc02405350b1f4b333418083058dd9098e0b73e2d08a779',
  },
  {
    source: 'node:crypto, salt 120 B',
    password: 'password',
    salt: 'saltSALT'.repeat(15),
    iterations: 4096,
    keyHex: '0c55746db52e1cc949002b8afbc8b1870f3596f3164e46f874744f621f362193',
  },
  {
    source: 'node:crypto, salt 128 B, password 72 B',
    password: 'passwordPASSWORDpassword'.repeat(3),
    salt: '0123456789abcdef'.repeat(8),
    iterations: 1000,
    keyHex: '0f84aa9d29ec407df0a3a95188a764d1a44c70a95f4658ec6cc0cc6dec2e407b',
  },
  {
    source: 'node:crypto, salt 1000 B',
    password: 'Password',
    salt: 'NaCl'.repeat(250),
    iterations: 2,
    keyHex: 'b6f605189420d08da340c872dcd3c204325f86236aed13b24b4032cc345fa517',
  },
];

/** Latin-1 text -> bytes (one byte per character). */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
