/**
 * Wires the OTA and Wi-Fi provisioning machines into the PC host (`npm start`), with the
 * file-backed OTA slots and the simulated Wi-Fi. main.ts calls `takeOtaWifiArgs` to pull out its
 * options and passes `routes` / `uploadRoutes` to startHost; the end-to-end tests do the same.
 *
 *   --wifi-sim FILE              simulated networks (see wifi-sim.ts); default: a built-in list
 *   --ota-dir DIR                slot files and otadata.json (default: meterbox-ota/ beside the settings)
 *   --ota-health-deadline-ms N   how long a new image has to prove itself (default 120000)
 *   --ota-public-key FILE        the release public key images must be signed with (PEM: ECDSA P-256
 *                                for ESP32 images, RSA-3072 for ESP32-C3; default keys/meterbox-release.pub.pem
 *                                when the repository has one)
 *   --ota-allow-unsigned         take unsigned images (development only; the status says so)
 * Without a key and without --ota-allow-unsigned, no image is installed (the update page says why).
 *
 * Health signals for a new image: a decoded meter frame (frame counter moved since the boot) or the
 * logged-in owner's POST /api/v1/firmware/confirm (the update page sends it once the image answers).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homeWizardHostName, serialFromMac } from '../app/homewizard-identity';
import type { Route, UploadRoute } from '../app/http-types';
import type { Clock } from '../app/ports';
import { OtaMachine } from '../app/ota/ota-machine';
import { createOtaRoutes } from '../app/ota/ota-routes';
import { ProvisioningMachine } from '../app/provisioning/provisioning-machine';
import type { ProvisioningDeps } from '../app/provisioning/provisioning-machine';
import { settingsCredentialStore } from '../app/provisioning/settings-credential-store';
import type { WifiSettingsAccess } from '../app/provisioning/settings-credential-store';
import { createWifiRoutes } from '../app/provisioning/wifi-routes';
import { hostSerial } from './host-identity';
import { FileOtaSlots } from './ota-file-slots';
import { nodeImageFetcher } from './ota-url-fetcher';
import { releaseKeyVerifierFromFile } from './ota-signature';
import { LoopbackCaptiveDns } from './wifi-sim-dns';
import { DEFAULT_WIFI_SIM, SimulatedCaptiveDns, SimulatedMdns, SimulatedWifi, loadWifiSimConfig, simulatedIdentity } from './wifi-sim';
import type { WifiSimConfig } from './wifi-sim';

export const PC_SLOT_BYTES = 0x1e0000; // the ESP32 4 MB two-OTA layout's app slot (1.875 MiB)
export const PROJECT_NAME = 'meterbox';

export interface OtaWifiArgs {
  wifiSim?: string;
  otaDir?: string;
  otaHealthDeadlineMs?: number;
  otaPublicKey?: string;
  otaAllowUnsigned?: boolean;
}

/** The repository's release public key, used when --ota-public-key is not given (keys/README.md). */
export const DEFAULT_RELEASE_KEY = join(__dirname, '..', '..', 'keys', 'meterbox-release.pub.pem');

/** Removes this module's flags from argv (so main.ts's parser never sees them). */
export function takeOtaWifiArgs(argv: string[]): { rest: string[]; args: OtaWifiArgs } {
  const rest: string[] = [];
  const args: OtaWifiArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--wifi-sim') args.wifiSim = value();
    else if (a === '--ota-dir') args.otaDir = value();
    else if (a === '--ota-public-key') args.otaPublicKey = value();
    else if (a === '--ota-allow-unsigned') args.otaAllowUnsigned = true;
    else if (a === '--ota-health-deadline-ms') {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) throw new Error('--ota-health-deadline-ms needs a positive number');
      args.otaHealthDeadlineMs = n;
    } else rest.push(a);
  }
  return { rest, args };
}

export interface OtaWifiOptions {
  settingsPath: string;
  firmwareVersion: string;
  clock: Clock;
  log: (message: string) => void;
  /** Instead of --wifi-sim FILE (tests). */
  wifiSimConfig?: WifiSimConfig;
  /** The box's serial when the Wi-Fi simulation names no MAC; default: this machine's (host-identity.ts). */
  serial?: string;
  slotSizeBytes?: number;
  provisioningTiming?: ProvisioningDeps['timing'];
  tickMs?: number;
}

interface AppLike extends WifiSettingsAccess {
  snapshot(): { frames: { frames: number } };
}

