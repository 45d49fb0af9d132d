/**
 * The configuration of a signed device build (docs/signing-keys.md, "Building signed firmware"),
 * generated under build/ and never committed. firmware/moddable/build-device.mjs runs it for
 * `npm run build:esp32 -- --signed [KEY.pem]`:
 *
 *   npx tsx tools/firmware/signed-build.ts prepare --board esp32|esp32/esp32c3 [--key KEY.pem] [--out DIR]
 *       [--output-root MCCONFIG_OUT] [--debug] [--instrument]
 *
 * writes into DIR (default build/signed-<chip>/) and prints the plan as JSON (with the path of the
 * image mcconfig will leave and of its signed copy):
 *   sdkconfig/sdkconfig.defaults  the board's own sdkconfig.defaults (the SDKCONFIGPATH its block of
 *                                 manifests/manifest.json names) with the chip's signed-app fragment
 *                                 (manifests/sdkconfig/sdkconfig.signed-<chip>) merged over it;
 *                                 other sdkconfig.* files of the board's folder copied unchanged
 *   signature_verification_key.bin  ESP32 only: the raw X||Y public key ESP-IDF compiles in
 *                                 (CONFIG_SECURE_BOOT_VERIFICATION_KEY gets its absolute path)
 *   manifest.json                 includes manifests/manifest.json, then signed-sdkconfig.json
 *                                 (mcconfig applies a later include's "build" over an earlier one's,
 *                                 so its SDKCONFIGPATH wins), and sets config.ota.signatureScheme,
 *                                 which makes the app require the signature block (main.ts)
 * Why one merged folder: mcconfig reads one sdkconfig.defaults from SDKCONFIGPATH
 * ($MODDABLE/tools/mcmanifest.js, generateConfigurationRules), so the fragment cannot be added as a
 * second folder. The sdkconfig and signatureScheme always come together: the scheme alone would
 * check the block's format only, the sdkconfig alone would leave the app saying "not checked".
 *
 * KEY.pem (default: the repository's release public key in keys/) may be the private key (the
 * build then signs the image) or only the public key (the build leaves the image unsigned and
 * says how to sign it on the signing machine): either way the public half decides what the
 * firmware trusts. Its scheme must be the chip's: ESP32 checks
 * only ECDSA P-256 ("V1"), the ESP32-C3 only RSA-3072 ("V2") without hardware secure boot.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { SignatureScheme } from '../../firmware/app/ota/signature-block';
import { schemeOfKey } from '../../firmware/host/ota-signature';
import { rawP256PublicKey } from './esp-signing';

export const repoRoot = resolve(__dirname, '..', '..');

/** The boards a signed build is made for, and the scheme and fragment ESP-IDF allows each. */
export const SIGNED_BOARDS: Readonly<Record<string, { scheme: SignatureScheme; fragment: string }>> = {
  esp32: { scheme: 'ecdsa-p256-v1', fragment: 'manifests/sdkconfig/sdkconfig.signed-esp32' },
  'esp32/esp32c3': { scheme: 'rsa3072-v2', fragment: 'manifests/sdkconfig/sdkconfig.signed-esp32c3' },
};

/** Where the repository keeps each scheme's release public key (keys/README.md). */
export const RELEASE_PUBLIC_KEYS: Readonly<Record<SignatureScheme, string>> = {
  'ecdsa-p256-v1': 'keys/meterbox-release.pub.pem',
  'rsa3072-v2': 'keys/meterbox-release-c3.pub.pem',
};

export const VERIFICATION_KEY_OPTION = 'CONFIG_SECURE_BOOT_VERIFICATION_KEY';
/** A fragment value the build must fill in (the ESP32 key path). */
export const FILL_MARK = '@FILLED_IN_BY_SIGNED_BUILD@';

/** The option a sdkconfig line sets ("CONFIG_X=y" or "# CONFIG_X is not set"), else undefined. */
export function sdkconfigOption(line: string): string | undefined {
  const set = /^\s*(CONFIG_[A-Za-z0-9_]+)\s*=/.exec(line);
  if (set) return set[1];
  const unset = /^\s*#\s*(CONFIG_[A-Za-z0-9_]+) is not set\s*$/.exec(line);
  return unset ? unset[1] : undefined;
}

/**
 * The board's sdkconfig.defaults with the fragment merged over it: every option the fragment sets
 * replaces the board's line for it (so each option appears once), the fragment's lines follow
 * under a marker, and `values` replace the values of the options they name (a fragment line must
 * exist for each). Throws when the fragment is not a signed-app fragment.
 */
