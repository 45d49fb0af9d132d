// Jest transformer: strips types with esbuild (fast, no TypeScript-version coupling).
// Type checking is a separate step (`npm run typecheck`).
const { transformSync } = require('esbuild');
module.exports = {
  process(source, filename) {
    const loader = filename.endsWith('.tsx') ? 'tsx' : filename.endsWith('.ts') ? 'ts' : 'js';
    const out = transformSync(source, { loader, format: 'cjs', target: 'node20', sourcemap: 'inline', sourcefile: filename });
    return { code: out.code };
  },
};
