// tools/systemd/meterbox.service, the unit docs/raspberry-pi.md installs: what it promises (its own
// user, the dialout group, restart on failure, settings in its state directory), systemd's own
// check of the file, and its ExecStart run as that user would be: an unprivileged user whose only
// extra group is dialout, reading a meter on a root:dialout 0660 pseudo-terminal (like
// /dev/ttyUSB0), with the options from an EnvironmentFile.
// Needs: socat; systemd-analyze (Debian systemd) for the verify step; root and setpriv for the run.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, realpathSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../firmware/host/replay-source';
import { getJson, repoRoot, spawnCommand, tempDir, waitFor } from './helpers';
import type { SpawnedApp } from './helpers';

const unitText = readFileSync(join(repoRoot, 'tools/systemd/meterbox.service'), 'utf8');

/** key -> values of the unit's assignments (comments and section headers dropped). */
function unitKeys(text: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) keys.set(m[1], [...(keys.get(m[1]) ?? []), m[2]]);
  }
  return keys;
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

test('the unit runs as its own user with the dialout group, restarts on failure, keeps settings in its state directory', () => {
  const k = unitKeys(unitText);
  expect(k.get('User')).toEqual(['meterbox']);
  expect(k.get('SupplementaryGroups')).toEqual(['dialout']);
  expect(k.get('Restart')).toEqual(['on-failure']);
  expect(k.get('StateDirectory')).toEqual(['meterbox']);
  expect(k.get('EnvironmentFile')).toEqual(['-/etc/default/meterbox']);
  const exec = (k.get('ExecStart') ?? [])[0];
  expect(exec).toContain('--settings /var/lib/meterbox/settings.json');
  expect(exec).toContain('--host 0.0.0.0');
  expect(exec).toMatch(/\$METERBOX_ARGS$/);
});

(has('systemd-analyze') ? test : test.skip)('systemd-analyze verify accepts the unit (paths of this checkout)', () => {
  const dir = tempDir('meterbox-unit-');
  const unit = join(dir, 'meterbox.service');
  writeFileSync(unit, unitText.split('/opt/meterbox').join(repoRoot));
  const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
  expect(r.stderr + r.stdout).toBe('');
  expect(r.status).toBe(0);
});

const asRoot = process.getuid?.() === 0 && has('setpriv') && has('socat');
(asRoot ? test : test.skip)(
  'its ExecStart, as an unprivileged user in dialout, reads a meter on a root:dialout 0660 port',
  async () => {
    const dir = tempDir('meterbox-unit-run-');
    chmodSync(dir, 0o755);
    const state = join(dir, 'state');
    spawnSync('install', ['-d', '-o', 'nobody', '-m', '0750', state]); // what StateDirectory= makes
    const link = join(dir, 'ttyUSB0');
    const meterSide = join(dir, 'meter');
    const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${link},group=dialout,perm=0660`, `pty,raw,echo=0,link=${meterSide}`], {
      stdio: 'ignore',
    });
    let app: SpawnedApp | undefined;
    try {
      await waitFor('socat to create the pty pair', () => existsSync(link) && existsSync(meterSide), 5000);
      const device = statSync(realpathSync(link));
      expect(device.mode & 0o777).toBe(0o660);
      expect(device.gid).toBe(20); // dialout
      // The EnvironmentFile's line and the unit's ExecStart with this checkout and a free port.
      const env = `METERBOX_ARGS=--serial ${link} --baud 2400 --parity even --quiet`;
      const args = env.slice('METERBOX_ARGS='.length).split(' ');
      const exec = (unitKeys(unitText).get('ExecStart') ?? [])[0]
        .replace(/\$METERBOX_ARGS$/, '')
        .trim()
        .split(/\s+/);
      const command = exec
        .map((w) => w.split('/opt/meterbox').join(repoRoot).split('/var/lib/meterbox').join(state))
        .map((w) => (w === '8080' ? '0' : w === '0.0.0.0' ? '127.0.0.1' : w));
      app = await spawnCommand('setpriv', ['--reuid=nobody', '--regid=nogroup', '--groups=dialout', ...command, ...args], {
        env: { PATH: process.env.PATH, HOME: state, NODE_ENV: 'production' },
      });
      const port = app.port;
      const url = `http://127.0.0.1:${port}`;
      await waitFor('the port open', async () => (await getJson(url + '/api/v1/status')).body.link.connected === true, 5000);
      const frame = readCapture(join(repoRoot, 'hosttests/vectors/han/ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1.hex'));
      const s = await waitFor(
        'a decoded frame',
        async () => {
          const fd = openSync(meterSide, 'w');
          try {
            writeSync(fd, frame);
          } finally {
            closeSync(fd);
          }
          const body = (await getJson(url + '/api/v1/status')).body;
          return body.frames.frames > 0 ? body : undefined;
        },
        10000,
        500,
      );
      expect(s.meter.listId).toBe('AIDON_V0001');
      expect(s.link.hint).toBeUndefined();
      // Settings go to the state directory, owned by the service's user.
      const put = await getJson(url + '/api/v1/auth/setup', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: 'service test password' }),
      });
      expect(put.status).toBeLessThan(300);
      expect(statSync(join(state, 'settings.json')).uid).toBe(65534);
    } finally {
      await app?.stop();
      socat.kill('SIGTERM');
    }
  },
  60000,
);