export function mergeSdkconfig(base: string, fragment: string, fragmentName: string, values: Readonly<Record<string, string>> = {}): string {
  const fragmentLines = fragment.split(/\r?\n/);
  const fragmentOptions = new Set(fragmentLines.map(sdkconfigOption).filter((o): o is string => o !== undefined));
  if (!fragmentLines.some((line) => /^CONFIG_SECURE_SIGNED_APPS_NO_SECURE_BOOT=y\s*$/.test(line))) {
    throw new Error(`${fragmentName} does not set CONFIG_SECURE_SIGNED_APPS_NO_SECURE_BOOT=y: not a signed-app fragment`);
  }
  for (const name of Object.keys(values)) {
    if (!fragmentOptions.has(name)) throw new Error(`${fragmentName} has no ${name} line to fill in`);
  }
  const kept = base.split(/\r?\n/).filter((line) => {
    const option = sdkconfigOption(line);
    return option === undefined || !fragmentOptions.has(option);
  });
  while (kept.length > 0 && kept[kept.length - 1].trim() === '') kept.pop();
  const filled = fragmentLines.map((line) => {
    const option = sdkconfigOption(line);
    return option !== undefined && option in values && !line.trimStart().startsWith('#') ? `${option}=${values[option]}` : line;
  });
  while (filled.length > 0 && filled[filled.length - 1].trim() === '') filled.pop();
  const unfilled = filled.find((line) => !line.trimStart().startsWith('#') && line.includes(FILL_MARK));
  if (unfilled) throw new Error(`${fragmentName}: ${sdkconfigOption(unfilled) ?? unfilled} needs a value (${FILL_MARK})`);
  return [...kept, '', `# ---- merged from ${fragmentName} (tools/firmware/signed-build.ts) ----`, ...filled, ''].join('\n');
}

