/**
 * The natives check (firmware/moddable/natives-check) carries copies of the captures' keys and
 * names their files as flash resources. These must agree with the vectors' sidecars and with
 * manifests/manifest_natives_check.json, or the device check would test the wrong thing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { nativesCases } from '../../firmware/moddable/natives-check/cases';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'manifests/manifest_natives_check.json'), 'utf8')) as { resources: { '*': string[] } };

describe.each(nativesCases.map((c) => [c.vector, c] as const))('%s', (_v, c) => {
  const file = manifest.resources['*'].find((r) => basename(r) === c.resource);
  test('is a flash resource of the check build, and the file exists', () => {
    expect(file).toBeDefined();
    expect(existsSync(join(root, 'manifests', file!))).toBe(true);
    expect(file!.replace(/^\.\.\/hosttests\/vectors\//, '').replace(/\.(hex|txt|bin)$/, '')).toBe(c.vector);
    expect(c.kind).toBe(c.resource.endsWith('.hex') ? 'hex' : 'binary');
  });
  test('carries the keys its sidecar states', () => {
    const sidecar = JSON.parse(readFileSync(join(root, 'hosttests/vectors', c.vector + '.json'), 'utf8')) as {
      encryption?: { ek?: string; ak?: string | null; ak_or_aad_16?: string };
    };
    const enc = sidecar.encryption;
    expect(c.encryptionKeyHex?.toLowerCase()).toBe(enc?.ek?.toLowerCase());
    expect(c.authenticationKeyHex?.toLowerCase()).toBe((enc?.ak ?? enc?.ak_or_aad_16 ?? undefined)?.toLowerCase());
  });
});

test('every resource of the check build is one of the cases', () => {
  expect(manifest.resources['*'].map((r) => basename(r)).sort()).toEqual(nativesCases.map((c) => c.resource).sort());
});
