/**
 * What `--host` opens: the addresses other machines reach the page on, and the warning that goes
 * with an open page that has no admin password yet (whoever reaches it first could choose one).
 */
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';

/** True for a listen address that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/**
 * Page addresses for other machines: every non-internal IPv4 address for 0.0.0.0 (and IPv6 ones,
 * link-local excepted, for ::), the address itself for a specific one, none for loopback.
 */
export function lanUrls(host: string, port: number, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  if (isLoopbackHost(host)) return [];
  const wildcard4 = host === '0.0.0.0';
  const wildcard6 = host === '::';
  if (!wildcard4 && !wildcard6) return [url(host, port)];
  const urls: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4' || (wildcard6 && a.family === 'IPv6' && !/^fe80:/i.test(a.address))) urls.push(url(a.address, port));
    }
  }
  return urls;
}

function url(address: string, port: number): string {
  return address.includes(':') ? `http://[${address}]:${port}` : `http://${address}:${port}`;
}

export function noPasswordWarning(localUrl: string): string {
  return `warning: the page is open to the local network and no admin password is set: whoever opens it first could choose one. Set it now on ${localUrl}/settings`;
}
