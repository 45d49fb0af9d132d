/**
 * Device entry point (Moddable SDK: ESP32, and the Linux simulator mcsim). Wires the platform-neutral
 * app core (firmware/app) to the device:
 *
 *   meter UART (native "meter-uart", pins from mc/config `meter`) -> app core -> snapshot
 *   P1 data-request pin (ECMA-419 Digital) held high when the meter kind is P1
 *   HTTP + WebSocket server on one port (embedded:io/socket/listener), page from flash (gzip)
 *   settings in Preference (NVS), clock and timers from Date.now() and Timer
 *   Wi-Fi provisioning (setup AP, captive DNS, mDNS) and OTA (two app slots, rollback)
 *   HomeWizard identity: serial = the Wi-Fi MAC, mDNS host p1meter-XXXXXX with _hwenergy._tcp and
 *   _http._tcp; MQTT with Home Assistant discovery (Moddable's MQTT client, settings `mqtt`)
 *
 * Everything is created inside main() at run time: preloaded module state is frozen on the device.
 * Configuration (manifests/manifest.json "config", per target): meter.rx, meter.tx (optional: the
 * meter line is receive-only, so no TX pin is driven unless one is named), meter.uart,
 * meter.requestPin, meter.invert, meter.kind ('p1' | 'han' | 'auto'), meter.path (simulator pty),
 * http.port, http.maxConnections, http.hostNames (extra names the box answers to), ws.maxClients,
 * device.name, firmwareVersion, ota.projectName, ota.signatureScheme, memory.slotBytes,
 * memory.sampleMs. Top-level strings set on the mcconfig command line override two of them for
 * test runs (firmware/moddable/sim/sim-memory.mjs): httpPort=N, meterPath=PATH.
 *
 * Start order: the radio is powered up before the identity is read (device-identity.ts says why).
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
import { espIdfSignatureCheck } from './ota/esp-idf-signature';
import type { SignatureScheme } from '../app/ota/signature-block';
import { createDecoderNatives } from './natives/decoder-natives';
import { createNativeSha256 } from './platform/native-sha256';
import { createCaptiveDns, createMdns, createWifiAdapter, powerUpRadio } from 'meterbox/wifi';
import { fillRandom } from 'meterbox-system';
import { HttpServer, defaultHttpServerOptions } from './http/http-server';
import { WebSocketHub } from './http/websocket-hub';
import { createFlashAssets } from './assets/flash-assets';
import { PreferenceSettingsStore } from './platform/preference-store';
import { RequestPin } from './platform/request-pin';
import { createLogger, createScheduler, moddableClock } from './platform/timers';
import { loadDeviceIdentity } from './platform/device-identity';
import { MemoryMonitor } from './platform/memory-monitor';
import { jsonResponse } from '../app/http-util';
import { UARTByteSource } from './uart/uart-source';
import { createNativePbkdf2, DEVICE_PASSWORD_ITERATIONS } from './pbkdf2/native-pbkdf2';
import { deviceLoginThrottle } from '../app/auth/login-throttle';
import { deviceWifiStatus } from './platform/wifi-status';
import { createMqttConnector } from './mqtt/moddable-mqtt-client';
import { lazyMqttOutput } from '../app/outputs/lazy-mqtt-output';
import { HOMEWIZARD_SERVICE_TYPE, homeWizardHostName, homeWizardTxt, serialFromMac } from '../app/homewizard-identity';
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
  const meter = { ...((config.meter ?? {}) as MeterConfig) };
  const overrides = config as unknown as { httpPort?: string; meterPath?: string };
  if (overrides.meterPath) meter.path = overrides.meterPath;
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
  powerUpRadio();
  const { identity, macFrom } = loadDeviceIdentity();
  if (macFrom === 'stored' && config.platformName === 'esp32') logger.warn('Wi-Fi MAC unknown: the setup access point is named after a stored random address');
  const serial = serialFromMac(identity.macAddress);
  const httpPort = Number(overrides.httpPort ?? config.http?.port ?? defaultHttpServerOptions.port);
  const wifi = createWifiAdapter();
  const provisioning = new ProvisioningMachine({
    wifi,
    dns: createCaptiveDns(),
    mdns: createMdns([
      { name: 'http', protocol: 'tcp', port: httpPort, txt: { path: '/' } },
      { name: HOMEWIZARD_SERVICE_TYPE, protocol: 'tcp', port: httpPort, txt: homeWizardTxt(serial) },
    ]),
    mdnsHostName: homeWizardHostName(serial),
    identity,
    store: settingsCredentialStore(() => {
      if (!app) throw new Error('app not started');
      return app;
    }),
    log: (message: string) => logger.info(message),
    sha256Factory: createNativeSha256,
  });
  wifi.onStationEvent((event) => provisioning.onStationEvent(event, clock.nowMs()));

  const configuredHostNames = ((config.http as { hostNames?: string[] } | undefined)?.hostNames ?? []).map(String);
  const slots = createOtaSlots();
  // Signed builds (build-device.mjs --signed, tools/firmware/signed-build.ts) set ota.signatureScheme with the
  // sdkconfig that makes esp_ota_end check it; other builds take unsigned images and say so.
  const signatureScheme = config.ota?.signatureScheme as SignatureScheme | undefined;
  const ota = new OtaMachine(
    slots,
    {
      projectName: String(config.ota?.projectName ?? 'xs_esp32'),
      firmwareVersion,
      sha256Factory: createNativeSha256,
      signature: signatureScheme ? espIdfSignatureCheck(signatureScheme) : undefined,
      allowUnsigned: !signatureScheme,
    },
    (message: string) => logger.info(message),
  );
  const otaRoutes = createOtaRoutes(ota, clock, slots.nextSlot().sizeBytes);
  const memoryConfig = (config as unknown as { memory?: { slotBytes?: number; sampleMs?: number } }).memory ?? {};
  const memory = new MemoryMonitor(Number(memoryConfig.slotBytes ?? 16), clock.nowMs());
  const memoryRoute: Route = { method: 'GET', path: '/api/v1/device/memory', handler: () => jsonResponse(200, memory.report()) };
  const extraRoutes: Route[] = [...createWifiRoutes(provisioning, clock, () => wifi.accessPointAddress()), ...otaRoutes.routes, memoryRoute];
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
    device: { name: String(config.device?.name ?? 'meterbox'), firmwareVersion, serial, platform: String(config.platformName ?? 'moddable') },
    wifiStatus: deviceWifiStatus,
    // MQTT is built only while a broker is set: ~300 XS slots otherwise spent on nothing (lazy-output.ts)
    outputs: [
      lazyMqttOutput({
        connector: createMqttConnector(),
        serial,
        firmwareVersion,
        deviceName: String(config.device?.name ?? 'meterbox'),
        log: (m: string) => logger.info(m),
      }),
      ...createDeviceOutputs(),
    ],
    lineOverride: override,
    extraRoutes,
    extraUploadRoutes,
    decoderNatives: createDecoderNatives(),
    // Logins: PBKDF2 native (the SDK's C SHA-256) in steps, about 1 s of hashing, one at a time (auth/login-throttle.ts).
    pbkdf2: createNativePbkdf2(),
    loginThrottle: deviceLoginThrottle,
    // 8 recent raw frames for the diagnostics, not 16: ~4 KB of chunks and ~75 slots (docs/firmware.md, Memory)
    options: { passwordIterations: DEVICE_PASSWORD_ITERATIONS, rawRingSize: 8 },
    // The names this box answers to (DNS rebinding, lan/host-check.ts): its mDNS name, its
    // addresses on the home network and its access point, and http.hostNames from the manifest.
    hostNames: () => {
      // The mDNS name is p1meter-XXXXXX (HomeWizard discovery). meterbox.local is not advertised;
      // it stays accepted for a DNS alias or hosts entry a user made for the box's older name.
      const names = [homeWizardHostName(serial) + '.local', 'meterbox.local', wifi.accessPointAddress(), ...configuredHostNames];
      const station = provisioning.status(clock.nowMs()).station.ip;
      if (station) names.push(station);
      return names;
    },
  });
  app = created;

  hub = new WebSocketHub(Number(config.ws?.maxClients ?? 3), () => created.liveMessage());
  const server = new HttpServer({
    ...defaultHttpServerOptions,
    port: httpPort,
    maxConnections: Number(config.http?.maxConnections ?? defaultHttpServerOptions.maxConnections),
    // A new image is kept on a decoded meter frame (below) or the owner's POST /api/v1/firmware/confirm;
    // no anonymous request confirms it.
    handle: (request: AppRequest): Promise<AppResponse> => created.handle(request),
    uploadRoute: (method: string, path: string) => created.uploadRoute(method, path),
    beginUpload: (route: UploadRoute, request: AppRequest) => created.beginUpload(route, request),
    upgradePath: '/ws',
    onUpgrade: (request: AppRequest, socket) => hub!.upgrade(request, socket, created.liveRefusal(request)),
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
  if (memory.instrumented) {
    memory.sample(clock.nowMs());
    scheduler.every(Number(memoryConfig.sampleMs ?? 1000), () => memory.sample(clock.nowMs()));
  }
  const ap = provisioning.accessPointCredentials();
  logger.info(
    `HTTP on port ${server.port}; meter ${source.describe()}; setup access point "${ap.ssid}"; on the home network http://${homeWizardHostName(serial)}.local/`,
  );
}
