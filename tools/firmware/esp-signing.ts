/**
 * Signing ESP-IDF app images the way espsecure `sign-data` does, so the device's own check
 * (ESP-IDF esp_ota_end with the signed-app sdkconfig) and the PC build's (firmware/host/ota-signature.ts)
 * accept them. Formats: firmware/app/ota/signature-block.ts.
 *
 *   ecdsa-p256-v1 (ESP32): espsecure `sign-data --version 1` appends u32 0 and the raw r||s of a
 *     DETERMINISTIC ECDSA signature (RFC 6979, SHA-256) over the whole file. node:crypto signs with a
 *     random nonce, so the nonce is derived here (RFC 6979 section 3.2) and the signature computed
 *     with BigInt arithmetic on P-256; the result is checked with node:crypto before it is written.
 *     Same key and image give the same bytes as espsecure (hosttests/ota/signing-tool.test.ts
 *     compares with espsecure's own output).
 *   rsa3072-v2 (ESP32-C3): espsecure `sign-data --version 2`: pad the image with 0xFF to a 4096-byte
 *     boundary, append a 4096-byte sector holding one 1216-byte block (key n, e, rinv = 2^6144 mod n,
 *     mdash = -n^-1 mod 2^32, all little-endian; RSA-PSS signature with a 32-byte random salt,
 *     reversed; CRC-32), the rest 0xFF. PSS is randomized, so only the signature bytes differ from
 *     espsecure's output.
 *
 * Offline tool code (a release machine), not firmware: BigInt arithmetic here is not constant-time.
 */
import { createHash, createHmac, createPrivateKey, createPublicKey, constants, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { crc32, SBV2_BLOCK_BYTES, SBV2_CRC_BYTES, SBV2_MAGIC, SBV2_VERSION_RSA, SECTOR_BYTES } from '../../firmware/app/ota/signature-block';
import type { SignatureScheme } from '../../firmware/app/ota/signature-block';
import { schemeOfKey } from '../../firmware/host/ota-signature';

// P-256 (SEC 2 secp256r1 / FIPS 186-4 D.1.2.3)
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const A = P - 3n;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;

type Point = { x: bigint; y: bigint } | null;

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return mod(s0, m);
}

function add(p: Point, q: Point): Point {
  if (!p) return q;
  if (!q) return p;
  if (p.x === q.x && mod(p.y + q.y, P) === 0n) return null;
  const slope = p.x === q.x ? mod((3n * p.x * p.x + A) * inverse(2n * p.y, P), P) : mod((q.y - p.y) * inverse(q.x - p.x, P), P);
  const x = mod(slope * slope - p.x - q.x, P);
  return { x, y: mod(slope * (p.x - x) - p.y, P) };
}

function multiply(k: bigint, point: Point): Point {
  let result: Point = null;
  let addend = point;
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) result = add(result, addend);
    addend = add(addend, addend);
  }
  return result;
}

const toInt = (b: Uint8Array) => BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
const toBytes32 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');

/** RFC 6979 section 3.2 nonces for P-256 / SHA-256, in the order they are tried. */
function* rfc6979Nonces(privateKey: bigint, digest: Uint8Array): Generator<bigint> {
  const x = toBytes32(privateKey);
  const h = toBytes32(mod(toInt(digest), N)); // bits2octets(h1): qlen = hlen = 256
  let v = Buffer.alloc(32, 0x01);
  let k = Buffer.alloc(32, 0x00);
  const hmac = (key: Buffer, ...parts: Buffer[]) => createHmac('sha256', key).update(Buffer.concat(parts)).digest();
  k = hmac(k, v, Buffer.from([0x00]), x, h);
  v = hmac(k, v);
  k = hmac(k, v, Buffer.from([0x01]), x, h);
  v = hmac(k, v);
  for (;;) {
    v = hmac(k, v);
    const candidate = toInt(v);
    if (candidate >= 1n && candidate < N) yield candidate;
    k = hmac(k, v, Buffer.from([0x00]));
    v = hmac(k, v);
  }
}

