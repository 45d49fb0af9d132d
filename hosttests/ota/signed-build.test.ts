/**
 * The signed device build (tools/firmware/signed-build.ts, firmware/moddable/build-device.mjs
 * --signed): the board's sdkconfig.defaults and the chip's signed-app fragment merge into one file
 * with each option once and the fragment's value winning; the ESP32 key path is filled in; the
 * generated manifest includes the app's and then the file that moves SDKCONFIGPATH (mcconfig lets
 * a later include's "build" replace an earlier one's), and sets config.ota.signatureScheme; a key
 * of the wrong scheme, an unsupported board or the simulator are refused with the reason. Keys:
 * espsecure's own test keys (hosttests/ota/espsecure-vectors/, provenance in its README).
 */
import { createPublicKey } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { rawP256PublicKey } from '../../tools/firmware/esp-signing';
import {
  FILL_MARK,
  SIGNED_BOARDS,
  VERIFICATION_KEY_OPTION,
  boardSdkconfigDir,
  builtImagePath,
  mergeSdkconfig,
  prepareSignedBuild,
  sdkconfigOption,
} from '../../tools/firmware/signed-build';
import { repoRoot, tempDir } from '../e2e/helpers';

const vectors = join(repoRoot, 'hosttests/ota/espsecure-vectors');
const ecPrivate = join(vectors, 'ecdsa256_secure_boot_signing_key.pem');
const ecPublic = join(vectors, 'ecdsa256_secure_boot_signing_pubkey.pem');
const rsaPrivate = join(vectors, 'rsa_secure_boot_signing_key.pem');

/** option -> the lines that set it (a merged file must have exactly one per option). */
function optionLines(text: string): Map<string, string[]> {
  const lines = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const option = sdkconfigOption(line);
    if (option) lines.set(option, [...(lines.get(option) ?? []), line]);
  }
  return lines;
}

describe('mergeSdkconfig', () => {
  const fragment = ['# a signed fragment', 'CONFIG_SECURE_SIGNED_APPS_NO_SECURE_BOOT=y', 'CONFIG_SHARED=n', `CONFIG_KEY="${FILL_MARK}"`, ''].join('\n');

  test("the fragment wins, each option once, the board's other lines kept in order", () => {
    const base = ['# board', 'CONFIG_A=y', 'CONFIG_SHARED=y', '# CONFIG_B is not set', 'CONFIG_C=4'].join('\n');
    const merged = mergeSdkconfig(base, fragment, 'frag', { CONFIG_KEY: '"/abs/key.bin"' });
    const lines = optionLines(merged);
    expect(lines.get('CONFIG_SHARED')).toEqual(['CONFIG_SHARED=n']);
    expect(lines.get('CONFIG_KEY')).toEqual(['CONFIG_KEY="/abs/key.bin"']);
    expect(lines.get('CONFIG_B')).toEqual(['# CONFIG_B is not set']);
    expect([...lines.values()].every((l) => l.length === 1)).toBe(true);
    expect(merged.indexOf('CONFIG_A=y')).toBeLessThan(merged.indexOf('CONFIG_C=4'));
    expect(merged.indexOf('CONFIG_C=4')).toBeLessThan(merged.indexOf('merged from frag'));
    expect(merged).not.toContain(FILL_MARK);
  });

  test('a fragment line set "not set" in the board file is replaced, not left beside it', () => {
    const merged = mergeSdkconfig('# CONFIG_SHARED is not set\n', fragment, 'frag', { CONFIG_KEY: '"/k"' });
    expect(optionLines(merged).get('CONFIG_SHARED')).toEqual(['CONFIG_SHARED=n']);
  });

  test('refused: a value left to fill, a value for a line the fragment lacks, a fragment that signs nothing', () => {
    expect(() => mergeSdkconfig('', fragment, 'frag')).toThrow(/CONFIG_KEY needs a value/);
    expect(() => mergeSdkconfig('', fragment, 'frag', { CONFIG_KEY: '"/k"', CONFIG_OTHER: 'y' })).toThrow(/no CONFIG_OTHER line/);
    expect(() => mergeSdkconfig('', 'CONFIG_A=y\n', 'plain')).toThrow(/not a signed-app fragment/);
  });
});

