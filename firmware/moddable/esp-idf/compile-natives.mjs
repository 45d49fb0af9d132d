#!/usr/bin/env node
/**
 * Compiles every C file of this repository that a device build links (the natives under
 * firmware/moddable/, and any other area's) to an object file, with the flags and include paths
 * of the makefile mcconfig writes and the real ESP-IDF headers, without ESP-IDF's Python
 * environment or toolchains installed. It proves that the natives compile for a board before one
 * is at hand; a full image still needs ESP-IDF's own build (docs/firmware.md).
 *
 *   1. node manifests/generate-modules.mjs, then mcconfig -p BOARD -o OUT manifests/manifest.json
 *      (release, no -m): the makefile, mc.defines.h and the merged sdkconfig.mc
 *   2. sdkconfig.h from ESP-IDF's Kconfig + sdkconfig.mc (sdkconfig_header.py, kconfiglib) at the
 *      path the makefile expects, so make does not call idf.py
 *   3. make's mc.xs.c target: every module compiled and linked to bytecode (xsl, preloads run),
 *      which also writes mc.xs.h, the header the natives include
 *   4. C_DEFINES, C_INCLUDES and C_FLAGS read from the makefile (make prints them), then each C
 *      file whose rule names a source under this repository is compiled with them. The compiler:
 *      --cc if given, else ESP-IDF's own for the chip if on PATH (xtensa-esp32-elf-gcc,
 *      riscv32-esp-elf-gcc), else for RISC-V chips Debian's riscv64-unknown-elf-gcc with
 *      -march=rv32imc_zicsr_zifencei -mabi=ilp32 (GCC 12 names the CSR and fence extensions the
 *      makefile's plain rv32imc implies). ESP-IDF's toolchain carries its own newlib; Debian's
 *      newlib (3.3) is older than ESP-IDF's and its headers clash (sys/reent.h), so with Debian's
 *      compiler the check selects ESP-IDF v6's other C library, picolibc (CONFIG_LIBC_PICOLIBC,
 *      Debian's picolibc headers): the natives use no libc internals, so this checks the same code
 *      against the same ESP-IDF headers. There is no Xtensa compiler in Debian: for -p esp32
 *      without ESP-IDF's toolchain, steps 1-3 run and step 4 says so.
 *
 * An ESP-IDF cloned without --recursive lacks its submodules (lwIP, mbedTLS, ...); the XS
 * platform header includes lwip/netdb.h: pass the lwIP headers with --include DIR (e.g. the
 * src/include folder of the esp-lwip commit your ESP-IDF names).
 *
 * --manifest FILE builds another manifest than manifests/manifest.json, e.g. the signed build's
 * build/signed-<chip>/manifest.json (firmware/moddable/build-device.mjs --signed --dry-run writes
 * it); the signed-app options sdkconfig.h ends up with are printed either way.
 *
 * Needs $MODDABLE and $IDF_PATH (an ESP-IDF v6.0 checkout; headers only), python3 with kconfiglib.
 * Usage: node firmware/moddable/esp-idf/compile-natives.mjs [--board esp32/esp32c3] [--out DIR]
 *          [--manifest FILE] [--cc COMPILER] [--include DIR]... [--skip-xs] [--json FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFile } from '../sim/sim-tools.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const board = option('--board', 'esp32/esp32c3');
const manifest = resolve(option('--manifest', join(root, 'manifests/manifest.json')));
// mcconfig names the build after the manifest's folder ("manifests", "signed-esp32", ...)
const manifestName = basename(dirname(manifest));
const outDir = option('--out', join(root, 'build', 'natives-' + board.replace(/\//g, '-') + (manifestName === 'manifests' ? '' : '-' + manifestName)));
const jsonFile = option('--json', '');
const extraIncludes = args.flatMap((a, i) => (a === '--include' && args[i + 1] ? ['-I' + args[i + 1]] : []));
const { MODDABLE, IDF_PATH } = process.env;

function fail(message) {
  console.error(`compile-natives: ${message}`);
  process.exit(1);
}
if (!MODDABLE) fail('MODDABLE is not set (docs/firmware.md)');
if (!IDF_PATH || !existsSync(join(IDF_PATH, 'components'))) fail('IDF_PATH must name an ESP-IDF v6.0 checkout');

const env = { ...process.env, PATH: [join(MODDABLE, 'build/bin/lin/release'), join(root, 'node_modules/.bin'), process.env.PATH].join(delimiter) };

function run(command, commandArgs, options = {}) {
  const r = spawnSync(command, commandArgs, { cwd: options.cwd ?? root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0 && !options.allowFail) {
    process.stderr.write((r.stdout ?? '').slice(-6000) + (r.stderr ?? '').slice(-6000));
    fail(`${command} ${commandArgs.slice(0, 6).join(' ')} ... failed (${r.status})`);
  }
  return r;
}

const onPath = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { env }).status === 0;

// 1. makefile
mkdirSync(outDir, { recursive: true });
run(process.execPath, [join(root, 'firmware/moddable/assets/pack-web.mjs')]);
run(process.execPath, [join(root, 'manifests/generate-modules.mjs')]);
if (!existsSync(manifest)) fail(`no manifest at ${manifest}`);
run('mcconfig', ['-p', board, '-o', outDir, manifest]);
const makefile = findFile(join(outDir, 'tmp', ...board.split('/'), 'release', manifestName), 'makefile');
if (!makefile) fail('mcconfig wrote no makefile');
const makeDir = dirname(makefile);
const printMk = join(outDir, 'print-vars.mk');
writeFileSync(printMk, "print-%:\n\t@echo '$*=$($*)'\n");
const vars = {};
const names = ['C_DEFINES', 'C_INCLUDES', 'C_FLAGS', 'SDKCONFIG_H', 'SDKCONFIG_FILE', 'TMP_DIR', 'ESP32_SUBCLASS', 'ESP_ARCH', 'GXX_PREFIX'];
const printed = run('make', ['-s', '-C', makeDir, '-f', 'makefile', '-f', printMk, ...names.map((n) => `print-${n}`)]).stdout;
for (const line of printed.split('\n')) {
  const i = line.indexOf('=');
  if (i > 0 && names.includes(line.slice(0, i))) vars[line.slice(0, i)] = line.slice(i + 1).trim();
}
const missing = names.filter((n) => vars[n] === undefined);
if (missing.length) fail(`make did not print ${missing.join(', ')} from ${makefile}:\n${printed.slice(-2000)}`);
const target = vars.ESP32_SUBCLASS;
console.log(`board ${board}: chip ${target} (${vars.ESP_ARCH}), makefile ${makefile}`);

// the compiler decides the C library the sdkconfig selects (see the header of this file)
let cc = option('--cc', '');
let archFlags = [];
const libcDefaults = [];
if (!cc) {
  if (onPath(`${vars.GXX_PREFIX}-elf-gcc`)) cc = `${vars.GXX_PREFIX}-elf-gcc`;
  else if (vars.ESP_ARCH === 'riscv' && onPath('riscv64-unknown-elf-gcc')) {
    cc = 'riscv64-unknown-elf-gcc';
    archFlags = ['--specs=picolibc.specs', '-mabi=ilp32'];
    const picolibc = join(outDir, 'sdkconfig.picolibc');
    writeFileSync(
      picolibc,
      "# compile-natives.mjs with Debian's compiler: ESP-IDF v6's picolibc instead of newlib\nCONFIG_LIBC_PICOLIBC=y\n# CONFIG_LIBC_NEWLIB is not set\n",
    );
    libcDefaults.push('--defaults', picolibc);
  }
}

// 2. sdkconfig.h
mkdirSync(dirname(vars.SDKCONFIG_H), { recursive: true });
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const header = run(python, [
  join(root, 'firmware/moddable/esp-idf/sdkconfig_header.py'),
  '--idf-path',
  IDF_PATH,
  '--target',
  target,
  '--defaults',
  vars.SDKCONFIG_FILE,
  ...libcDefaults,
  '--out',
  vars.SDKCONFIG_H,
  '--report',
]);
process.stdout.write(header.stdout);
const later = new Date(Date.now() + 1000);
utimesSync(vars.SDKCONFIG_H, later, later); // newer than sdkconfig.mc: make leaves idf.py alone
const signedOptions = readFileSync(vars.SDKCONFIG_H, 'utf8')
  .split('\n')
  .filter((l) => /#define CONFIG_SECURE_(SIGNED|BOOT_VERIFICATION_KEY|BOOT_BUILD_SIGNED)/.test(l))
  .map((l) => l.replace('#define ', ''));
console.log(`signed-app options in sdkconfig.h: ${signedOptions.length ? signedOptions.join(', ') : 'none'}`);

// 3. bytecode (and mc.xs.h)
const xsC = join(vars.TMP_DIR, 'mc.xs.c');
let xsl = 'skipped (--skip-xs)';
if (!(args.includes('--skip-xs') && existsSync(join(vars.TMP_DIR, 'mc.xs.h')))) {
  const started = Date.now();
  const r = run('make', ['-C', makeDir, '-f', 'makefile', 'MAKEFLAGS_JOBS=--jobs=2', xsC]);
  const summary = /### (\d+) instances, (\d+) keys[^\n]*/.exec(r.stdout + r.stderr);
  xsl = `${summary ? summary[0].replace('### ', '') : 'linked'} in ${Math.round((Date.now() - started) / 1000)} s`;
}
console.log(`mc.xs.c: ${xsl}`);
const preloads = run(process.execPath, [join(root, 'manifests/check-preloads.mjs'), makefile], { allowFail: true });
console.log(preloads.stdout.trim().split('\n').pop());

