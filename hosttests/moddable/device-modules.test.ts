// The device build contains only the modules its manifests name, and a TypeScript module is
// preloaded (built into flash at build time instead of into RAM at boot) only when it is named:
// mcconfig matches wildcard preloads against .js files alone. manifests/generate-modules.mjs names
// them all; these tests run it as the build does and check what it wrote, and check that
// manifests/check-preloads.mjs tells a makefile that preloads them from one that does not.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(__dirname, '..', '..');
const outDir = mkdtempSync(join(tmpdir(), 'meterbox-manifests-'));

interface Fragment {
  modules: Record<string, string>;
  preload: string[];
}

function node(script: string, args: string[]): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [join(root, script), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout + r.stderr };
}

const generated = node('manifests/generate-modules.mjs', ['--out', outDir]);
const fragment = (name: string): Fragment => JSON.parse(readFileSync(join(outDir, `${name}.json`), 'utf8')) as Fragment;
const fragments = ['core', 'device', 'natives'].map(fragment);
const allModules = new Map<string, string>(fragments.flatMap((f) => Object.entries(f.modules)));
const allPreloads = new Set(fragments.flatMap((f) => f.preload));

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

test('the generator runs and writes the three fragments', () => {
  expect(generated.status).toBe(0);
  for (const name of ['core', 'device', 'natives']) expect(existsSync(join(outDir, `${name}.json`))).toBe(true);
});

test('every TypeScript module of decoders/ and firmware/app/ is named and preloaded', () => {
  const shared = [...tsFiles('decoders'), ...tsFiles('firmware/app')].map((p) => p.replace(/\.ts$/, ''));
  expect(shared.length).toBeGreaterThan(80);
  expect(shared.filter((name) => !allModules.has(name))).toEqual([]);
  expect(shared.filter((name) => !allPreloads.has(name))).toEqual([]);
  // no tsconfig.json or test file slips in as a module (a wildcard entry used to take tsconfig.json)
  expect([...allModules.keys()].filter((name) => /tsconfig|\.test$/.test(name))).toEqual([]);
});

test('each module path points at its source file', () => {
  for (const [name, path] of allModules) {
    const file = resolve(outDir, path);
    expect(relative(root, file)).toBe(name);
    expect(existsSync(file + '.ts') || existsSync(file + '.js')).toBe(true);
  }
});

// Every relative import reachable from the entry point must land on a named module, or the device
// build fails where the PC build works (it happened when firmware/app/outputs/ was added).
test('the import closure of firmware/moddable/main.ts is covered', () => {
  const seen = new Set<string>();
  const unmapped: string[] = [];
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    if (!allModules.has(name)) {
      unmapped.push(name);
      return;
    }
    const file = existsSync(join(root, name + '.ts')) ? name + '.ts' : name + '.js';
    const source = readFileSync(join(root, file), 'utf8');
    for (const m of source.matchAll(/(?:import|export)\s[^'";]*?from\s+['"](\.[^'"]+)['"]/g)) {
      visit(relative(root, resolve(root, dirname(name), m[1] as string)));
    }
  };
  visit('firmware/moddable/main');
  expect(seen.size).toBeGreaterThan(60);
  expect(unmapped).toEqual([]);
});

describe('check-preloads', () => {
  const makefile = (preloads: string[]): string => {
    const path = join(outDir, `makefile-${preloads.length}`);
    writeFileSync(path, `MODULES =\\\n\t$(MODULES_DIR)/x.xsb\n\nPRELOADS =${preloads.map((p) => `\\\n\t-p ${p}.xsb`).join('')}\n\nDIRECTORIES =\\\n\t-Ifoo\n`);
    return path;
  };

  test('a makefile whose PRELOADS come from wildcards (two tsconfig entries) fails', () => {
    const r = node('manifests/check-preloads.mjs', [makefile(['Resource', 'timer', 'decoders/tsconfig', 'firmware/app/tsconfig'])]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/preloaded: 0\.0 %/);
  });

  test('a makefile with the generated preloads passes with every shared module', () => {
    const r = node('manifests/check-preloads.mjs', [makefile(['timer', ...allPreloads])]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/preloaded: 100\.0 %/);
  });

  test('just under the minimum fails', () => {
    const core = fragment('core').preload;
    const keep = core.slice(0, Math.floor(core.length * 0.89));
    const r = node('manifests/check-preloads.mjs', [makefile(keep)]);
    expect(r.status).toBe(1);
  });
});
