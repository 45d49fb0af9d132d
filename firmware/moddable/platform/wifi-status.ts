/**
 * The Wi-Fi network the box is on and its signal, for HomeWizard's wifi_ssid / wifi_strength
 * (GET /api/v1/data): Net.get("SSID") and Net.get("RSSI") from the SDK, the dBm mapped to % as
 * HomeWizard's own library does (firmware/app/homewizard-identity.ts). '' and 0 % when the
 * station is not connected (setup access point only).
 */
import Net from 'net';
import { wifiStrengthPercent } from '../../app/homewizard-identity';

export function deviceWifiStatus(): { ssid: string; strengthPercent: number } {
  let ssid = '';
  let rssi: number | undefined;
  try {
    ssid = Net.get('SSID') ?? '';
    rssi = Net.get('RSSI');
  } catch {
    // no station interface yet
  }
  return { ssid, strengthPercent: ssid ? (wifiStrengthPercent(rssi) ?? 0) : 0 };
}
