/**
 * Simulated Wi-Fi for the PC build (`npm start -- --wifi-sim FILE`): a scan list, networks with
 * passwords (so a wrong one fails like on the device), networks that are out of range, a link
 * that drops after a while, plus recording stand-ins for the captive DNS and mDNS.
 *
 * Config file (JSON):
 *   {
 *     "connectDelayMs": 1500,            // how long an association takes
 *     "scanDelayMs": 300,
 *     "accessPointAddress": "192.168.4.1",
 *     "stationIp": "192.168.1.77",
 *     "macAddress": "24:6f:28:4f:21:a0", // the box's MAC: setup AP and mDNS names (last 3 bytes),
 *                                        // HomeWizard serial; default: this PC's (host-identity.ts)
 *     "deviceSecretHex": "...",          // 16+ bytes; derives the AP password (the label)
 *     "captiveDnsPort": 5354,            // optional: a real captive DNS on udp 127.0.0.1:PORT (0 = any)
 *     "networks": [
 *       { "ssid": "Home", "rssi": -55, "security": "wpa2", "channel": 6, "password": "correct horse" },
 *       { "ssid": "Cafe", "rssi": -70, "security": "open" },
 *       { "ssid": "Flaky", "rssi": -75, "security": "wpa2", "password": "12345678", "dropAfterMs": 20000 },
 *       { "ssid": "Away", "rssi": -85, "security": "wpa2", "password": "12345678", "available": false }
 *     ]
 *   }
 * A network with "available": false shows in the scan but cannot be joined (no-ap), like one at
 * the edge of range. Tests drive the same object through dropLink() / setAvailable().
 */
import { readFileSync } from 'node:fs';
import type {
  CaptiveDns,
  DeviceIdentity,
  MdnsAdvertiser,
  StationEvent,
  WifiAdapter,
  WifiCredentials,
  WifiMode,
  WifiNetwork,
  WifiSecurity,
} from '../app/provisioning/wifi-ports';

export interface SimNetwork {
  ssid: string;
  rssi: number;
  security: WifiSecurity;
  channel?: number;
  password?: string;
  available?: boolean;
  dropAfterMs?: number;
}

export interface WifiSimConfig {
  networks: SimNetwork[];
  connectDelayMs?: number;
  scanDelayMs?: number;
  accessPointAddress?: string;
  stationIp?: string;
  macAddress?: string;
  deviceSecretHex?: string;
  captiveDnsPort?: number;
}

export const DEFAULT_WIFI_SIM: WifiSimConfig = {
  connectDelayMs: 1500,
  scanDelayMs: 300,
  networks: [
    { ssid: 'Home', rssi: -52, security: 'wpa2', channel: 6, password: 'correct horse battery' },
    { ssid: 'Neighbour 5G', rssi: -78, security: 'wpa2-wpa3', channel: 36, password: 'not-yours-123' },
    { ssid: 'Cafe', rssi: -70, security: 'open', channel: 1 },
  ],
};

const SECURITIES: WifiSecurity[] = ['open', 'wep', 'wpa', 'wpa2', 'wpa3', 'wpa2-wpa3', 'enterprise', 'unknown'];

/** Validates a parsed config; throws with the first problem. */
export function checkWifiSimConfig(raw: unknown): WifiSimConfig {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as WifiSimConfig).networks)) {
    throw new Error('wifi sim config needs a "networks" array');
  }
  const c = raw as WifiSimConfig;
  c.networks.forEach((n, i) => {
    if (typeof n.ssid !== 'string' || n.ssid === '') throw new Error(`networks[${i}].ssid must be a non-empty string`);
    if (typeof n.rssi !== 'number') throw new Error(`networks[${i}].rssi must be a number (dBm)`);
    if (SECURITIES.indexOf(n.security) < 0) throw new Error(`networks[${i}].security must be one of ${SECURITIES.join(', ')}`);
    if (n.security !== 'open' && typeof n.password !== 'string') throw new Error(`networks[${i}] (${n.ssid}) needs a password`);
  });
  if (c.captiveDnsPort !== undefined && !(Number.isInteger(c.captiveDnsPort) && c.captiveDnsPort >= 0 && c.captiveDnsPort <= 65535)) {
    throw new Error('captiveDnsPort must be a UDP port number (0 = any free port)');
  }
  if (c.deviceSecretHex !== undefined && !/^([0-9a-fA-F]{2}){16,}$/.test(c.deviceSecretHex)) {
    throw new Error('deviceSecretHex must be 16 or more bytes of hex');
  }
  return c;
}

export function loadWifiSimConfig(path: string): WifiSimConfig {
  return checkWifiSimConfig(JSON.parse(readFileSync(path, 'utf8')));
}

