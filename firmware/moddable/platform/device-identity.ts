/**
 * The device's provisioning identity: its Wi-Fi MAC (names the setup access point) and a 16-byte
 * secret created once from the hardware RNG and kept in Preference/NVS (derives the label password
 * printed on the box). The secret is never served.
 *
 * Read it only after the radio is up (main.ts calls powerUpRadio of meterbox/wifi first): before
 * Wi-Fi is initialised Net.get('MAC') has no answer, and ESP-IDF's RNG (esp_fill_random) is only
 * pseudo-random while the RF subsystem is off, which would make the first secret guessable.
 * Without a MAC (the simulator has none) a random locally administered address is kept in NVS
 * instead; `macFrom` says which one is in use, so the device can warn when it should have had one.
 */
import Net from 'net';
import Preference from 'preference';
import { fillRandom } from 'meterbox-system';
import type { DeviceIdentity } from '../../app/provisioning/wifi-ports';

const DOMAIN = 'meterboxid';

function parseMac(text: string | undefined): Uint8Array | undefined {
  if (!text) return undefined;
  const parts = text.split(':');
  if (parts.length !== 6) return undefined;
  const mac = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const value = parseInt(parts[i] as string, 16);
    if (!(value >= 0 && value <= 255)) return undefined;
    mac[i] = value;
  }
  return mac;
}

function storedBytes(key: string, length: number): Uint8Array {
  const stored = Preference.get(DOMAIN, key);
  if (stored instanceof ArrayBuffer && stored.byteLength === length) return new Uint8Array(stored);
  const bytes = new Uint8Array(length);
  fillRandom(bytes);
  Preference.set(DOMAIN, key, bytes.buffer);
  return bytes;
}

export function loadDeviceIdentity(): { identity: DeviceIdentity; macFrom: 'wifi' | 'stored' } {
  let mac: Uint8Array | undefined;
  try {
    mac = parseMac(Net.get('MAC'));
  } catch {
    mac = undefined;
  }
  const macFrom = mac ? 'wifi' : 'stored';
  if (!mac) {
    // simulator without a MAC: a stable random locally administered address
    mac = storedBytes('mac', 6);
    mac[0] = ((mac[0] as number) | 0x02) & 0xfe;
  }
  return { identity: { macAddress: mac, deviceSecret: storedBytes('secret', 16) }, macFrom };
}
