/**
 * Helpers the headless simulator scripts share (sim-smoke.mjs, sim-memory.mjs, sim-mqtt.mjs,
 * natives-check.mjs) and the native compile check (../esp-idf/compile-natives.mjs): their own
 * checksums, written out bit by bit and independent of the decoders they feed, a hex capture
 * reader, a file search in a build tree, and a free loopback port.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A TCP port free on 127.0.0.1 right now (each run takes its own, so runs never meet). */
export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** CRC-16/ARC (DSMR P1 telegrams): poly 0x8005 reflected (0xA001), init 0. */
export function crc16Arc(bytes) {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** CRC-16/X.25 (HDLC FCS): poly 0x1021 reflected (0x8408), init and xorout 0xFFFF. */
export function crc16X25(bytes) {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc ^ 0xffff;
}

/** A DSMR telegram's text up to '!' followed by its CRC-16/ARC in four hex digits and CR LF. */
export function withDsmrCrc(text) {
  const body = Buffer.from(text.slice(0, text.indexOf('!') + 1), 'latin1');
  return Buffer.concat([body, Buffer.from(crc16Arc(body).toString(16).toUpperCase().padStart(4, '0') + '\r\n', 'latin1')]);
}

/** A .hex capture of hosttests/vectors: hex digits, '#' and '//' comments, any whitespace. */
export function hexFile(path) {
  const text = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.split('#')[0].split('//')[0])
    .join('');
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** The first file named `name` below `dir` (depth first), or undefined. */
export function findFile(dir, name) {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry === name) return path;
  }
  return undefined;
}
