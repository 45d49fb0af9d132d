/**
 * Device entry point (Moddable SDK: ESP32, and the Linux simulator mcsim). Wires the platform-neutral
 * app core (firmware/app) to the device:
 *
 *   meter UART (native "meter-uart", pins from mc/config `meter`) -> app core -> snapshot
 *   P1 data-request pin (ECMA-419 Digital) held high when the meter kind is P1
 *   HTTP + WebSocket server on one port (embedded:io/socket/listener), page from flash (gzip)
 *   settings in Preference (NVS), clock and timers from Date.now() and Timer
 *   Wi-Fi provisioning (setup AP, captive DNS, mDNS) and OTA (two app slots, rollback)
 *
 * Everything is created inside main() at run time: preloaded module state is frozen on the device.
 * Configuration (manifests/manifest.json "config", per target): meter.rx, meter.tx, meter.uart,
 * meter.requestPin, meter.invert, meter.kind ('p1' | 'han' | 'auto'), meter.path (simulator pty),
 * http.port, http.maxConnections, ws.maxClients, device.name, firmwareVersion, ota.projectName.
 */
import config from 'mc/config';
import { createApp } from '../app/app';
import type { App } from '../app/app';
import type { AppRequest, AppResponse, Route, UploadRoute } from '../app/http-types';
import type { LineSettings, LivePublisher } from '../app/ports';
import { OtaMachine } from '../app/ota/ota-machine';
import { createOtaRoutes } from '../app/ota/ota-routes';
import { ProvisioningMachine } from '../app/provisioning/provisioning-machine';
import { settingsCredentialStore } from '../app/provisioning/settings-credential-store';
import { createWifiRoutes } from '../app/provisioning/wifi-routes';
import { createOtaSlots } from 'meterbox/ota-slots';
import { createDecoderNatives } from './natives/decoder-natives';
import { createNativeSha256 } from './platform/native-sha256';
import { createCaptiveDns, createMdns, createWifiAdapter } from 'meterbox/wifi';
import { fillRandom } from 'meterbox-system';
import { HttpServer, defaultHttpServerOptions } from './http/http-server';
import { WebSocketHub } from './http/websocket-hub';
import { createFlashAssets } from './assets/flash-assets';
import { PreferenceSettingsStore } from './platform/preference-store';
import { RequestPin } from './platform/request-pin';
import { createLogger, createScheduler, moddableClock } from './platform/timers';
import { loadDeviceIdentity } from './platform/device-identity';
import { UARTByteSource } from './uart/uart-source';
import { createDeviceOutputs } from './outputs/device-outputs';

interface MeterConfig {
  kind?: 'p1' | 'han' | 'auto';
  rx?: number;
  tx?: number;
  uart?: number;
  requestPin?: number;
  invert?: boolean;
  path?: string;
  baud?: number;
}

/** Line the UART opens with; 'auto' lets the app core's line detection take over from there. */
function initialLine(meter: MeterConfig): { line: LineSettings; override?: LineSettings | 'auto' } {
  if (meter.kind === 'p1') return { line: { baud: meter.baud ?? 115200, dataBits: 8, parity: 'none', stopBits: 1, inverted: meter.invert ?? true } };
  if (meter.kind === 'han') return { line: { baud: meter.baud ?? 2400, dataBits: 8, parity: 'even', stopBits: 1, inverted: meter.invert ?? false } };
  return { line: { baud: 2400, dataBits: 8, parity: 'even', stopBits: 1, inverted: meter.invert ?? false }, override: 'auto' };
}

export default function main(): void {
  try {
    startDevice();
  } catch (e) {
    // the device has no console but xsbug / the serial log: say exactly what stopped the start
    trace(`meterbox: start failed: ${String(e)}\n${(e as Error)?.stack ?? ''}\n`);
    throw e;
  }
}