export interface OtaWifi {
  /**
   * The simulated box's serial (its MAC): the AP name meterbox-XXXXXX, the mDNS name p1meter-XXXXXX
   * the setup page shows, and what main.ts hands startHost for the HomeWizard API and mDNS.
   */
  serial: string;
  routes: Route[];
  uploadRoutes: UploadRoute[];
  wifi: SimulatedWifi;
  dns: SimulatedCaptiveDns | LoopbackCaptiveDns;
  mdns: SimulatedMdns;
  slots: FileOtaSlots;
  ota: OtaMachine;
  provisioning: ProvisioningMachine;
  start(app: AppLike): void;
  stop(): void;
}

export function createOtaAndWifi(args: OtaWifiArgs, o: OtaWifiOptions): OtaWifi {
  const simConfig = o.wifiSimConfig ?? (args.wifiSim ? loadWifiSimConfig(args.wifiSim) : (JSON.parse(JSON.stringify(DEFAULT_WIFI_SIM)) as WifiSimConfig));
  const wifi = new SimulatedWifi(simConfig);
  const dns = simConfig.captiveDnsPort !== undefined ? new LoopbackCaptiveDns(simConfig.captiveDnsPort, o.log) : new SimulatedCaptiveDns();
  const mdns = new SimulatedMdns();
  let app: AppLike | undefined;
  const identity = simulatedIdentity(simConfig, Uint8Array.from(Buffer.from(o.serial ?? hostSerial(), 'hex')));
  const serial = serialFromMac(identity.macAddress);
  const provisioning = new ProvisioningMachine({
    wifi,
    dns,
    mdns,
    identity,
    mdnsHostName: homeWizardHostName(serial),
    store: settingsCredentialStore(() => {
      if (!app) throw new Error('app not started');
      return app;
    }),
    log: o.log,
    timing: o.provisioningTiming,
  });
  wifi.onStationEvent((event) => provisioning.onStationEvent(event, o.clock.nowMs()));

  let framesAtBoot = 0;
  let ota: OtaMachine | undefined;
  const slots = new FileOtaSlots({
    dir: args.otaDir ?? join(dirname(o.settingsPath), 'meterbox-ota'),
    slotSizeBytes: o.slotSizeBytes ?? PC_SLOT_BYTES,
    factoryVersion: o.firmwareVersion,
    log: o.log,
    onRestart: () => {
      framesAtBoot = app ? app.snapshot().frames.frames : 0;
      ota?.boot(o.clock.nowMs());
    },
  });
  const keyPath = args.otaPublicKey ?? (existsSync(DEFAULT_RELEASE_KEY) ? DEFAULT_RELEASE_KEY : undefined);
  const signature = keyPath !== undefined ? releaseKeyVerifierFromFile(keyPath) : undefined;
  if (signature) o.log(`ota: images must be signed (${signature.scheme}) with the key in ${keyPath}`);
  else if (args.otaAllowUnsigned) o.log('ota: WARNING: --ota-allow-unsigned: any image that passes the format checks is installed');
  else o.log('ota: no release key (--ota-public-key FILE): firmware updates are refused');
  ota = new OtaMachine(
    slots,
    {
      projectName: PROJECT_NAME,
      firmwareVersion: o.firmwareVersion,
      healthDeadlineMs: args.otaHealthDeadlineMs,
      signature,
      allowUnsigned: args.otaAllowUnsigned === true,
    },
    o.log,
  );
  const otaRoutes = createOtaRoutes(ota, o.clock, slots.nextSlot().sizeBytes, nodeImageFetcher);
  const routes = [...createWifiRoutes(provisioning, o.clock, () => wifi.accessPointAddress()), ...otaRoutes.routes];
  let timer: ReturnType<typeof setInterval> | undefined;
  const machine = ota;
  return {
    serial,
    routes,
    uploadRoutes: otaRoutes.uploadRoutes,
    wifi,
    dns,
    mdns,
    slots,
    ota: machine,
    provisioning,
    start(started: AppLike) {
      app = started;
      const now = o.clock.nowMs();
      framesAtBoot = app.snapshot().frames.frames;
      machine.boot(now);
      provisioning.start(now);
      const ap = provisioning.accessPointCredentials();
      o.log(`wifi (simulated): setup access point "${ap.ssid}", label password "${ap.password}"; after joining: ${provisioning.status(now).mdnsName}`);
      timer = setInterval(() => {
        const t = o.clock.nowMs();
        if (app && app.snapshot().frames.frames > framesAtBoot) machine.reportHealthy('meter', t);
        machine.tick(t);
        provisioning.tick(t);
      }, o.tickMs ?? 1000);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      wifi.close();
      if (dns instanceof LoopbackCaptiveDns) dns.stop();
    },
  };
}