function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/).map((p) => parseInt(p, 16));
  if (parts.length !== 6 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`bad MAC address "${text}"`);
  return Uint8Array.from(parts);
}

/**
 * The simulated box's identity: the config's MAC, else `defaultMac` (the PC's own, so the setup
 * access point meterbox-XXXXXX and the mDNS name p1meter-XXXXXX share their digits as on a
 * device). The default secret is a fixed PC-only value, never a device's.
 */
export function simulatedIdentity(c: WifiSimConfig, defaultMac: Uint8Array = parseMac('02:4d:42:00:00:01')): DeviceIdentity {
  const secretHex = c.deviceSecretHex ?? '70632d73696d756c6174696f6e2d6f6e6c792d6e6f742d612d736563726574';
  return { macAddress: c.macAddress !== undefined ? parseMac(c.macAddress) : defaultMac, deviceSecret: Uint8Array.from(Buffer.from(secretHex, 'hex')) };
}

export class SimulatedWifi implements WifiAdapter {
  private ap: { ssid: string; password: string } | undefined;
  private station: { ssid: string; state: 'connecting' | 'connected' } | undefined;
  private listeners: Array<(event: StationEvent) => void> = [];
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private attempt = 0;
  readonly log: string[] = [];

  constructor(private readonly config: WifiSimConfig) {}

  async scan(): Promise<WifiNetwork[]> {
    this.log.push('scan');
    await new Promise<void>((resolve) => this.later(this.config.scanDelayMs ?? 300, resolve));
    return this.config.networks.map((n) => ({ ssid: n.ssid, rssi: n.rssi, security: n.security, ...(n.channel !== undefined ? { channel: n.channel } : {}) }));
  }

  startAccessPoint(config: { ssid: string; password: string }): void {
    if (config.password.length < 8) throw new Error('refusing an access point without a WPA2 password');
    this.ap = { ...config };
    this.log.push(`ap-up ${config.ssid}`);
  }

  stopAccessPoint(): void {
    this.ap = undefined;
    this.log.push('ap-down');
  }

  connectStation(credentials: WifiCredentials): void {
    const id = ++this.attempt;
    this.station = { ssid: credentials.ssid, state: 'connecting' };
    this.log.push(`connect ${credentials.ssid}`);
    this.later(this.config.connectDelayMs ?? 1500, () => {
      if (id !== this.attempt || !this.station) return;
      const n = this.config.networks.find((x) => x.ssid === credentials.ssid);
      if (!n || n.available === false) return this.fail({ type: 'failed', reason: 'no-ap' });
      if (n.security !== 'open' && n.password !== credentials.password) return this.fail({ type: 'failed', reason: 'wrong-password' });
      this.station.state = 'connected';
      this.emit({ type: 'connected', ip: this.config.stationIp ?? '192.168.1.77' });
      if (n.dropAfterMs !== undefined)
        this.later(n.dropAfterMs, () => {
          if (id === this.attempt) this.dropLink();
        });
    });
  }

  disconnectStation(): void {
    this.attempt++;
    this.station = undefined;
    this.log.push('disconnect');
  }

  onStationEvent(listener: (event: StationEvent) => void): void {
    this.listeners.push(listener);
  }

  accessPointAddress(): string {
    return this.config.accessPointAddress ?? '192.168.4.1';
  }

  mode(): WifiMode {
    if (this.ap && this.station) return 'ap+sta';
    if (this.ap) return 'ap';
    return this.station ? 'sta' : 'off';
  }

  accessPoint(): { ssid: string; password: string } | undefined {
    return this.ap ? { ...this.ap } : undefined;
  }

  /** The router goes away (reboot, power cut) while connected. */
  dropLink(): void {
    if (this.station?.state !== 'connected') return;
    this.station = undefined;
    this.attempt++;
    this.log.push('dropped');
    this.emit({ type: 'dropped' });
  }

  setAvailable(ssid: string, available: boolean): void {
    const n = this.config.networks.find((x) => x.ssid === ssid);
    if (n) n.available = available;
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private fail(event: StationEvent): void {
    this.station = undefined;
    this.emit(event);
  }

  private emit(event: StationEvent): void {
    for (const l of this.listeners) l(event);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}

/** Records what a captive DNS would answer (the PC does not bind port 53). */
export class SimulatedCaptiveDns implements CaptiveDns {
  answering: string | undefined;
  start(answerIpv4: string): void {
    this.answering = answerIpv4;
  }
  stop(): void {
    this.answering = undefined;
  }
}

/** Records the advertised mDNS name (the PC does not multicast). */
export class SimulatedMdns implements MdnsAdvertiser {
  hostName: string | undefined;
  start(hostName: string): void {
    this.hostName = hostName;
  }
  stop(): void {
    this.hostName = undefined;
  }
}
