/**
 * The PC app as `npm start -- --serial PTY --line "115200 8N1"` runs it, in a child process the
 * bench controls over IPC so it can read the process's own memory (process.memoryUsage() after a
 * forced gc when node runs with --expose-gc). Started by app-bench.ts; not a CLI of its own.
 */
import { SerialSource } from '../../firmware/host/serial-source';
import { startHost } from '../../firmware/host/start-host';

async function main(): Promise<void> {
  const [pty, settingsPath] = process.argv.slice(2);
  const line = { baud: 115200, dataBits: 8 as const, parity: 'none' as const, stopBits: 1 as const };
  const host = await startHost({ port: 0, host: '127.0.0.1', settingsPath, source: new SerialSource(pty, line), lineOverride: line, quiet: true });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'memory') {
      const g = (globalThis as { gc?: () => void }).gc;
      if (g) g();
      process.send?.({ type: 'memory', memory: process.memoryUsage(), gcForced: !!g });
    } else if (m.type === 'stop') {
      host.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    }
  });
  process.send?.({ type: 'ready', port: host.port });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
