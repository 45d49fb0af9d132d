// A real MQTT broker for the tests: Debian's mosquitto, started on a free loopback port with its
// own config in a temp dir (no persistence, so a restart loses every retained message, as a
// broker without a database does), and an MQTT client (the `mqtt` package) that records every
// message it sees.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { tempDir, waitFor } from './helpers';

export function mosquittoPath(): string {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto']) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  if (found) return found;
  throw new Error('mosquitto is not installed (Debian: apt-get install mosquitto); the MQTT tests need a real broker');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface Broker {
  port: number;
  url: string;
  dir: string;
  log(): string;
  /** Stops the broker (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/** mosquitto on 127.0.0.1:<free port>; `users` turns anonymous access off and sets passwords. */
export async function startBroker(users?: Record<string, string>): Promise<Broker> {
  const dir = tempDir('meterbox-mosquitto-');
  const port = await freePort();
  // `user`: run as whoever runs the tests (as root mosquitto would switch to "mosquitto", which
  // cannot read the password file in this private temp dir).
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', `allow_anonymous ${users ? 'false' : 'true'}`, `user ${userInfo().username}`];
  if (users) {
    const file = join(dir, 'passwords');
    writeFileSync(file, '');
    for (const [user, password] of Object.entries(users)) {
      const r = spawnSync('mosquitto_passwd', ['-b', file, user, password], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error('mosquitto_passwd failed: ' + r.stderr);
    }
    lines.push(`password_file ${file}`);
  }
  writeFileSync(join(dir, 'mosquitto.conf'), lines.join('\n') + '\n');
  let proc: ChildProcess | undefined;
  let out = '';
  let exited = true;
  const broker: Broker = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    log: () => out,
    async start() {
      const from = out.length;
      proc = spawn(mosquittoPath(), ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
      exited = false;
      proc.on('exit', () => {
        exited = true;
      });
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
      });
      proc.stderr!.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await waitFor(
        'mosquitto to listen',
        () => {
          if (exited) throw new Error('mosquitto exited: ' + out);
          return out.slice(from).includes(' running');
        },
        10000,
      );
    },
    async stop() {
      if (!proc || exited) return;
      proc.kill('SIGTERM');
      await waitFor('mosquitto to exit', () => exited, 10000);
    },
  };
  await broker.start();
  return broker;
}

export interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
  atMs: number;
}

export interface Recorder {
  client: MqttClient;
  messages: Seen[];
  /** The last message on a topic (undefined if none). */
  last(topic: string): Seen | undefined;
  on(topic: string): Seen[];
  close(): Promise<void>;
}

/** A client subscribed to `filter` (default everything) that keeps what it receives. */
export async function record(url: string, filter = '#', auth?: { username: string; password: string }): Promise<Recorder> {
  const client = connect(url, { reconnectPeriod: 0, clientId: 'test-recorder-' + Math.random().toString(16).slice(2), ...(auth ?? {}) });
  const messages: Seen[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload: payload.toString(), retain: packet.retain, atMs: Date.now() }));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe(filter, { qos: 0 }, (e) => (e ? reject(e) : resolve())));
    client.once('error', reject);
  });
  return {
    client,
    messages,
    last: (topic) => [...messages].reverse().find((m) => m.topic === topic),
    on: (topic) => messages.filter((m) => m.topic === topic),
    close: () => new Promise<void>((resolve) => client.end(true, {}, () => resolve())),
  };
}