// 4. the repository's C files
const rules = [
  ...spawnSync('make', ['-s', '-C', makeDir, '-f', 'makefile', '-pn', 'nothing-to-make'], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  }).stdout.matchAll(/^(\S+\.c\.o): (\S+\.c)\b/gm),
];
const ours = (path) => path.startsWith(root + '/') && !path.startsWith(join(root, 'build') + '/') && !path.startsWith(outDir) && !path.includes('%');
const sources = [...new Map(rules.filter((m) => ours(m[2])).map((m) => [m[2], m[1]])).entries()];
const results = [];
if (!existsSync(join(IDF_PATH, 'components/lwip/lwip/src/include')) && extraIncludes.length === 0) {
  console.log(`note: ${IDF_PATH} has no lwIP submodule (cloned without --recursive): pass its headers with --include DIR`);
}
if (!cc) {
  console.log(
    `no compiler for ${target}: ${vars.GXX_PREFIX}-elf-gcc is not on PATH (ESP-IDF's install.sh brings it; Debian has no Xtensa gcc). Not compiled: ${sources.map(([s]) => s.slice(root.length + 1)).join(', ')}`,
  );
} else {
  const split = (text) => text.split(/\s+/).filter(Boolean);
  let flags = split(vars.C_FLAGS);
  if (cc === 'riscv64-unknown-elf-gcc') flags = flags.map((f) => (f === '-march=rv32imc' ? '-march=rv32imc_zicsr_zifencei' : f));
  const objDir = join(outDir, 'objects');
  mkdirSync(objDir, { recursive: true });
  for (const [source] of sources) {
    const object = join(objDir, basename(source) + '.o');
    const r = spawnSync(cc, [...archFlags, ...split(vars.C_DEFINES), ...split(vars.C_INCLUDES), ...extraIncludes, ...flags, source, '-o', object], {
      env,
      encoding: 'utf8',
    });
    const warnings = (r.stderr.match(/warning:/g) ?? []).length;
    const ok = r.status === 0 && existsSync(object);
    results.push({ source: source.slice(root.length + 1), ok, warnings, object: ok ? object : undefined });
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${source.slice(root.length + 1)} -> ${ok ? basename(object) : '(no object)'}${warnings ? ` (${warnings} warnings)` : ''}`,
    );
    if (!ok || warnings) process.stdout.write(r.stderr.split('\n').slice(0, 40).join('\n') + '\n');
  }
  console.log(
    `compiler: ${cc} ${archFlags.join(' ')} ${flags.filter((f) => f.startsWith('-march')).join(' ')}${libcDefaults.length ? ' (sdkconfig: CONFIG_LIBC_PICOLIBC)' : ''}`,
  );
}
const summary = {
  board,
  manifest,
  signedOptions,
  chip: target,
  compiler: cc || undefined,
  libc: libcDefaults.length ? 'picolibc' : 'newlib (sdkconfig as merged)',
  includes: extraIncludes,
  xsl,
  files: results,
  notCompiled: cc ? [] : sources.map(([s]) => s.slice(root.length + 1)),
};
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(summary, null, 2) + '\n');
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
