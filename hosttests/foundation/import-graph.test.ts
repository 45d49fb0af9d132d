/**
 * No import circles: every .ts file under decoders/, firmware/ and tools/ (found on disk, so a
 * file another change adds is covered too) with every module it imports (static imports and
 * re-exports, type-only ones included, dynamic import() too) that resolves to a file of the
 * project: relative specifiers, and the bare names the Moddable manifests map to project files
 * (meterbox/wifi -> firmware/moddable/wifi/esp32-wifi and sim-wifi). Package and SDK modules
 * are leaves. A circle fails the test and is printed file by file.
 *
 * Why: a circle makes the module evaluation order decide what a module sees of another (XS
 * preloads modules at build time on the device), hides what depends on what, and is how
 * layers start reaching into each other (the DLMS APDU layer importing the list shapes).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');
const SCANNED = ['decoders', 'firmware', 'tools'];

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Bare module names the manifests map to one project path (without extension), all platforms. */
function manifestModules(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const dir = join(ROOT, 'manifests');
  if (!existsSync(dir)) return map;
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'modules' && value !== null && typeof value === 'object') {
        for (const [name, target] of Object.entries(value as Record<string, unknown>)) {
          if (typeof target !== 'string' || name.includes('*')) continue;
          const list = map.get(name) ?? [];
          list.push(resolve(dir, target));
          map.set(name, list);
        }
      } else visit(value);
    }
  };
  for (const f of readdirSync(dir)) if (f.endsWith('.json')) visit(JSON.parse(readFileSync(join(dir, f), 'utf8')));
  return map;
}

function resolveFile(base: string): string | undefined {
  const b = base.replace(/\.(js|mjs|ts)$/, '');
  for (const c of [`${b}.ts`, join(b, 'index.ts')]) if (existsSync(c)) return c;
  return undefined;
}

function buildGraph(): Map<string, string[]> {
  const modules = manifestModules();
  const files = SCANNED.flatMap((d) => tsFiles(join(ROOT, d)));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = new Set<string>();
    for (const imp of info.importedFiles) {
      const spec = imp.fileName;
      const targets = spec.startsWith('.') ? [resolve(dirname(file), spec)] : (modules.get(spec) ?? []);
      for (const t of targets) {
        const hit = resolveFile(t);
        if (hit !== undefined) deps.add(hit);
      }
    }
    graph.set(file, [...deps].sort());
  }
  return graph;
}

/** Strongly connected components with a circle in them (Tarjan), each as one circle's files in order. */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(oneCircle(graph, new Set(scc), scc.sort()[0]));
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  return found;
}

/** A shortest path from `start` back to itself inside the component, to print. */
function oneCircle(graph: Map<string, string[]>, scc: Set<string>, start: string): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set<string>();
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!scc.has(w)) continue;
      if (w === start) {
        const path = [v];
        let p = v;
        while (p !== start) {
          p = prev.get(p)!;
          path.unshift(p);
        }
        return [...path, start].map((f) => relative(ROOT, f)) as string[];
      }
      if (!seen.has(w)) {
        seen.add(w);
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [relative(ROOT, start)];
}

const graph = buildGraph();

test('the scan finds the project and resolves its imports', () => {
  expect(graph.size).toBeGreaterThan(100);
  const meterStream = graph.get(join(ROOT, 'decoders', 'meter-stream.ts'));
  expect(meterStream).toContain(join(ROOT, 'decoders', 'p1-front.ts'));
});

test('the circle finder sees a circle when there is one (type-only imports included)', () => {
  const g = new Map<string, string[]>([
    ['/a.ts', ['/b.ts']],
    ['/b.ts', ['/c.ts']],
    ['/c.ts', ['/a.ts']],
    ['/d.ts', ['/a.ts']],
  ]);
  expect(circles(g)).toHaveLength(1);
  expect(
    circles(
      new Map([
        ['/a.ts', ['/b.ts']],
        ['/b.ts', []],
      ]),
    ),
  ).toEqual([]);
  // preProcessFile reports type-only imports and re-exports as imports
  const info = ts.preProcessFile("import type { A } from './a';\nexport { B } from './b';\nconst c = import('./c');\n", true, true);
  expect(info.importedFiles.map((f) => f.fileName)).toEqual(['./a', './b', './c']);
});

test('no import circle in decoders/, firmware/ or tools/', () => {
  const found = circles(graph).map((c) => c.join('\n  -> '));
  expect(found).toEqual([]);
});
