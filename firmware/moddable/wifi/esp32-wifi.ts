/**
 * Wi-Fi provisioning ports on the ESP32 with the Moddable SDK's classic modules:
 * "wifi" (station, access point, scan), "dns/server" (captive portal: every A query answers the
 * box's AP address) and "mdns" (p1meter-XXXXXX.local on the home network, the name main.ts passes).
 *
 * Station failures come as "disconnect" with the ESP-IDF reason code (wifi_err_reason_t):
 * 15/202/204 (4-way handshake timeout, auth fail, handshake timeout) mean a wrong password;
 * 201/210-212 (no AP found ...) mean the network is not in range. A connect attempt that gives no
 * answer is timed out by the provisioning machine itself.
 * Module key "meterbox/wifi" on esp32 (manifests/manifest_wifi.json); only type imports from the app.
 */
import WiFi from 'wifi';
import DNSServer from 'dns/server';
import MDNS from 'mdns';
import Net from 'net';
import type {
  CaptiveDns,
  MdnsAdvertiser,
  StationEvent,
  WifiAdapter,
  WifiCredentials,
  WifiMode,
  WifiNetwork,
  WifiSecurity,
} from '../../app/provisioning/wifi-ports';

const AP_ADDRESS = '192.168.4.1'; // ESP-IDF default soft-AP address

function securityOf(authentication: string): WifiSecurity {
  switch (authentication) {
    case 'none':
      return 'open';
    case 'wep':
      return 'wep';
    case 'wpa_psk':
      return 'wpa';
    case 'wpa2_psk':
      return 'wpa2';
    case 'wpa_wpa2_psk':
      return 'wpa2';
    default:
      return 'unknown';
  }
}

function failureOf(reason: number): 'wrong-password' | 'no-ap' | 'timeout' {
  if (reason === 15 || reason === 202 || reason === 204 || reason === 2) return 'wrong-password';
  if (reason === 201 || (reason >= 210 && reason <= 212)) return 'no-ap';
  return 'timeout';
}

export function createWifiAdapter(): WifiAdapter {
  let listener: ((event: StationEvent) => void) | undefined;
  let station: WiFi | undefined;
  let apActive = false;
  let stationWanted = false;
  let connected = false;

  const emit = (event: StationEvent) => listener?.(event);

  const currentMode = (): WifiMode => (apActive && stationWanted ? 'ap+sta' : apActive ? 'ap' : stationWanted ? 'sta' : 'off');

  return {
    scan(): Promise<WifiNetwork[]> {
      if (apActive && !stationWanted) WiFi.mode = 3 as never; // AP+STA: scanning needs the station interface
      return new Promise((resolve) => {
        const found: WifiNetwork[] = [];
        WiFi.scan({}, (item) => {
          if (!item) {
            resolve(found);
            return;
          }
          const network: WifiNetwork = { ssid: item.ssid, rssi: item.rssi, security: securityOf(item.authentication) };
          const channel = (item as { channel?: number }).channel;
          if (channel !== undefined) network.channel = channel;
          if (network.ssid) found.push(network);
        });
      });
    },
    startAccessPoint(config: { ssid: string; password: string }) {
      WiFi.accessPoint({ ssid: config.ssid, password: config.password, channel: 1, max: 4, station: stationWanted } as never);
      apActive = true;
    },
    stopAccessPoint() {
      apActive = false;
      WiFi.mode = (stationWanted ? 1 : 0) as never;
    },
    connectStation(credentials: WifiCredentials) {
      station?.close();
      stationWanted = true;
      connected = false;
      if (apActive) WiFi.mode = 3 as never;
      const options = credentials.password ? { ssid: credentials.ssid, password: credentials.password } : { ssid: credentials.ssid };
      station = new WiFi(options, (message: string, value?: unknown) => {
        if (message === WiFi.gotIP) {
          connected = true;
          emit({ type: 'connected', ip: Net.get('IP') ?? '' });
        } else if (message === WiFi.disconnected) {
          if (connected) {
            connected = false;
            emit({ type: 'dropped' });
          } else emit({ type: 'failed', reason: failureOf(typeof value === 'number' ? value : -1) });
        }
      });
    },
    disconnectStation() {
      stationWanted = false;
      connected = false;
      station?.close();
      station = undefined;
      WiFi.disconnect();
    },
    onStationEvent(next: (event: StationEvent) => void) {
      listener = next;
    },
    accessPointAddress() {
      return AP_ADDRESS;
    },
    mode() {
      return currentMode();
    },
  };
}

export function createCaptiveDns(): CaptiveDns {
  let server: DNSServer | undefined;
  return {
    start(answerIpv4: string) {
      server?.close();
      server = new DNSServer((message: number) => (message === 1 ? answerIpv4 : ''));
    },
    stop() {
      server?.close();
      server = undefined;
    },
  };
}

/** A service to advertise once the host name is claimed (Moddable's mdns uses the host name as instance name). */
export interface MdnsService {
  name: string;
  protocol: string;
  port: number;
  txt: Record<string, string>;
}

/**
 * mDNS responder: claims `<hostName>.local`, then advertises `services` (default: the page as
 * _http._tcp on port 80). The device passes _http._tcp and HomeWizard's _hwenergy._tcp under the
 * host name p1meter-XXXXXX (firmware/app/homewizard-identity.ts).
 */
export function createMdns(services: MdnsService[] = [{ name: 'http', protocol: 'tcp', port: 80, txt: { path: '/' } }]): MdnsAdvertiser {
  let mdns: MDNS | undefined;
  return {
    start(hostName: string) {
      if (mdns) return;
      mdns = new MDNS({ hostName }, (message: number, value?: string) => {
        // MDNS.hostName (1) comes first with "" when probing starts (add() would throw "not
        // ready" there and stop the probe), then with the name once it is claimed.
        if (message === 1 && value)
          for (const service of services) mdns?.add({ name: service.name, protocol: service.protocol, port: service.port, txt: { ...service.txt } });
      });
    },
    stop() {
      (mdns as unknown as { close?(): void } | undefined)?.close?.();
      mdns = undefined;
    },
  };
}

/**
 * Starts the radio (station mode, joining nothing) unless Wi-Fi already runs. main.ts calls it
 * before reading the device identity: the Wi-Fi MAC is known only once Wi-Fi is initialised, and
 * ESP-IDF documents esp_fill_random (the device secret, salts, session tokens) as true random only
 * while the RF subsystem is on. The SDK's wifi module initialises and starts Wi-Fi in one step
 * (esp_wifi_init + esp_wifi_start), so station, AP or both (mode 1-3) means the radio is up.
 */
export function powerUpRadio(): void {
  const mode = WiFi.mode as unknown as number;
  if (!(mode >= 1)) WiFi.mode = 1 as never;
}