describe.each(Object.entries(SIGNED_BOARDS))('the committed files for %s', (board, signing) => {
  test("the board's additions and the fragment merge with every option once", () => {
    const base = readFileSync(join(boardSdkconfigDir(board), 'sdkconfig.defaults'), 'utf8');
    const fragment = readFileSync(join(repoRoot, signing.fragment), 'utf8');
    const values: Record<string, string> = signing.scheme === 'ecdsa-p256-v1' ? { [VERIFICATION_KEY_OPTION]: '"/abs/signature_verification_key.bin"' } : {};
    const lines = optionLines(mergeSdkconfig(base, fragment, signing.fragment, values));
    for (const option of [
      'CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE',
      'CONFIG_UART_ISR_IN_IRAM',
      'CONFIG_SECURE_SIGNED_APPS_NO_SECURE_BOOT',
      'CONFIG_SECURE_SIGNED_ON_UPDATE_NO_SECURE_BOOT',
    ]) {
      expect(lines.get(option)).toEqual([`${option}=y`]);
    }
    expect(lines.get('CONFIG_SECURE_BOOT_BUILD_SIGNED_BINARIES')).toEqual(['CONFIG_SECURE_BOOT_BUILD_SIGNED_BINARIES=n']);
    const scheme = signing.scheme === 'ecdsa-p256-v1' ? 'CONFIG_SECURE_SIGNED_APPS_ECDSA_SCHEME' : 'CONFIG_SECURE_SIGNED_APPS_RSA_SCHEME';
    expect(lines.get(scheme)).toEqual([`${scheme}=y`]);
    expect(lines.has(VERIFICATION_KEY_OPTION)).toBe(signing.scheme === 'ecdsa-p256-v1');
    expect([...lines.values()].every((l) => l.length === 1)).toBe(true);
  });
});

describe('prepareSignedBuild', () => {
  test('ESP32 with a private key: merged sdkconfig, the key ESP-IDF compiles in, a manifest that moves SDKCONFIGPATH and sets the scheme', () => {
    const out = join(tempDir('signed-build-'), 'signed-esp32');
    const plan = prepareSignedBuild({ board: 'esp32', key: ecPrivate, out, outputRoot: '/opt/mc-out' });
    expect(plan).toMatchObject({ scheme: 'ecdsa-p256-v1', canSign: true, sdkconfigDir: join(out, 'sdkconfig') });
    expect(readFileSync(plan.verificationKey!).equals(rawP256PublicKey(createPublicKey(readFileSync(ecPrivate))))).toBe(true);
    expect(readFileSync(plan.verificationKey!).equals(readFileSync(join(vectors, 'ecdsa256_secure_boot_signing_pubkey_raw.bin')))).toBe(true);
    const sdkconfig = readFileSync(join(plan.sdkconfigDir, 'sdkconfig.defaults'), 'utf8');
    expect(optionLines(sdkconfig).get(VERIFICATION_KEY_OPTION)).toEqual([`${VERIFICATION_KEY_OPTION}="${plan.verificationKey}"`]);

    const manifest = JSON.parse(readFileSync(plan.manifest, 'utf8')) as { include: string[]; config: { ota: { signatureScheme: string } } };
    expect(manifest.config.ota.signatureScheme).toBe('ecdsa-p256-v1');
    expect(resolve(dirname(plan.manifest), manifest.include[0])).toBe(join(repoRoot, 'manifests/manifest.json'));
    expect(manifest.include).toHaveLength(2);
    const moved = JSON.parse(readFileSync(resolve(dirname(plan.manifest), manifest.include[1]), 'utf8')) as { build: { SDKCONFIGPATH: string } };
    expect(resolve(dirname(plan.manifest), moved.build.SDKCONFIGPATH)).toBe(plan.sdkconfigDir);
    expect(plan.image).toBe('/opt/mc-out/bin/esp32/release/signed-esp32/xs_esp32.bin');
    expect(plan.signedImage).toBe('/opt/mc-out/bin/esp32/release/signed-esp32/xs_esp32.signed.bin');
  });

  test('a public key builds the same firmware but leaves signing to the signing machine', () => {
    const plan = prepareSignedBuild({ board: 'esp32', key: ecPublic, out: join(tempDir('signed-build-'), 'signed-esp32'), outputRoot: '/o' });
    expect(plan.canSign).toBe(false);
    expect(readFileSync(plan.verificationKey!).equals(readFileSync(join(vectors, 'ecdsa256_secure_boot_signing_pubkey_raw.bin')))).toBe(true);
  });

  test('ESP32-C3: RSA-3072, no verification key file or line (the running image carries its key)', () => {
    const plan = prepareSignedBuild({
      board: 'esp32/esp32c3',
      key: rsaPrivate,
      out: join(tempDir('signed-build-'), 'signed-esp32c3'),
      outputRoot: '/o',
      debug: true,
    });
    expect(plan.scheme).toBe('rsa3072-v2');
    expect(plan.verificationKey).toBeUndefined();
    expect(existsSync(join(dirname(plan.manifest), 'signature_verification_key.bin'))).toBe(false);
    expect(readFileSync(join(plan.sdkconfigDir, 'sdkconfig.defaults'), 'utf8')).toContain('CONFIG_SECURE_SIGNED_APPS_RSA_SCHEME=y');
    expect(plan.image).toBe('/o/bin/esp32/esp32c3/debug/signed-esp32c3/xs_esp32.bin');
  });

  test('refused with the reason: a key of the other chip, a board without a signed scheme, no key', () => {
    const out = join(tempDir('signed-build-'), 'x');
    expect(() => prepareSignedBuild({ board: 'esp32/esp32c3', key: ecPrivate, out, outputRoot: '/o' })).toThrow(
      /esp32\/esp32c3 checks rsa3072-v2 signatures only.*ecdsa-p256-v1/,
    );
    expect(() => prepareSignedBuild({ board: 'esp32', key: rsaPrivate, out, outputRoot: '/o' })).toThrow(/esp32 checks ecdsa-p256-v1 signatures only/);
    expect(() => prepareSignedBuild({ board: 'esp32/esp32s3', key: rsaPrivate, out, outputRoot: '/o' })).toThrow(
      /signed builds are made for esp32 and esp32\/esp32c3/,
    );
    expect(() => prepareSignedBuild({ board: 'esp32', key: join(out, 'missing.pem'), out, outputRoot: '/o' })).toThrow(/no key at/);
    expect(() => prepareSignedBuild({ board: 'esp32', key: join(vectors, 'bootloader.bin'), out, outputRoot: '/o' })).toThrow(/cannot use .* as a release key/);
  });

  test("builtImagePath follows mcconfig's layout (platform, chip, kind, manifest folder)", () => {
    expect(builtImagePath({ board: 'esp32', manifest: '/r/manifests/manifest.json', outputRoot: '/m/build' })).toBe(
      '/m/build/bin/esp32/release/manifests/xs_esp32.bin',
    );
    expect(builtImagePath({ board: 'esp32/esp32c3', manifest: '/r/build/signed-esp32c3/manifest.json', outputRoot: '/o', instrument: true })).toBe(
      '/o/bin/esp32/esp32c3/instrument/signed-esp32c3/xs_esp32.bin',
    );
  });
});