/** A sdkconfig string value: double-quoted; refused when mcconfig's or Kconfig's parsing would cut it. */
export function sdkconfigString(value: string): string {
  if (/["=\\\r\n]/.test(value)) throw new Error(`"${value}" cannot be written into sdkconfig (no quotes, '=', backslashes or line breaks)`);
  return `"${value}"`;
}

interface BoardBlock {
  build?: { SDKCONFIGPATH?: string };
}

/** The folder of the board's sdkconfig additions, as its block of manifests/manifest.json names it. */
export function boardSdkconfigDir(board: string, root = repoRoot): string {
  const manifest = JSON.parse(readFileSync(join(root, 'manifests', 'manifest.json'), 'utf8')) as { platforms: Record<string, BoardBlock> };
  const path = manifest.platforms[board]?.build?.SDKCONFIGPATH;
  if (!path) throw new Error(`manifests/manifest.json has no SDKCONFIGPATH for ${board}`);
  return resolve(join(root, 'manifests'), path);
}

/** Reads a PEM key, private or public; says which and what it signs for. */
export function readReleaseKey(pem: string | Buffer): { scheme: SignatureScheme; isPrivate: boolean; publicKey: ReturnType<typeof createPublicKey> } {
  let isPrivate = true;
  try {
    createPrivateKey(pem);
  } catch {
    isPrivate = false;
  }
  const publicKey = createPublicKey(pem);
  return { scheme: schemeOfKey(publicKey), isPrivate, publicKey };
}

export interface SignedBuildPlan {
  board: string;
  scheme: SignatureScheme;
  /** The generated manifest mcconfig builds (instead of manifests/manifest.json). */
  manifest: string;
  sdkconfigDir: string;
  /** ESP32: the raw public key the firmware trusts. */
  verificationKey?: string;
  key: string;
  /** True when `key` is a private key: the build signs the image itself. */
  canSign: boolean;
  /** The image mcconfig will leave, and the signed one made from it. */
  image: string;
  signedImage: string;
}

export interface SignedBuildOptions {
  board: string;
  /** Default: the repository's release public key for the board's scheme (RELEASE_PUBLIC_KEYS). */
  key?: string;
  /** Folder for the generated files; default build/signed-<chip>/. */
  out?: string;
  /** mcconfig's output folder (its -o; default $MODDABLE/build). */
  outputRoot: string;
  debug?: boolean;
  instrument?: boolean;
  root?: string;
}

export function prepareSignedBuild(options: SignedBuildOptions): SignedBuildPlan {
  const root = options.root ?? repoRoot;
  const signing = SIGNED_BOARDS[options.board];
  if (!signing) throw new Error(`signed builds are made for ${Object.keys(SIGNED_BOARDS).join(' and ')}, not ${options.board} (docs/signing-keys.md)`);
  const keyPath = resolve(options.key ?? join(root, RELEASE_PUBLIC_KEYS[signing.scheme]));
  if (!existsSync(keyPath))
    throw new Error(
      `no key at ${keyPath}` +
        (options.key === undefined ? ': the repository has no release public key yet; name yours with --signed KEY.pem (docs/signing-keys.md)' : ''),
    );
  let key: ReturnType<typeof readReleaseKey>;
  try {
    key = readReleaseKey(readFileSync(keyPath));
  } catch (e) {
    throw new Error(`cannot use ${keyPath} as a release key: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (key.scheme !== signing.scheme) {
    throw new Error(
      `${options.board} checks ${signing.scheme} signatures only, and ${basename(keyPath)} is a key for ${key.scheme} (docs/signing-keys.md: one key per chip family)`,
    );
  }
  const chip = options.board.split('/').pop() as string;
  const out = resolve(options.out ?? join(root, 'build', `signed-${chip}`));
  const sdkconfigDir = join(out, 'sdkconfig');
  mkdirSync(sdkconfigDir, { recursive: true });

  const values: Record<string, string> = {};
  let verificationKey: string | undefined;
  if (signing.scheme === 'ecdsa-p256-v1') {
    verificationKey = join(out, 'signature_verification_key.bin');
    writeFileSync(verificationKey, rawP256PublicKey(key.publicKey));
    values[VERIFICATION_KEY_OPTION] = sdkconfigString(verificationKey);
  }
  const boardDir = boardSdkconfigDir(options.board, root);
  const base = readFileSync(join(boardDir, 'sdkconfig.defaults'), 'utf8');
  const fragment = readFileSync(join(root, signing.fragment), 'utf8');
  const header = `# Generated by tools/firmware/signed-build.ts for a signed ${options.board} build (${signing.scheme}, key ${keyPath}): do not edit, do not commit.\n`;
  writeFileSync(join(sdkconfigDir, 'sdkconfig.defaults'), header + mergeSdkconfig(base, fragment, signing.fragment, values));
  for (const name of readdirSync(boardDir)) {
    if (name.startsWith('sdkconfig.') && name !== 'sdkconfig.defaults') copyFileSync(join(boardDir, name), join(sdkconfigDir, name));
  }

  const toManifests = relative(out, join(root, 'manifests', 'manifest.json'))
    .split(sep)
    .join('/');
  writeFileSync(
    join(out, 'signed-sdkconfig.json'),
    JSON.stringify(
      {
        '//': "Generated by tools/firmware/signed-build.ts: included after manifests/manifest.json, so this SDKCONFIGPATH replaces the board's.",
        build: { SDKCONFIGPATH: './sdkconfig' },
      },
      null,
      '\t',
    ) + '\n',
  );
  const manifest = join(out, 'manifest.json');
  writeFileSync(
    manifest,
    JSON.stringify(
      {
        '//': `Generated by tools/firmware/signed-build.ts: the meterbox app (${toManifests}) built for ${options.board} with signed-app verification (${signing.scheme}). Do not edit, do not commit.`,
        include: [toManifests.startsWith('.') ? toManifests : './' + toManifests, './signed-sdkconfig.json'],
        config: { ota: { signatureScheme: signing.scheme } },
      },
      null,
      '\t',
    ) + '\n',
  );
  const image = builtImagePath({ ...options, manifest });
  return {
    board: options.board,
    scheme: signing.scheme,
    manifest,
    sdkconfigDir,
    verificationKey,
    key: keyPath,
    canSign: key.isPrivate,
    image,
    signedImage: image.replace(/\.bin$/, '.signed.bin'),
  };
}

/**
 * Where mcconfig leaves the image of a manifest: OUT/bin/<platform>[/<chip>]/<release|debug|
 * instrument>/<the manifest's folder name>/xs_esp32.bin ($MODDABLE/tools/mcconfig.js,
 * createDirectories; OUT is $MODDABLE/build without -o).
 */
export function builtImagePath(options: { board: string; manifest: string; outputRoot: string; debug?: boolean; instrument?: boolean }): string {
  const [platform, chip] = options.board.split('/');
  const kind = options.debug ? 'debug' : options.instrument ? 'instrument' : 'release';
  return join(options.outputRoot, 'bin', platform, ...(chip ? [chip] : []), kind, basename(dirname(resolve(options.manifest))), 'xs_esp32.bin');
}

function main(argv: string[]): number {
  const args = argv.slice();
  const command = args.shift();
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (command === 'prepare') {
    const board = option('--board');
    const key = option('--key');
    const outputRoot = option('--output-root') ?? (process.env.MODDABLE ? join(process.env.MODDABLE, 'build') : undefined);
    if (!board) throw new Error('prepare needs --board BOARD');
    if (!outputRoot) throw new Error('prepare needs --output-root DIR (mcconfig -o) or $MODDABLE');
    const plan = prepareSignedBuild({
      board,
      key,
      out: option('--out'),
      outputRoot,
      debug: args.includes('--debug'),
      instrument: args.includes('--instrument'),
    });
    console.log(JSON.stringify(plan));
    return 0;
  }
  console.error('usage: signed-build.ts prepare --board esp32|esp32/esp32c3 [--key KEY.pem] [--out DIR] [--output-root DIR] [--debug] [--instrument]');
  return 2;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error('signed-build: ' + (e instanceof Error ? e.message : String(e)));
    process.exitCode = 2;
  }
}
