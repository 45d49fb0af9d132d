// A serial port that cannot be opened is named as the cause at once, with what to do, in the link
// hint the dashboard shows (not "ask your grid company" after 15 s): a device that does not exist,
// and one the user may not open (not in the dialout group: the app runs as `nobody` against a
// root-owned pseudo-terminal made by socat). Through the real CLI (`npm start` = main.ts).
// Needs: socat; the permission case needs root (to start the app as another user) and setpriv.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, repoRoot, spawnApp, spawnCommand, tempDir, waitFor } from './helpers';
import type { SpawnedApp } from './helpers';

test('a missing device: "does not exist: plug in the meter cable", at once', async () => {
  const dir = tempDir('meterbox-nodev-');
  const app = await spawnApp(['--serial', '/dev/ttyUSB-meterbox-absent', '--settings', join(dir, 's.json'), '--quiet']);
  try {
    const s = await waitFor(
      'the link hint',
      async () => {
        const body = (await getJson(app.url + '/api/v1/status')).body;
        return body.link.hint ? body : undefined;
      },
      5000,
    );
    expect(s.link.state).toBe('no-data');
    expect(s.link.connected).toBe(false);
    expect(s.link.hint).toMatch(/^\/dev\/ttyUSB-meterbox-absent does not exist: plug in the meter cable/);
    expect(s.link.hint).toContain('/dev/serial/by-id/');
    expect(s.link.hint).not.toMatch(/grid company/);
    expect(s.readingAgeS).toBeNull();
  } finally {
    await app.stop();
  }
});

const asRoot = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v setpriv'], { stdio: 'ignore' }).status === 0;
(asRoot ? test : test.skip)('a device the user may not open: "add the user to the dialout group"', async () => {
  const dir = tempDir('meterbox-eacces-');
  chmodSync(dir, 0o777); // the app (as nobody) writes its settings here and reaches the pty link
  const link = join(dir, 'ttyMETER');
  const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${link}`, `pty,raw,echo=0,link=${join(dir, 'meter')}`], { stdio: 'ignore' });
  let app: SpawnedApp | undefined;
  try {
    await waitFor('socat to create the pty pair', () => existsSync(link), 5000);
    // The device node belongs to root and only root may open it, like /dev/ttyUSB0 (root:dialout 0660).
    expect(statSync(realpathSync(link)).mode & 0o077).toBe(0);
    const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
    app = await spawnCommand(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        tsx,
        'firmware/host/main.ts',
        '--port',
        '0',
        '--serial',
        link,
        '--settings',
        join(dir, 's.json'),
        '--quiet',
      ],
      {
        env: { ...process.env, HOME: dir },
      },
    );
    const port = app.port;
    const s = await waitFor(
      'the link hint',
      async () => {
        const body = (await getJson(`http://127.0.0.1:${port}/api/v1/status`)).body;
        return body.link.hint ? body : undefined;
      },
      5000,
    );
    expect(s.link.state).toBe('no-data');
    expect(s.link.hint).toMatch(new RegExp(`^no permission to open ${link.replace(/[/.]/g, '\\$&')}: add the user that runs meterbox to the dialout group`));
    expect(s.link.hint).toContain('sudo usermod -aG dialout');
    expect(app.output()).toMatch(/warning: meter source: no permission to open/);
  } finally {
    await app?.stop();
    socat.kill('SIGTERM');
  }
});
