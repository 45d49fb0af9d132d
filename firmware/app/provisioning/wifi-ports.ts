/**
 * What Wi-Fi provisioning needs from the platform. The Moddable adapter maps these onto the ESP32
 * Wi-Fi driver (modes AP, STA, AP+STA), its DNS server (captive portal) and mDNS; the PC build uses
 * firmware/host/wifi-sim.ts. Events come back through `onStationEvent`; the wiring hands them to
 * the machine together with the time, so the machine itself has no clock and no timers.
 */
export type WifiSecurity = 'open' | 'wep' | 'wpa' | 'wpa2' | 'wpa3' | 'wpa2-wpa3' | 'enterprise' | 'unknown';

export interface WifiNetwork {
  ssid: string;
  /** Signal strength in dBm (negative; closer to 0 is stronger). */
  rssi: number;
  security: WifiSecurity;
  channel?: number;
}

export interface WifiCredentials {
  ssid: string;
  /** '' for an open network. */
  password: string;
}

export type WifiMode = 'off' | 'ap' | 'sta' | 'ap+sta';

export type StationFailure = 'wrong-password' | 'no-ap' | 'timeout';

export type StationEvent = { type: 'connected'; ip: string } | { type: 'failed'; reason: StationFailure } | { type: 'dropped' };

export interface WifiAdapter {
  /** Scan for networks (works in AP mode too: the adapter switches to AP+STA for it). */
  scan(): Promise<WifiNetwork[]>;
  /** WPA2-PSK access point; the password is always 8+ characters (never an open AP). */
  startAccessPoint(config: { ssid: string; password: string }): void;
  stopAccessPoint(): void;
  /** Start joining; the outcome arrives as a StationEvent. A running attempt is replaced. */
  connectStation(credentials: WifiCredentials): void;
  disconnectStation(): void;
  onStationEvent(listener: (event: StationEvent) => void): void;
  /** The box's own address on its access point, e.g. "192.168.4.1". */
  accessPointAddress(): string;
  mode(): WifiMode;
}

/** Captive-portal DNS on the access point: every name resolves to `answerIpv4`. */
export interface CaptiveDns {
  start(answerIpv4: string): void;
  stop(): void;
}

/** mDNS responder on the home network: `<hostName>.local`. */
export interface MdnsAdvertiser {
  start(hostName: string): void;
  stop(): void;
}

/** Where the joined network is remembered (the settings document's `wifi` section). */
export interface WifiCredentialStore {
  load(): WifiCredentials | undefined;
  save(credentials: WifiCredentials): void;
  clear(): void;
}

/** Per-device identity: the MAC names the AP, the secret (never shown) derives its password. */
export interface DeviceIdentity {
  macAddress: Uint8Array;
  /** At least 16 random bytes, created once per device at manufacture (NVS on the ESP32). */
  deviceSecret: Uint8Array;
}
