/**
 * The setup access point's name and password, both printed on the device label.
 *
 *   name     = "meterbox-" + last 3 MAC bytes in upper-case hex        e.g. meterbox-4F21A0
 *   password = 12 symbols from a 31-symbol alphabet without look-alikes (no 0/o, 1/l/i),
 *              grouped 4-4-4 with dashes for typing on a phone          e.g. k7dm-3xq9-hw2e
 *              symbols = HMAC-SHA-256(deviceSecret, "meterbox-ap-password-v1:" + MAC hex),
 *              bytes >= 248 skipped so every symbol is equally likely (248 = 8 x 31)
 *
 * Why a secret and not the MAC: the AP name (and so the MAC) is broadcast, so a password computed
 * from the MAC alone could be computed by anyone in range. 12 symbols of log2(31) ~ 4.95 bits give
 * ~59 bits, far beyond offline WPA2 handshake guessing. WPA2-PSK needs 8..63 characters: 14 fits.
 */
import { hmacSha256 } from '../crypto/sha256';
import type { Sha256Factory } from '../crypto/sha256';
import type { DeviceIdentity } from './wifi-ports';

export const AP_NAME_PREFIX = 'meterbox-';
export const AP_PASSWORD_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const PASSWORD_SYMBOLS = 12;

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return s;
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

export function accessPointName(identity: DeviceIdentity): string {
  const mac = identity.macAddress;
  if (mac.length !== 6) throw new Error('MAC address must be 6 bytes');
  return AP_NAME_PREFIX + hex(mac.subarray(3)).toUpperCase();
}

export function accessPointPassword(identity: DeviceIdentity, sha256Factory?: Sha256Factory): string {
  if (identity.deviceSecret.length < 16) throw new Error('device secret must be at least 16 bytes');
  const symbols: string[] = [];
  for (let counter = 0; symbols.length < PASSWORD_SYMBOLS; counter++) {
    const label = ascii(`meterbox-ap-password-v1:${hex(identity.macAddress)}:${counter}`);
    const mac = hmacSha256(identity.deviceSecret, label, sha256Factory);
    for (let i = 0; i < mac.length && symbols.length < PASSWORD_SYMBOLS; i++) {
      if (mac[i] < 248) symbols.push(AP_PASSWORD_ALPHABET[mac[i] % 31]);
    }
  }
  return symbols.slice(0, 4).join('') + '-' + symbols.slice(4, 8).join('') + '-' + symbols.slice(8, 12).join('');
}
