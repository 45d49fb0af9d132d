// `npm run simulate`: options, the JSON it prints, the table, and refusals.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const main = join(root, 'tools', 'simulate', 'main.ts');

function simulate(args: string[]) {
  return spawnSync(tsx, [main, ...args], { cwd: root, encoding: 'utf8' });
}

test('--json: one result per house and controller, with the metrics and the options used', () => {
  const r = simulate(['--days', '0.2', '--seed', '5', '--json']);
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.days).toBe(0.2);
  expect(out.seed).toBe(5);
  expect(out.results.map((x: { house: string; controller: string }) => `${x.house}/${x.controller}`)).toEqual([
    'no-it/engine', 'no-it/gap', 'no-it/quarter', 'no-it/oracle',
    'nl-tn/engine', 'nl-tn/gap', 'nl-tn/quarter', 'nl-tn/oracle',
  ]);
  for (const x of out.results) {
    expect(x.seconds).toBe(Math.round(0.2 * 86400));
    for (const key of ['chargerOverloadAs', 'beyondIntervalAs', 'lostFrameAs', 'longestOverloadS', 'energyWh', 'idealEnergyWh', 'setpointChanges']) {
      expect(typeof x[key]).toBe('number');
    }
  }
  expect(out.results[0].meter).toBe('han');
  expect(out.results[4].meter).toBe('dsmr5');
});

test('--house, --meter and --controllers choose the rows; the table has one line per row', () => {
  const r = simulate(['--days', '0.1', '--house', 'nl-tn', '--meter', 'dsmr4', '--controllers', 'gap,oracle']);
  expect(r.status).toBe(0);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('nl-tn'));
  expect(rows).toHaveLength(2);
  expect(rows[0]).toMatch(/^nl-tn\s+dsmr4\s+gap\s/);
  expect(rows[1]).toMatch(/^nl-tn\s+dsmr4\s+oracle\s/);
});

test('--settings overrides the engine settings; invalid ones are refused with exit code 2', () => {
  const bad = simulate(['--days', '0.1', '--controllers', 'engine', '--settings', join(root, 'package.json')]);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/unknown setting/);
});

test.each([
  [['--house', 'mars']],
  [['--meter', 'dsmr9']],
  [['--controllers', 'engine,magic']],
  [['--days', '-1']],
  [['--seed', 'x']],
  [['--frobnicate']],
])('refuses %j with exit code 2 and a usage line', (args) => {
  const r = simulate(args);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/usage: npm run simulate/);
});
