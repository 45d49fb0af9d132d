#!/usr/bin/env node
/**
 * Instructions one PBKDF2 iteration of the device native (../kcl-pbkdf2.c on the SDK's
 * fips180.c) costs on a RISC-V core like the ESP32-C3's, counted, not timed: no board is needed.
 * It compiles iteration-cost.c with the device build's flags for that chip (-Os -march=rv32imc
 * -fno-inline-functions, as the makefile mcconfig writes for esp32/esp32c3) twice, for 1 and for
 * 1 + N iterations, checks each program's key byte against node:crypto, runs both under
 * qemu-riscv32 one instruction per block and counts the blocks executed: the difference over N is
 * the instructions of one iteration, split by function (nm). Cycles and time follow from a board's
 * cycles per instruction, which this cannot know: it prints the span 1.0-1.3 at 160 MHz as an
 * estimate only (docs/lan-security.md).
 *
 * Needs $MODDABLE (modules/crypt/digest/kcl/fips180.c), Debian's gcc-riscv64-unknown-elf and
 * picolibc-riscv64-unknown-elf (headers only), and qemu-user (qemu-riscv32).
 * Usage: node firmware/moddable/pbkdf2/bench/iteration-cost.mjs [--iterations 100] [--json FILE]
 */
import { spawnSync } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const extra = Number(option('--iterations', '100'));
const jsonFile = option('--json', '');
const { MODDABLE } = process.env;
if (!MODDABLE) {
  console.error('iteration-cost: MODDABLE is not set');
  process.exit(2);
}
const kcl = join(MODDABLE, 'modules/crypt/digest/kcl');
const work = mkdtempSync(join(tmpdir(), 'meterbox-pbkdf2-cost-'));
const cc = 'riscv64-unknown-elf-gcc';
const flags = [
  '--specs=picolibc.specs',
  '-march=rv32imc_zicsr_zifencei',
  '-mabi=ilp32',
  '-Os',
  '-fno-inline-functions',
  '-ffreestanding',
  '-nostartfiles',
  '-nostdlib',
  '-static',
];

function run(command, commandArgs) {
  const r = spawnSync(command, commandArgs, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.error) {
    console.error(`iteration-cost: ${command}: ${r.error.message}`);
    process.exit(2);
  }
  return r;
}

/** Builds and runs the program for `iterations`; returns instructions executed per function. */
function count(iterations) {
  const program = join(work, `cost-${iterations}`);
  const built = run(cc, [
    ...flags,
    `-DITERATIONS=${iterations}`,
    `-I${here}`,
    `-I${kcl}`,
    join(here, 'iteration-cost.c'),
    join(here, 'bare-libc.c'),
    join(here, '..', 'kcl-pbkdf2.c'),
    join(kcl, 'fips180.c'),
    '-o',
    program,
  ]);
  if (built.status !== 0) {
    console.error(built.stderr);
    process.exit(1);
  }
  const want = pbkdf2Sync('password', 'saltsaltsaltsalt', iterations, 32, 'sha256')[0];
  const plain = run('qemu-riscv32', [program]);
  if (plain.status !== want) {
    console.error(`iteration-cost: ${iterations} iterations gave key byte ${plain.status}, node:crypto ${want}`);
    process.exit(1);
  }
  const symbols = run('riscv64-unknown-elf-nm', ['-S', program])
    .stdout.split('\n')
    .map((line) => line.split(' '))
    .filter((p) => p.length === 4 && /^[Tt]$/.test(p[2]))
    .map(([at, size, , name]) => ({ start: parseInt(at, 16), end: parseInt(at, 16) + parseInt(size, 16), name }));
  const log = join(work, `trace-${iterations}.txt`);
  run('qemu-riscv32', ['-singlestep', '-d', 'nochain,exec', '-D', log, program]);
  const byFunction = new Map();
  for (const match of readFileSync(log, 'utf8').matchAll(/^Trace \d+: \S+ \[[0-9a-f]+\/([0-9a-f]+)\//gm)) {
    const pc = parseInt(match[1], 16);
    const name = symbols.find((s) => pc >= s.start && pc < s.end)?.name ?? '?';
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
  }
  return byFunction;
}

const base = count(1);
const more = count(1 + extra);
const perIteration = [...more.entries()]
  .map(([name, n]) => ({ name, instructions: (n - (base.get(name) ?? 0)) / extra }))
  .filter((f) => Math.abs(f.instructions) >= 0.5)
  .sort((a, b) => b.instructions - a.instructions);
const total = Math.round(perIteration.reduce((sum, f) => sum + f.instructions, 0));
const mhz = 160;
const microseconds = (cpi) => (total * cpi) / mhz;
console.log(`PBKDF2 iteration on rv32imc (-Os, ${extra} iterations counted under qemu-riscv32, key checked against node:crypto):`);
for (const f of perIteration) console.log(`  ${f.name.padEnd(20)} ${f.instructions.toFixed(1).padStart(9)} instructions`);
console.log(`  total                ${String(total).padStart(9)} instructions an iteration`);
console.log(
  `estimate at ${mhz} MHz, 1.0-1.3 cycles an instruction: ${microseconds(1).toFixed(0)}-${microseconds(1.3).toFixed(0)} us an iteration, 30,000 iterations ${((microseconds(1) * 30000) / 1e6).toFixed(1)}-${((microseconds(1.3) * 30000) / 1e6).toFixed(1)} s`,
);
const summary = {
  target: 'rv32imc -Os -fno-inline-functions',
  countedIterations: extra,
  instructionsPerIteration: total,
  byFunction: perIteration,
  estimate: { mhz, cyclesPerInstruction: [1.0, 1.3], microsecondsPerIteration: [microseconds(1), microseconds(1.3)] },
};
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(summary, null, 2) + '\n');
