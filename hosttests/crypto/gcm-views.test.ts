// AES-GCM reads its input a 32-bit word at a time through DataView (CTR and GHASH) and GHASH takes
// bytes two at a time from two per-key tables. Decoders pass ciphertext and AAD as views into a
// frame buffer at any offset: checked here against node:crypto with views at every offset mod 4
// and lengths around the block size, so a word read from the wrong place cannot go unnoticed.
import { createCipheriv } from 'node:crypto';
import { AesGcmKey } from '../../decoders/crypto/gcm';
import { mulberry32 } from '../../tools/simulate/prng';

const rng = mulberry32(2026);
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));

/** `data` copied into a larger buffer at `offset`, returned as a view. */
function viewAt(data: Uint8Array, offset: number): Uint8Array {
  const buffer = bytes(offset + data.length + 3);
  buffer.set(data, offset);
  return buffer.subarray(offset, offset + data.length);
}

describe('AES-GCM on views into larger buffers', () => {
  const lengths = [0, 1, 15, 16, 17, 31, 32, 33, 100, 255, 256, 257];
  test.each([0, 1, 2, 3])('ciphertext and AAD at offset %i (mod 4)', (offset) => {
    for (const length of lengths) {
      const key = bytes(16);
      const iv = bytes(12);
      const plaintext = bytes(length);
      const aad = bytes((length * 7) % 37);
      const cipher = createCipheriv('aes-128-gcm', key, iv);
      cipher.setAAD(aad);
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const tag = cipher.getAuthTag();
      const gcm = new AesGcmKey(key);
      const decrypted = gcm.decrypt({ iv, ciphertext: viewAt(ciphertext, offset), aad: viewAt(aad, offset + 1), tag: viewAt(tag.subarray(0, 12), offset + 2) });
      expect(decrypted && Buffer.from(decrypted).toString('hex')).toBe(Buffer.from(plaintext).toString('hex'));
      const encrypted = gcm.encrypt({ iv, plaintext: viewAt(plaintext, offset + 3), aad: viewAt(aad, offset) });
      expect(Buffer.from(encrypted.ciphertext).toString('hex')).toBe(ciphertext.toString('hex'));
      expect(Buffer.from(encrypted.tag).toString('hex')).toBe(tag.toString('hex'));
      // One flipped bit anywhere in the AAD or ciphertext: refused before any decryption.
      if (length > 0) {
        const bad = Uint8Array.from(ciphertext);
        bad[length - 1] = (bad[length - 1] as number) ^ 0x80;
        expect(gcm.decrypt({ iv, ciphertext: viewAt(bad, offset), aad: viewAt(aad, offset), tag: tag.subarray(0, 12) })).toBeUndefined();
      }
    }
  });
});
