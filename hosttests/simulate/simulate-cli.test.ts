// `npm run simulate`: options, the JSON it prints, the table, and refusals.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const main = join(root, 'tools', 'simulate', 'main.ts');

function simulate(args: string[]) {
  return spawnSync(tsx, [main, ...args], { cwd: root, encoding: 'utf8' });
}

test('--json: one result per house, meter, seed and controller, with the metrics and the options used', () => {
  const r = simulate(['--days', '0.2', '--seed', '5', '--json']);
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.days).toBe(0.2);
  expect(out.seeds).toEqual([5]);
  expect(out.results.map((x: { house: string; meter: string; controller: string }) => `${x.house}/${x.meter}/${x.controller}`)).toEqual([
    'nl-tn/dsmr5/engine',
    'nl-tn/dsmr5/oracle',
    'nl-tn/dsmr5/gap',
    'no-it/han-kaifa/engine',
    'no-it/han-kaifa/oracle',
    'no-it/han-kaifa/gap',
    'no-it/han-aidon/engine',
    'no-it/han-aidon/oracle',
    'no-it/han-aidon/gap',
    'no-it-3ph/han-aidon/engine',
    'no-it-3ph/han-aidon/oracle',
    'no-it-3ph/han-aidon/gap',
  ]);
  for (const x of out.results) {
    expect(x.seconds).toBe(Math.round(0.2 * 86400));
    for (const key of [
      'chargerOverloadAs',
      'beyondIntervalAs',
      'lostFrameAs',
      'longestOverloadS',
      'energyWh',
      'idealEnergyWh',
      'setpointChanges',
      'quickChanges',
    ]) {
      expect(typeof x[key]).toBe('number');
    }
  }
});

test('--house, --meter, --seed lists and --controllers choose the rows; the table compares each row with its oracle', () => {
  const r = simulate(['--days', '1', '--house', 'nl-tn', '--meter', 'dsmr4', '--seed', '1,2', '--controllers', 'gap,oracle']);
  expect(r.status).toBe(0);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('nl-tn'));
  expect(rows).toHaveLength(4);
  expect(rows[0]).toMatch(/^nl-tn\s+dsmr4\s+1\s+gap\s/);
  expect(rows[1]).toMatch(/^nl-tn\s+dsmr4\s+1\s+oracle\s/);
  expect(rows[3]).toMatch(/^nl-tn\s+dsmr4\s+2\s+oracle\s.*100\.0%\s+\d+\s+1\.00\s/); // the oracle against itself
  // 'han' is still accepted for the Kaifa profile.
  const kaifa = simulate(['--days', '0.05', '--house', 'no-it', '--meter', 'han', '--controllers', 'oracle']);
  expect(kaifa.status).toBe(0);
  expect(kaifa.stdout).toMatch(/no-it\s+han-kaifa\s/);
});

test("--old-engine runs another checkout's engine in the same loop (here: this one), with settings it knows", () => {
  const r = simulate([
    '--days',
    '0.05',
    '--house',
    'nl-tn',
    '--controllers',
    'engine',
    '--old-engine',
    join(root, 'decoders', 'headroom', 'index.ts'),
    '--json',
  ]);
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout);
  const [engine, old] = out.results;
  expect(old.controller).toBe('old-engine');
  expect(old.energyWh).toBe(engine.energyWh);
  const missing = simulate(['--days', '0.05', '--controllers', 'old-engine']);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/--old-engine PATH/);
});

test('--settings overrides the engine settings; invalid ones are refused with exit code 2', () => {
  const bad = simulate(['--days', '0.1', '--controllers', 'engine', '--settings', join(root, 'package.json')]);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/unknown setting/);
  const dir = mkdtempSync(join(tmpdir(), 'simulate-'));
  writeFileSync(join(dir, 's.json'), JSON.stringify({ headroom: { marginA: 3 } }));
  const ok = simulate(['--days', '0.05', '--house', 'nl-tn', '--controllers', 'engine', '--settings', join(dir, 's.json')]);
  expect(ok.status).toBe(0);
});

test.each([[['--house', 'mars']], [['--meter', 'dsmr9']], [['--controllers', 'engine,magic']], [['--days', '-1']], [['--seed', 'x']], [['--frobnicate']]])(
  'refuses %j with exit code 2 and a usage line',
  (args) => {
    const r = simulate(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: npm run simulate/);
  },
);
