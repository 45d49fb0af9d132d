// The pure SHA-256 / HMAC / PBKDF2 the device uses for passwords, against published vectors
// (FIPS 180-4 examples, RFC 4231, RFC 7914 section 11) and against node:crypto on random input.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { hmacSha256, pbkdf2Sha256, sha256 } from '../../firmware/app/crypto/sha256';
import { hashPassword, verifyPassword } from '../../firmware/app/auth/password-hash';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('SHA-256 known vectors', () => {
  test.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
    [
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
      'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
    ],
  ])('sha256(%j)', (input, expected) => {
    expect(hex(sha256(ascii(input)))).toBe(expected);
  });

  test('one million "a"', () => {
    expect(hex(sha256(new Uint8Array(1000000).fill(0x61)))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  test('every length 0..200 agrees with node:crypto (padding boundaries at 55/56/64)', () => {
    for (let n = 0; n <= 200; n++) {
      const data = new Uint8Array(randomBytes(n));
      expect(hex(sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
});

describe('HMAC-SHA-256 (RFC 4231)', () => {
  test('test case 2: key "Jefe"', () => {
    expect(hex(hmacSha256(ascii('Jefe'), ascii('what do ya want for nothing?')))).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
  test('test case 6: 131-byte key (hashed first)', () => {
    const key = new Uint8Array(131).fill(0xaa);
    expect(hex(hmacSha256(key, ascii('Test Using Larger Than Block-Size Key - Hash Key First')))).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });
  test('random keys and messages agree with node:crypto', () => {
    for (let i = 0; i < 50; i++) {
      const key = new Uint8Array(randomBytes(i * 3));
      const msg = new Uint8Array(randomBytes(i * 7));
      expect(hex(hmacSha256(key, msg))).toBe(createHmac('sha256', key).update(msg).digest('hex'));
    }
  });
});

describe('PBKDF2-HMAC-SHA-256', () => {
  test('RFC 7914 section 11: P="passwd", S="salt", c=1, dkLen=64', () => {
    expect(hex(pbkdf2Sha256(ascii('passwd'), ascii('salt'), 1, 64))).toBe(
      '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
    );
  });
  test('agrees with node:crypto for several iteration counts and lengths', () => {
    for (const [iterations, length] of [
      [1, 32],
      [2, 32],
      [1000, 32],
      [4096, 20],
      [10, 80],
    ]) {
      const password = new Uint8Array(randomBytes(12));
      const salt = new Uint8Array(randomBytes(16));
      expect(hex(pbkdf2Sha256(password, salt, iterations, length))).toBe(pbkdf2Sync(password, salt, iterations, length, 'sha256').toString('hex'));
    }
  });
});

describe('stored password hash', () => {
  const salt = new Uint8Array(16).fill(7);
  test('verifies the right password only, and keeps the iteration count with the hash', async () => {
    const stored = await hashPassword('correct horse', salt, 1000);
    expect(stored.startsWith('pbkdf2-sha256$1000$')).toBe(true);
    expect(stored).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct horsf', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });
  test('a hash made with other iterations (another device) still verifies', async () => {
    expect(await verifyPassword('pässwörd 🔑', await hashPassword('pässwörd 🔑', salt, 37))).toBe(true);
  });
  test('damaged stored values never verify', async () => {
    for (const bad of ['', 'plain', 'pbkdf2-sha256$x$00$00', 'pbkdf2-sha256$10$zz$00', 'md5$1$00$00', 'pbkdf2-sha256$20000000$00$' + '0'.repeat(64)]) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });
});
