/**
 * Wires the app core to Node: HTTP server, WebSocket publisher, settings file, page files, and
 * the meter source. Used by main.ts (`npm start`) and by the end-to-end tests.
 */
import { asciiTextWith } from '../../decoders/util/native-ascii';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from '../app/app';
import type { App } from '../app/app';
import type { Route, UploadRoute } from '../app/http-types';
import type { ByteSource, LineSettings, LivePublisher } from '../app/ports';
import type { SnapshotOutput } from '../app/outputs/output-port';
import { toAppRequest } from './node-http-server';
import { createNodeServer } from './node-http-server';
import { DirectoryAssets } from './file-assets';
import { FileSettingsStore } from './file-settings-store';
import { consoleLogger, nodeClock, nodeScheduler, randomBytes } from './node-platform';
import { WsPublisher } from './ws-publisher';

export interface HostOptions {
  port: number;
  host: string;
  settingsPath: string;
  source?: ByteSource;
  lineOverride?: LineSettings | 'auto';
  webRoot?: string;
  quiet?: boolean;
  passwordIterations?: number;
  noDataAfterMs?: number;
  noFrameAfterMs?: number;
  extraRoutes?: Route[];
  extraUploadRoutes?: UploadRoute[];
  /** Outputs (Modbus meter emulation, charger pushes, MQTT...) built by the caller. */
  outputs?: SnapshotOutput[];
}

export interface RunningHost {
  app: App;
  port: number;
  url: string;
  close(): Promise<void>;
}

export const repoRoot = join(__dirname, '..', '..');

export async function startHost(options: HostOptions): Promise<RunningHost> {
  // The publisher needs the server and the app needs the publisher: break the cycle with a
  // forwarding object filled in once both exist.
  let ws: WsPublisher | undefined;
  const publisher: LivePublisher = {
    broadcast: (message) => ws?.broadcast(message),
    clientCount: () => ws?.clientCount() ?? 0,
  };
  const app = createApp({
    clock: nodeClock,
    scheduler: nodeScheduler,
    settingsStore: new FileSettingsStore(options.settingsPath),
    publisher,
    logger: consoleLogger(options.quiet),
    randomBytes,
    source: options.source,
    assets: new DirectoryAssets(options.webRoot ?? join(repoRoot, 'firmware', 'web')),
    device: { name: 'meterbox (PC)', firmwareVersion: '0.1.0', serial: 'pc-host', platform: `node ${process.version}` },
    lineOverride: options.lineOverride,
    extraRoutes: options.extraRoutes,
    extraUploadRoutes: options.extraUploadRoutes,
    outputs: options.outputs,
    // Node's TextDecoder, like the device's: the P1 text goes through the same native conversion
    // path on the PC (CRC and AES stay JavaScript here: the PC has time to spare).
    decoderNatives: { asciiText: asciiTextWith(new TextDecoder()) },
    options: {
      passwordIterations: options.passwordIterations ?? 20000,
      noDataAfterMs: options.noDataAfterMs,
      noFrameAfterMs: options.noFrameAfterMs,
    },
  });
  const server = createNodeServer(app);
  ws = new WsPublisher(server, {
    authorize: (request) => app.canRead(toAppRequest(request)),
    greeting: () => app.liveMessage(),
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  app.start();
  const shownHost = options.host === '0.0.0.0' || options.host === '127.0.0.1' ? 'localhost' : options.host;
  return {
    app,
    port,
    url: `http://${shownHost}:${port}`,
    async close() {
      app.stop();
      ws?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