function startDevice(): void {
  const logger = createLogger('meterbox');
  const clock = moddableClock;
  const scheduler = createScheduler();
  const meter = (config.meter ?? {}) as MeterConfig;
  const firmwareVersion = String(config.firmwareVersion ?? '0.1.0');

  const { line, override } = initialLine(meter);
  const uartPins: { receive?: number; transmit?: number; port?: number; path?: string } = {};
  if (meter.rx !== undefined) uartPins.receive = meter.rx;
  if (meter.tx !== undefined) uartPins.transmit = meter.tx;
  if (meter.uart !== undefined) uartPins.port = meter.uart;
  if (meter.path !== undefined) uartPins.path = meter.path;
  const source = new UARTByteSource(uartPins, line, clock);

  let requestPin: RequestPin | undefined;
  if (meter.requestPin !== undefined && meter.kind !== 'han') {
    requestPin = new RequestPin(meter.requestPin, logger);
    requestPin.enable(); // a P1 meter only talks while data request is high; harmless on HAN wiring
  }

  // Publisher and app refer to each other: break the cycle with a forwarding object.
  let hub: WebSocketHub | undefined;
  const publisher: LivePublisher = {
    broadcast: (message: string) => hub?.broadcast(message),
    clientCount: () => hub?.clientCount() ?? 0,
  };

  // Wi-Fi provisioning and OTA need the app's settings; the app needs their routes.
  let app: App | undefined;
  const identity = loadDeviceIdentity();
  const wifi = createWifiAdapter();
  const provisioning = new ProvisioningMachine({
    wifi,
    dns: createCaptiveDns(),
    mdns: createMdns(),
    identity,
    store: settingsCredentialStore(() => {
      if (!app) throw new Error('app not started');
      return app;
    }),
    log: (message: string) => logger.info(message),
    sha256Factory: createNativeSha256,
  });
  wifi.onStationEvent((event) => provisioning.onStationEvent(event, clock.nowMs()));

  const slots = createOtaSlots();
  const ota = new OtaMachine(slots, { projectName: String(config.ota?.projectName ?? 'xs_esp32'), firmwareVersion, sha256Factory: createNativeSha256 }, (message: string) => logger.info(message));
  const otaRoutes = createOtaRoutes(ota, clock, slots.nextSlot().sizeBytes);
  const extraRoutes: Route[] = [...createWifiRoutes(provisioning, clock, () => wifi.accessPointAddress()), ...otaRoutes.routes];
  const extraUploadRoutes: UploadRoute[] = otaRoutes.uploadRoutes;

  const created = createApp({
    clock,
    scheduler,
    settingsStore: new PreferenceSettingsStore('meterbox'),
    publisher,
    logger,
    randomBytes: (count: number) => {
      const bytes = new Uint8Array(count);
      fillRandom(bytes);
      return bytes;
    },
    source,
    assets: createFlashAssets(),
    device: { name: String(config.device?.name ?? 'meterbox'), firmwareVersion, platform: String(config.platformName ?? 'moddable') },
    lineOverride: override,
    extraRoutes,
    extraUploadRoutes,
    decoderNatives: createDecoderNatives(),
    outputs: createDeviceOutputs(),
  });
  app = created;

  hub = new WebSocketHub(Number(config.ws?.maxClients ?? 3), () => created.liveMessage());
  const server = new HttpServer({
    ...defaultHttpServerOptions,
    port: Number(config.http?.port ?? defaultHttpServerOptions.port),
    maxConnections: Number(config.http?.maxConnections ?? defaultHttpServerOptions.maxConnections),
    handle: async (request: AppRequest): Promise<AppResponse> => {
      const response = await created.handle(request);
      if (response.status < 500 && request.path.slice(0, 5) === '/api/') ota.reportHealthy('http', clock.nowMs());
      return response;
    },
    uploadRoute: (method: string, path: string) => created.uploadRoute(method, path),
    beginUpload: (route: UploadRoute, request: AppRequest) => created.beginUpload(route, request),
    upgradePath: '/ws',
    onUpgrade: (request: AppRequest, socket) => hub!.upgrade(request, socket, created.canRead(request)),
  });

  created.start();
  const bootMs = clock.nowMs();
  const framesAtBoot = created.snapshot().frames.frames;
  ota.boot(bootMs);
  provisioning.start(bootMs);
  scheduler.every(1000, () => {
    const now = clock.nowMs();
    if (created.snapshot().frames.frames > framesAtBoot) ota.reportHealthy('meter', now);
    ota.tick(now);
    provisioning.tick(now);
  });
  const ap = provisioning.accessPointCredentials();
  logger.info(`HTTP on port ${server.port}; meter ${source.describe()}; setup access point "${ap.ssid}"`);
}
