/**
 * The Moddable XS compiler (xsc) reads any call written `native("...")` as its host-function
 * form, so a local function named `native` in shared code fails the device build ("native: too
 * many arguments!") although tsc, jest and xsnap accept it. Found the hard way; kept out here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('no shared or device module calls something named native(...)', () => {
  const offenders = ['decoders', 'firmware/app', 'firmware/moddable']
    .flatMap((d) => tsFiles(join(root, d)))
    .filter((f) => /(^|[^\w.$])native\s*\(/m.test(readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')));
  expect(offenders).toEqual([]);
});
