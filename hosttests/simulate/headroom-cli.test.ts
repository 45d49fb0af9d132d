// The contract of `npm run headroom`: NDJSON in, exactly one NDJSON line out per line in, answered
// before the next line is read; state carried between lines; invalid lines answered with an error
// that changes nothing; the fail-safe ladder visible through {"nowMs"} lines; --settings.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHeadroomState, defaultHeadroomSettings, stepHeadroom } from '../../decoders/headroom/index';
import type { HeadroomSettings } from '../../decoders/headroom/index';
import type { MeterReading } from '../../decoders/reading';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const cli = join(root, 'tools', 'headroom.ts');
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

function run(lines: string[], args: string[] = []) {
  const r = spawnSync(tsx, [cli, ...args], { cwd: root, input: lines.map((l) => `${l}\n`).join(''), encoding: 'utf8' });
  const out = r.stdout.split('\n').filter((l) => l !== '');
  return { status: r.status, stderr: r.stderr, out, parsed: out.map((l) => JSON.parse(l)) };
}

function frame(atMs: number, l1: number, l2: number, l3: number, extra: Record<string, unknown> = {}): string {
  const reading: MeterReading = {
    protocol: 'dsmr',
    powerImportW: Math.round((l1 + l2 + l3) * 230),
    l1: { currentA: l1, voltageV: 230 },
    l2: { currentA: l2, voltageV: 230 },
    l3: { currentA: l3, voltageV: 230 },
    phaseCount: 3,
    frameKind: 'full',
  };
  return JSON.stringify({ nowMs: atMs, reading, ...extra });
}

