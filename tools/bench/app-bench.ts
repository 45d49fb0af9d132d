/**
 * The PC app under load (`npm run bench -- --app`): latency from the last byte of a frame written
 * into a pseudo-terminal (socat) to the WebSocket message carrying it, and the process's memory
 * after a long replay. Needs firmware/host (the host app) and socat.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface AppBenchResult { skipped?: string }

export async function runAppBench(opts: { log: (s: string) => void }): Promise<AppBenchResult> {
  const main = join(__dirname, '..', '..', 'firmware', 'host', 'main.ts');
  if (!existsSync(main)) {
    const skipped = 'firmware/host/main.ts does not exist yet: app latency not measured';
    opts.log(`app: ${skipped}`);
    return { skipped };
  }
  const skipped = 'app latency measurement not implemented yet';
  opts.log(`app: ${skipped}`);
  return { skipped };
}
