/**
 * The natives check compares the device's PBKDF2 native with published vectors
 * (firmware/moddable/natives-check/pbkdf2-vectors.ts) and with keys node:crypto derived for salts
 * over 64 bytes (longSaltVectors there). Each copy must be what node:crypto derives
 * from the same inputs, or the device check would compare against a typo.
 */
import { pbkdf2Sync } from 'node:crypto';
import { latin1Bytes, longSaltVectors, pbkdf2Vectors } from '../../firmware/moddable/natives-check/pbkdf2-vectors';

describe.each([...pbkdf2Vectors, ...longSaltVectors].map((v) => [v.source, v] as const))('%s', (_s, v) => {
  test('node:crypto derives the copied key', () => {
    const bytes = v.keyHex.length / 2;
    expect(bytes === 32 || bytes === 16).toBe(true);
    const key = pbkdf2Sync(latin1Bytes(v.password), latin1Bytes(v.salt), v.iterations, bytes, 'sha256');
    expect(key.toString('hex')).toBe(v.keyHex);
  });
});

test('NUL characters survive as bytes', () => {
  expect(Array.from(latin1Bytes('pass\u0000word'))).toEqual([112, 97, 115, 115, 0, 119, 111, 114, 100]);
});

test('the long-salt vectors have salts over one SHA-256 block', () => {
  expect(longSaltVectors.length).toBeGreaterThan(0);
  for (const v of longSaltVectors) expect(latin1Bytes(v.salt).length).toBeGreaterThan(64);
});