/** Deterministic ECDSA P-256 / SHA-256 of `data`: r||s, 64 bytes big-endian (what espsecure v1 stores). */
export function signEcdsaP256Deterministic(privateKey: KeyObject, data: Uint8Array): Buffer {
  const d = toInt(Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url'));
  const digest = createHash('sha256').update(data).digest();
  const z = toInt(digest);
  for (const k of rfc6979Nonces(d, digest)) {
    const point = multiply(k, { x: GX, y: GY });
    if (!point) continue;
    const r = mod(point.x, N);
    if (r === 0n) continue;
    const s = mod(inverse(k, N) * (z + r * d), N);
    if (s === 0n) continue;
    return Buffer.concat([toBytes32(r), toBytes32(s)]);
  }
  throw new Error('unreachable');
}

/** The scheme a private key signs for (P-256: ESP32 v1; RSA-3072: ESP32-C3 v2). */
export function schemeOfPrivateKey(privateKey: KeyObject): SignatureScheme {
  return schemeOfKey(createPublicKey(privateKey));
}

/** The signed image: `image` followed by the scheme's signature (and, for v2, its padding). */
export function signImage(image: Uint8Array, privateKeyPem: string | Buffer): { signed: Buffer; scheme: SignatureScheme } {
  const privateKey = createPrivateKey(privateKeyPem);
  const scheme = schemeOfPrivateKey(privateKey);
  const publicKey = createPublicKey(privateKey);
  if (scheme === 'ecdsa-p256-v1') {
    const signature = signEcdsaP256Deterministic(privateKey, image);
    // Back-check with OpenSSL before anything is written, as espsecure does.
    if (!verify('sha256', image, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)) throw new Error('signature check after signing failed');
    return { signed: Buffer.concat([Buffer.from(image), Buffer.alloc(4), signature]), scheme };
  }
  const padding = image.length % SECTOR_BYTES === 0 ? 0 : SECTOR_BYTES - (image.length % SECTOR_BYTES);
  const contents = Buffer.concat([Buffer.from(image), Buffer.alloc(padding, 0xff)]);
  const digest = createHash('sha256').update(contents).digest();
  const signature = sign('sha256', contents, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  if (!verify('sha256', contents, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature))
    throw new Error('signature check after signing failed');
  const jwk = publicKey.export({ format: 'jwk' });
  const n = toInt(Buffer.from(jwk.n as string, 'base64url'));
  const e = Number(toInt(Buffer.from(jwk.e as string, 'base64url')));
  const rinv = mod(1n << 6144n, n);
  const mdash = mod(-inverse(n, 1n << 32n), 1n << 32n);
  const le384 = (v: bigint) => Buffer.from(v.toString(16).padStart(768, '0'), 'hex').reverse();
  const block = Buffer.alloc(SBV2_BLOCK_BYTES, 0);
  block[0] = SBV2_MAGIC;
  block[1] = SBV2_VERSION_RSA;
  digest.copy(block, 4);
  le384(n).copy(block, 36);
  block.writeUInt32LE(e, 420);
  le384(rinv).copy(block, 424);
  block.writeUInt32LE(Number(mdash), 808);
  Buffer.from(signature).reverse().copy(block, 812);
  block.writeUInt32LE(crc32(block.subarray(0, SBV2_CRC_BYTES)), SBV2_CRC_BYTES);
  const sector = Buffer.alloc(SECTOR_BYTES, 0xff);
  block.copy(sector, 0);
  return { signed: Buffer.concat([contents, sector]), scheme };
}

/** espsecure `extract-public-key --version 1`: the raw X||Y the ESP32 build embeds (CONFIG_SECURE_BOOT_VERIFICATION_KEY). */
export function rawP256PublicKey(key: KeyObject): Buffer {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  return Buffer.concat([Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]);
}