describe('build-device.mjs --signed (dry run: the commands it would run)', () => {
  const buildDevice = (args: string[]) =>
    spawnSync(process.execPath, [join(repoRoot, 'firmware/moddable/build-device.mjs'), ...args, '--dry-run'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, MODDABLE: '/opt/moddable', IDF_PATH: '/opt/esp-idf' },
    });

  test('builds the generated manifest, then signs and verifies the image mcconfig leaves', () => {
    const config = join(tempDir('signed-build-dry-'), 'signed-esp32');
    const r = buildDevice(['esp32', 'build', '--signed', ecPrivate, '--out', '/tmp/meterbox-signed-test-out', '--signed-config', config]);
    expect(r.status).toBe(0);
    const generated = join(config, 'manifest.json');
    expect(r.stdout).toContain(`> mcconfig -m -p esp32 -t build -o /tmp/meterbox-signed-test-out ${generated}`);
    const image = '/tmp/meterbox-signed-test-out/bin/esp32/release/signed-esp32/xs_esp32.bin';
    expect(r.stdout).toContain(`tools/firmware/sign-image.ts sign --key ${ecPrivate} --out ${image.replace('.bin', '.signed.bin')} ${image}`);
    expect(r.stdout).toContain(`tools/firmware/sign-image.ts verify --key ${ecPrivate} ${image.replace('.bin', '.signed.bin')}`);
    expect(JSON.parse(readFileSync(generated, 'utf8')).config.ota.signatureScheme).toBe('ecdsa-p256-v1');
  });

  test('without --signed the committed manifest is built, as before', () => {
    const r = buildDevice(['esp32', 'build']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`> mcconfig -m -p esp32 -t build ${join(repoRoot, 'manifests/manifest.json')}`);
    expect(r.stdout).not.toContain('sign-image');
  });

  test('refused: the simulator, deploy, a key of the other chip', () => {
    expect(buildDevice(['lin', 'build', '--signed', ecPrivate]).stderr).toMatch(/--signed is for ESP32 boards/);
    expect(buildDevice(['esp32', 'deploy', '--signed', ecPrivate]).stderr).toMatch(/--signed builds only/);
    const wrong = buildDevice([
      'esp32',
      'build',
      '--board',
      'esp32/esp32c3',
      '--signed',
      ecPrivate,
      '--signed-config',
      join(tempDir('signed-build-dry-'), 'x'),
    ]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/checks rsa3072-v2 signatures only/);
  });
});
