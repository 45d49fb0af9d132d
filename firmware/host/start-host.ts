/**
 * Wires the app core to Node: HTTP server, WebSocket publisher, settings file, page files, and
 * the meter source. Used by main.ts (`npm start`) and by the end-to-end tests.
 */
import { asciiTextWith } from '../../decoders/util/native-ascii';
import { join } from 'node:path';
import { createApp } from '../app/app';
import type { App } from '../app/app';
import type { Route, UploadRoute } from '../app/http-types';
import type { ByteSource, LineSettings, LivePublisher } from '../app/ports';
import { createNodeServer, toAppRequest } from './node-http-server';
import { HOST_PASSWORD_ITERATIONS, hostOwnNames, nodePbkdf2 } from './node-lan';
import type { SnapshotOutput } from '../app/outputs/output-port';
import { DirectoryAssets } from './file-assets';
import { FileSettingsStore } from './file-settings-store';
import { consoleLogger, nodeClock, nodeScheduler, randomBytes } from './node-platform';
import { WsPublisher } from './ws-publisher';
import { hostSerial } from './host-identity';
import { advertiseOnMdns } from './mdns-advertiser';
import { nodeMqttConnector } from './mqtt-node-client';
import { createMqttOutput } from '../app/outputs/mqtt-output';
import { homeWizardHostName } from '../app/homewizard-identity';

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
  /** Names besides this machine's own that the box answers to (--allow-host): a reverse proxy's, a DNS alias. */
  allowHosts?: string[];
  /** HomeWizard serial (12 hex digits); default: this machine's MAC (host-identity.ts). */
  serial?: string;
  /** Advertise on mDNS (_hwenergy._tcp, _http._tcp); default: when listening beyond loopback. */
  mdns?: boolean;
  /** `--mqtt URL`: replaces the broker URL (and credentials) of the mqtt settings. */
  mqttUrl?: string;
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
  const serial = options.serial ?? hostSerial();
  const log = consoleLogger(options.quiet);
  const mqtt = createMqttOutput({
    connector: nodeMqttConnector(),
    serial,
    firmwareVersion: '0.1.0',
    deviceName: 'meterbox (PC)',
    urlOverride: options.mqttUrl,
    log: (m) => log.info(m),
  });
  const app = createApp({
    clock: nodeClock,
    scheduler: nodeScheduler,
    settingsStore: new FileSettingsStore(options.settingsPath),
    publisher,
    logger: log,
    randomBytes,
    source: options.source,
    assets: new DirectoryAssets(options.webRoot ?? join(repoRoot, 'firmware', 'web')),
    device: { name: 'meterbox (PC)', firmwareVersion: '0.1.0', serial, platform: `node ${process.version}` },
    lineOverride: options.lineOverride,
    extraRoutes: options.extraRoutes,
    extraUploadRoutes: options.extraUploadRoutes,
    outputs: [mqtt, ...(options.outputs ?? [])],
    // Node's TextDecoder, like the device's: the P1 text goes through the same native conversion
    // path on the PC (CRC and AES stay JavaScript here: the PC has time to spare).
    decoderNatives: { asciiText: asciiTextWith(new TextDecoder()) },
    pbkdf2: nodePbkdf2,
    // The advertised p1meter-XXXXXX.local too: SmartEVSE and browsers connect by that name.
    hostNames: hostOwnNames([...(options.allowHosts ?? []), homeWizardHostName(serial) + '.local']),
    options: {
      passwordIterations: options.passwordIterations ?? HOST_PASSWORD_ITERATIONS,
      noDataAfterMs: options.noDataAfterMs,
      noFrameAfterMs: options.noFrameAfterMs,
    },
  });
  const server = createNodeServer(app);
  ws = new WsPublisher(server.http, {
    refusal: (request) => app.liveRefusal(toAppRequest(request)),
    greeting: () => app.liveMessage(),
  });
  const port = await server.listen(options.port, options.host);
  app.start();
  const loopbackOnly = options.host === 'localhost' || options.host.startsWith('127.') || options.host === '::1';
  const mdns = (options.mdns ?? !loopbackOnly) ? advertiseOnMdns({ serial, port, log: (m) => log.warn(m) }) : undefined;
  const shownHost = options.host === '0.0.0.0' || options.host === '127.0.0.1' ? 'localhost' : options.host;
  return {
    app,
    port,
    url: `http://${shownHost}:${port}`,
    async close() {
      app.stop();
      await mdns?.stop();
      ws?.close();
      await server.close();
    },
  };
}
