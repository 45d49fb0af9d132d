/**
 * The PC build's serial (HomeWizard's "serial, also the MAC address"): the MAC of the first
 * network interface that has a real one (interfaces in name order, loopback and all-zero MACs
 * skipped), so it stays the same across restarts. A machine without any: 6 bytes of a SHA-256 of
 * its host name, marked locally administered (0x02) like any made-up MAC.
 */
import { createHash } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { serialFromMac } from '../app/homewizard-identity';

export function hostSerial(): string {
  const interfaces = networkInterfaces();
  for (const name of Object.keys(interfaces).sort()) {
    for (const address of interfaces[name] ?? []) {
      if (address.internal || !address.mac || address.mac === '00:00:00:00:00:00') continue;
      const mac = Uint8Array.from(address.mac.split(':').map((part) => parseInt(part, 16)));
      if (mac.length === 6 && mac.every((b) => b >= 0 && b <= 255)) return serialFromMac(mac);
    }
  }
  const digest = createHash('sha256').update(hostname()).digest();
  const mac = Uint8Array.from(digest.subarray(0, 6));
  mac[0] = (mac[0] | 0x02) & 0xfe;
  return serialFromMac(mac);
}
