/**
 * Provisioning ports for the simulator (mcsim runs on the PC's own network): joining "succeeds"
 * after a second with the loopback address, the scan returns one example network, and the access
 * point, captive DNS and mDNS are only logged. Enough to run the setup pages and routes under XS.
 * Module key "meterbox/wifi" on lin (manifests/manifest_wifi.json).
 */
import Timer from 'timer';
import type { CaptiveDns, MdnsAdvertiser, StationEvent, WifiAdapter, WifiCredentials, WifiMode, WifiNetwork } from '../../app/provisioning/wifi-ports';

export function createWifiAdapter(): WifiAdapter {
  let listener: ((event: StationEvent) => void) | undefined;
  let ap = false;
  let sta = false;
  return {
    scan(): Promise<WifiNetwork[]> {
      return Promise.resolve([{ ssid: 'simulated-home', rssi: -55, security: 'wpa2', channel: 6 }]);
    },
    startAccessPoint(config: { ssid: string; password: string }) {
      ap = true;
      trace(`sim wifi: access point "${config.ssid}"\n`);
    },
    stopAccessPoint() {
      ap = false;
    },
    connectStation(credentials: WifiCredentials) {
      sta = true;
      trace(`sim wifi: joining "${credentials.ssid}"\n`);
      Timer.set(() => listener?.({ type: 'connected', ip: '127.0.0.1' }), 1000);
    },
    disconnectStation() {
      sta = false;
    },
    onStationEvent(next: (event: StationEvent) => void) {
      listener = next;
    },
    accessPointAddress() {
      return '127.0.0.1';
    },
    mode(): WifiMode {
      return ap && sta ? 'ap+sta' : ap ? 'ap' : sta ? 'sta' : 'off';
    },
  };
}

export function createCaptiveDns(): CaptiveDns {
  return { start: (ip: string) => trace(`sim wifi: captive DNS -> ${ip}\n`), stop: () => {} };
}

export function createMdns(services: Array<{ name: string; protocol: string; port: number; txt: Record<string, string> }> = []): MdnsAdvertiser {
  const list = services.map((s) => `_${s.name}._${s.protocol}:${s.port}`).join(', ');
  return { start: (host: string) => trace(`sim wifi: mDNS ${host}.local${list ? ' ' + list : ''}\n`), stop: () => {} };
}

/** The simulator has no radio to start (see esp32-wifi.ts: the identity is read after this). */
export function powerUpRadio(): void {}
