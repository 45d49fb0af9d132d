/**
 * The PC's side of the LAN rules: native PBKDF2 and the names the box answers to.
 *
 * PBKDF2: node:crypto's pbkdf2 runs in libuv's thread pool, so a login check never blocks the
 * event loop that reads the meter and answers the API. 600,000 iterations of PBKDF2-HMAC-SHA-256
 * is OWASP's current figure (Password Storage Cheat Sheet); `npm run bench:login` prints what one
 * costs on this machine.
 *
 * Names (firmware/app/lan/host-check.ts): the machine's host name, with and without ".local"
 * (avahi on a Raspberry Pi answers raspberrypi.local), every address of its interfaces, and the
 * names given with --allow-host. Interfaces come and go (DHCP, Wi-Fi), so the list is read again
 * when it is older than 10 s.
 */
import { pbkdf2 } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import type { Pbkdf2 } from '../app/auth/password-hash';

export const HOST_PASSWORD_ITERATIONS = 600_000;

export const nodePbkdf2: Pbkdf2 = (password, salt, iterations) =>
  new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, 32, 'sha256', (error, key) => (error ? reject(error) : resolve(new Uint8Array(key))));
  });

export function hostOwnNames(configured: readonly string[] = []): () => readonly string[] {
  let names: string[] = [];
  let readMs = -Infinity;
  return () => {
    const now = Date.now();
    if (now - readMs < 10_000) return names;
    readMs = now;
    const own = hostname().toLowerCase();
    names = [own, own + '.local', ...configured];
    for (const list of Object.values(networkInterfaces())) for (const entry of list ?? []) names.push(entry.address);
    return names;
  };
}