function tmpFile(name: string, content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-cli-'));
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('one line out per line in', () => {
  test('frames, ticks and bad lines each get exactly one answer, in order', () => {
    const input = [
      frame(T0, 5, 6, 7),
      '{"nowMs": ' + (T0 + 1000) + '}',
      'this is not json',
      '[1,2,3]',
      '{"reading": {"protocol": "dsmr"}}',
      JSON.stringify({ nowMs: T0 + 2000, reading: 'frame' }),
      JSON.stringify({ nowMs: T0 + 2000, reading: { protocol: 'dsmr' }, chargerA: [1, 2] }),
      JSON.stringify({ nowMs: T0 + 500 }),
      JSON.stringify({ nowMs: T0 + 2000, charger: [0, 0, 0] }),
      '',
      frame(T0 + 3000, 5, 6, 7, { chargerA: [0, 0, 0] }),
    ];
    const r = run(input);
    expect(r.status).toBe(0);
    expect(r.out).toHaveLength(input.length);
    const errorLines = r.parsed.flatMap((o, i) => (o.error ? [o.error.line] : []));
    expect(errorLines).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    for (const o of r.parsed) {
      if (o.error) expect(typeof o.error.message).toBe('string');
      else expect(['ok', 'estimated', 'stale', 'safe-fallback', 'no-data']).toContain(o.status);
    }
    expect(r.parsed[7].error.message).toMatch(/backwards/);
    expect(r.parsed[8].error.message).toMatch(/unknown key 'charger'/);
  });

  test('the answers are the engine the device runs, stepped with the same inputs', () => {
    const inputs = [
      { nowMs: T0, line: frame(T0, 10, 12, 3) },
      { nowMs: T0 + 1000, line: frame(T0 + 1000, 16, 18, 9, { chargerA: [6, 6, 6] }) },
      { nowMs: T0 + 2000, line: frame(T0 + 2000, 16, 9, 9, { chargerA: [6, 6, 6] }) },
      { nowMs: T0 + 20000, line: JSON.stringify({ nowMs: T0 + 20000 }) },
    ];
    const r = run(inputs.map((i) => i.line));
    let state = createHeadroomState();
    const expected = inputs.map((i) => {
      const step = stepHeadroom(state, JSON.parse(i.line), defaultHeadroomSettings);
      state = step.state;
      return JSON.stringify(step.headroom);
    });
    expect(r.out).toEqual(expected);
  });

  test('an invalid line changes no state: the valid lines answer as if it was not there', () => {
    const a = [frame(T0, 10, 10, 10), frame(T0 + 1000, 20, 20, 20), JSON.stringify({ nowMs: T0 + 25000 })];
    const withBad = [a[0], '{"nowMs": "soon"}', JSON.stringify({ nowMs: T0 - 1 }), a[1], '{', a[2]];
    const clean = run(a).out;
    const dirty = run(withBad).out;
    expect(dirty).toHaveLength(6);
    expect([dirty[0], dirty[3], dirty[5]]).toEqual(clean);
  });
});

describe('the fail-safe ladder through {"nowMs"} lines', () => {
  test('ok, then stale, safe-fallback and no-data as the last frame ages', () => {
    const s: HeadroomSettings = defaultHeadroomSettings;
    const ages = [1, s.staleAfterS + 1, s.safeFallbackAfterS + 1, s.zeroAfterS + 1];
    const r = run([frame(T0, 3, 3, 3), ...ages.map((age) => JSON.stringify({ nowMs: T0 + age * 1000 }))]);
    const statuses = r.parsed.map((o) => o.status);
    expect(statuses[0]).toBe('ok');
    expect(statuses.slice(1)).toEqual(['ok', 'stale', 'safe-fallback', 'no-data']);
    expect(r.parsed[3].threePhaseA).toBeLessThanOrEqual(s.safeCurrentA);
    expect(r.parsed[4].threePhaseA).toBe(0);
    expect(r.parsed[4].onePhaseA).toBe(0);
    // A frame brings it back.
    const back = run([frame(T0, 3, 3, 3), JSON.stringify({ nowMs: T0 + 90000 }), frame(T0 + 91000, 3, 3, 3)]);
    expect(back.parsed[1].status).toBe('no-data');
    expect(back.parsed[2].status).toBe('ok');
  });
});

describe('--settings', () => {
  test('the app settings document: its headroom key is used', () => {
    const file = tmpFile('settings.json', { version: 1, headroom: { fuseA: 35, gridType: 'TN', phases: 3 }, meter: {}, access: {}, wifi: {} });
    const r = run([frame(T0, 1, 1, 1)], ['--settings', file]);
    expect(r.status).toBe(0);
    expect(r.parsed[0].phases.l1.limitA).toBe(35);
  });

  test('a bare headroom settings object works too; without --settings the defaults', () => {
    const file = tmpFile('headroom.json', { fuseA: 63 });
    expect(run([frame(T0, 1, 1, 1)], ['--settings', file]).parsed[0].phases.l2.limitA).toBe(63);
    expect(run([frame(T0, 1, 1, 1)]).parsed[0].phases.l2.limitA).toBe(defaultHeadroomSettings.fuseA);
  });

  test('invalid settings: a clear message and exit code 2, no output', () => {
    const bad = tmpFile('bad.json', { headroom: { fuseA: -3, gridType: 'XX' } });
    const r = run([frame(T0, 1, 1, 1)], ['--settings', bad]);
    expect(r.status).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.stderr).toMatch(/invalid settings/);
    expect(r.stderr).toMatch(/fuseA/);
    const notJson = run([], ['--settings', tmpFile('x.json', '{ nope')]);
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toMatch(/cannot read settings/);
    expect(run([], ['--settings', join(tmpdir(), 'does-not-exist-9f3a.json')]).status).toBe(2);
    expect(run([], ['--bogus']).status).toBe(2);
  });
});

describe('closed loop', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => child?.kill());

  test('each line is answered before the next one is sent, and the answer can drive the next input', async () => {
    child = spawn(tsx, [cli], { cwd: root });
    const proc = child;
    let buffered = '';
    const waiting: ((line: string) => void)[] = [];
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const w = waiting.shift();
        if (w) w(line);
      }
    });
    const ask = (line: string) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${line}`)), 15000);
        waiting.push((answer) => {
          clearTimeout(timer);
          resolve(answer);
        });
        proc.stdin.write(`${line}\n`);
      });

    // A three-phase charger that takes what the engine offers; the house draws 8 A per line.
    let chargerA = 0;
    const answers: { threePhaseA: number; status: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const house = 8;
      const line = frame(T0 + i * 1000, house + chargerA, house + chargerA, house + chargerA, { chargerA: [chargerA, chargerA, chargerA] });
      const answer = JSON.parse(await ask(line));
      answers.push(answer);
      chargerA = answer.threePhaseA >= 6 ? Math.floor(answer.threePhaseA) : 0;
    }
    expect(answers).toHaveLength(40);
    expect(answers.every((a) => a.status === 'ok')).toBe(true);
    // It never offers more than fits: fuse 25 - margin - house 8.
    const most = defaultHeadroomSettings.fuseA - defaultHeadroomSettings.marginA - 8;
    expect(Math.max(...answers.map((a) => a.threePhaseA))).toBeLessThanOrEqual(most + 1e-9);
    expect(chargerA).toBeGreaterThan(0);
    proc.stdin.end();
  });
});
