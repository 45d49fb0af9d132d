/**
 * Bundles pure modules into ONE script for the XS engine with esbuild (format iife, target es2022,
 * platform neutral, no Node shims). Each requested module is exposed as `globalThis.__xs[name]`.
 *
 * Purity is enforced here too: any import that is not a relative path inside the repository
 * (a bare package name, `node:*`, anything under node_modules) fails the bundle, so a decoder
 * that pulls in Buffer/TextDecoder polyfills or a Node builtin cannot pass the XS suite.
 *
 * Modules that do not exist yet, or fail to build, are left out and reported in `missing`, so a
 * family without a decoder is counted as failed with a reason instead of crashing the suite.
 */
import { build as esbuild, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');

export interface BundleResult {
  code: string;
  /** Modules that were requested but are not in the bundle: name -> reason. */
  missing: Record<string, string>;
  bytes: number;
}

function resolveModule(rel: string): string | undefined {
  for (const candidate of [rel + '.ts', join(rel, 'index.ts')]) {
    if (existsSync(join(repoRoot, candidate))) return candidate;
  }
  return undefined;
}

const purityGuard: Plugin = {
  name: 'purity-guard',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (!args.path.startsWith('./') && !args.path.startsWith('../')) {
        return {
          errors: [
            { text: `non-relative import "${args.path}" from ${relative(repoRoot, args.importer)}: bundled code must be pure (no packages, no Node builtins)` },
          ],
        };
      }
      return undefined;
    });
    build.onLoad({ filter: /.*/ }, (args) => {
      const rel = relative(repoRoot, args.path);
      if (isAbsolute(rel) || rel.startsWith('..') || rel.includes('node_modules')) {
        return { errors: [{ text: `import outside the repository sources: ${args.path}` }] };
      }
      return undefined;
    });
  },
};

async function build(modules: Record<string, string>): Promise<string> {
  const lines: string[] = [];
  const names = Object.keys(modules);
  names.forEach((name, i) => lines.push(`import * as m${i} from './${modules[name]}';`));
  lines.push(`(globalThis as any).__xs = Object.assign((globalThis as any).__xs || {}, { ${names.map((n, i) => `${JSON.stringify(n)}: m${i}`).join(', ')} });`);
  const out = await esbuild({
    stdin: { contents: lines.join('\n'), resolveDir: repoRoot, loader: 'ts', sourcefile: 'xs-entry.ts' },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    platform: 'neutral',
    mainFields: [],
    logLevel: 'silent',
    plugins: [purityGuard],
  });
  return out.outputFiles[0].text;
}

function reasonOf(e: unknown): string {
  const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors;
  if (errors && errors.length)
    return errors
      .slice(0, 3)
      .map((x) => (x.location ? `${x.location.file}:${x.location.line}: ` : '') + x.text)
      .join('; ');
  return String(e);
}

/**
 * modules: global name -> repository path without extension (e.g. { ms: 'decoders/meter-stream' }).
 * Tries one bundle of everything; if that fails, bundles each module alone (so one broken module
 * does not take the others down) and concatenates the ones that build.
 */
export async function bundleForXs(modules: Record<string, string>): Promise<BundleResult> {
  const missing: Record<string, string> = {};
  const present: Record<string, string> = {};
  for (const [name, rel] of Object.entries(modules)) {
    const file = resolveModule(rel);
    if (file) present[name] = file.replace(/\.ts$/, '');
    else missing[name] = `${rel}.ts does not exist yet`;
  }
  let code: string;
  try {
    code = Object.keys(present).length ? await build(present) : '';
  } catch {
    const parts: string[] = [];
    for (const [name, rel] of Object.entries(present)) {
      try {
        parts.push(await build({ [name]: rel }));
      } catch (e) {
        missing[name] = `bundle failed: ${reasonOf(e)}`;
      }
    }
    code = parts.join('\n');
  }
  return { code, missing, bytes: Buffer.byteLength(code) };
}

/** Node side: require the same modules (through tsx/jest), or a reason why not. */
export function loadForNode<T>(rel: string): { mod?: T; reason?: string } {
  const file = resolveModule(rel);
  if (!file) return { reason: `${rel}.ts does not exist yet` };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { mod: require(join(repoRoot, file)) as T };
  } catch (e) {
    return { reason: `load failed: ${String(e).slice(0, 300)}` };
  }
}
