// Shared by the end-to-end tests: start the real app (as `npm start` does, in a child process, or
// in-process through startHost), wait for conditions instead of sleeping, talk HTTP and WebSocket.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export const repoRoot = join(__dirname, '..', '..');

/** Debian's Chromium, headless, for the page tests through playwright-core (no network of its own: no updates, sync or QUIC). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Polls `check` until it returns a truthy value or the time runs out (then throws with `what`). */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10000,
  stepMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ': ' + String(lastError) : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export interface SpawnedApp {
  url: string;
  port: number;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs firmware/host/main.ts with tsx (what `npm start` runs) on a free port. `singleProcess`:
 * node with tsx's loader instead of the tsx launcher (which runs the app in a child process), so
 * a signal to `proc` reaches the app itself (SIGKILL tests).
 */
export async function spawnApp(args: string[], timeoutMs = 20000, singleProcess = false): Promise<SpawnedApp> {
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  const command = singleProcess ? process.execPath : tsx;
  const prefix = singleProcess ? ['--import', 'tsx'] : [];
  return spawnCommand(command, [...prefix, 'firmware/host/main.ts', '--port', '0', ...args], {}, timeoutMs);
}

/** Runs a command line that starts the app (e.g. under setpriv as another user) and waits for its URL. */
export async function spawnCommand(command: string, args: string[], options: { env?: NodeJS.ProcessEnv }, timeoutMs = 20000): Promise<SpawnedApp> {
  const proc = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  let exited = false;
  proc.on('exit', () => {
    exited = true;
  });
  const port = await waitFor(
    'the app to print its URL',
    () => {
      if (exited) throw new Error('app exited: ' + out);
      const m = /Open http:\/\/localhost:(\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    },
    timeoutMs,
  );
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    proc,
    output: () => out,
    stop: async () => {
      if (exited) return;
      proc.kill('SIGTERM');
      await waitFor('the app to exit', () => exited, 10000).catch(() => proc.kill('SIGKILL'));
    },
  };
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  // A string body goes as JSON, as the page sends it (fetch would say text/plain, which the box
  // refuses on state-changing requests: firmware/app/lan/cross-site.ts).
  if (init && typeof init.body === 'string') {
    const headers = new Headers(init.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    init = { ...init, headers };
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

/** A WebSocket client that keeps every snapshot it receives. */
export async function liveClient(baseUrl: string): Promise<{ messages: any[]; ws: WebSocket; close(): void }> {
  const ws = new WebSocket(baseUrl.replace('http://', 'ws://') + '/ws');
  const messages: any[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { messages, ws, close: () => ws.terminate() };
}
