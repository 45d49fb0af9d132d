/**
 * How the box presents itself as a HomeWizard P1 meter on the network, one definition for the PC
 * (firmware/host/mdns-advertiser.ts, bonjour-service) and the device (Moddable mdns):
 *
 *   serial        12 lower-case hex digits, the MAC address (HomeWizard: "Serial, also the MAC
 *                 address. Consists of 12 hexadecimal values"; homewizard/api-documentation
 *                 docs/v1/api.mdx, example "3c39e7aabbcc")
 *   mDNS          service _hwenergy._tcp, instance and host name p1meter-<last 6 of the serial>,
 *                 TXT api_enabled=1, path=/api/v1, serial, product_type=HWE-P1, product_name
 *                 (homewizard/api-documentation docs/discovery.mdx, "p1meter-DDEEFF")
 *
 * Why the host name matters: SmartEVSE keeps a `_hwenergy._tcp` answer only when
 * `MDNS.hostname(i).startsWith("p1meter-")` (SmartEVSE-3 src/network_common.cpp,
 * discoverHomeWizardP1; SmartEVSE-3.5 getmDNSServiceType), and Home Assistant's homewizard
 * integration aborts discovery without api_enabled, path, product_name, product_type and serial in
 * TXT, or with a path other than /api/v1 (homeassistant/components/homewizard/config_flow.py,
 * async_step_zeroconf).
 */
import { bytesToHex } from './util/bytes';

export const HOMEWIZARD_PRODUCT_TYPE = 'HWE-P1';
/** HomeWizard's own spelling (api-documentation docs/v1/api.mdx). */
export const HOMEWIZARD_PRODUCT_NAME = 'P1 Meter';
export const HOMEWIZARD_SERVICE_TYPE = 'hwenergy';
export const HOMEWIZARD_API_PATH = '/api/v1';

/** A 6-byte MAC address -> the HomeWizard serial ("3c39e7aabbcc"). */
export function serialFromMac(mac: Uint8Array): string {
  return bytesToHex(mac.subarray(0, 6)).toLowerCase();
}

/** "p1meter-AABBCC": the mDNS host and instance name (last 6 characters of the serial, upper case). */
export function homeWizardHostName(serial: string): string {
  const tail = serial.length >= 6 ? serial.slice(serial.length - 6) : serial;
  return 'p1meter-' + tail.toUpperCase();
}

/** The TXT record of the _hwenergy._tcp service. */
export function homeWizardTxt(serial: string): Record<string, string> {
  return {
    api_enabled: '1',
    path: HOMEWIZARD_API_PATH,
    serial,
    product_type: HOMEWIZARD_PRODUCT_TYPE,
    product_name: HOMEWIZARD_PRODUCT_NAME,
  };
}

/**
 * Wi-Fi signal in dBm -> HomeWizard's wifi_strength in %: the mapping python-homewizard-energy uses
 * for the v2 API's wifi_rssi_db (homewizard_energy/models.py, System.__post_deserialize__):
 * <= -100 dBm (or 0, "no value") is 0 %, >= -50 dBm is 100 %, linear between.
 */
export function wifiStrengthPercent(rssiDbm: number | undefined): number | undefined {
  if (typeof rssiDbm !== 'number' || !Number.isFinite(rssiDbm)) return undefined;
  if (rssiDbm <= -100 || rssiDbm === 0) return 0;
  if (rssiDbm >= -50) return 100;
  return Math.round(2 * (rssiDbm + 100));
}
