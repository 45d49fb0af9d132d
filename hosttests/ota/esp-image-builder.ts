/**
 * Builds small synthetic ESP32 app images for the OTA tests (not real firmware: the segment data is
 * filler, but every field the checker reads is laid out as ESP-IDF/esptool write it):
 *
 *   [0]      0xE9 magic          [1] segment count     [2] spi_mode  [3] speed|size
 *   [4..7]   entry address LE    [8] wp_pin            [9..11] spi_pin_drv
 *   [12..13] chip id LE          [14] min_chip_rev     [15..16] min rev full  [17..18] max rev full
 *   [19..22] reserved            [23] hash_appended
 *   [24..]   segments: load_addr u32 LE, data_len u32 LE, data; segment 0 data starts with the
 *            256-byte esp_app_desc_t (magic 0xABCD5432, version @+16, project_name @+48, idf_ver @+112)
 *   zero padding so the checksum byte (0xEF ^ all segment data) ends a 16-byte block
 *   optional 32-byte SHA-256 over everything before it.
 */
import { createHash } from 'node:crypto';

export interface TestImageOptions {
  version?: string;
  projectName?: string;
  chipId?: number;
  magic?: number;
  appDescMagic?: number;
  segmentSizes?: number[];
  hashAppended?: boolean;
  /** Override the segment count byte (to test insane counts). */
  segmentCountByte?: number;
  /** Seed for the filler bytes, so two images differ. */
  fillerSeed?: number;
}

function putAscii(target: Uint8Array, offset: number, text: string, max: number): void {
  for (let i = 0; i < Math.min(text.length, max - 1); i++) target[offset + i] = text.charCodeAt(i);
}

export function buildTestImage(o: TestImageOptions = {}): Uint8Array {
  const sizes = o.segmentSizes ?? [512, 96, 200];
  const parts: number[] = [];
  const header = new Uint8Array(24);
  header[0] = o.magic ?? 0xe9;
  header[1] = o.segmentCountByte ?? sizes.length;
  header[2] = 2; // DIO
  header[3] = 0x20; // 4 MB, 40 MHz
  new DataView(header.buffer).setUint32(4, 0x40081214, true);
  header[8] = 0xee;
  new DataView(header.buffer).setUint16(12, o.chipId ?? 0x0000, true);
  new DataView(header.buffer).setUint16(17, 399, true);
  header[23] = o.hashAppended === false ? 0 : 1;
  parts.push(...header);
  let checksum = 0xef;
  let seed = o.fillerSeed ?? 1;
  sizes.forEach((size, index) => {
    const segHeader = new Uint8Array(8);
    new DataView(segHeader.buffer).setUint32(0, 0x3f400020 + index * 0x10000, true);
    new DataView(segHeader.buffer).setUint32(4, size, true);
    parts.push(...segHeader);
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = seed >>> 24;
    }
    if (index === 0) {
      data.fill(0, 0, 256);
      new DataView(data.buffer).setUint32(0, o.appDescMagic ?? 0xabcd5432, true);
      putAscii(data, 16, o.version ?? '1.1.0', 32);
      putAscii(data, 48, o.projectName ?? 'meterbox', 32);
      putAscii(data, 80, '12:00:00', 16);
      putAscii(data, 96, 'Nov 23 2026', 16);
      putAscii(data, 112, 'v5.4.1', 32);
    }
    for (const b of data) checksum ^= b;
    parts.push(...data);
  });
  while (parts.length % 16 !== 15) parts.push(0);
  parts.push(checksum);
  const body = Uint8Array.from(parts);
  if (o.hashAppended === false) return body;
  const digest = createHash('sha256').update(body).digest();
  const out = new Uint8Array(body.length + 32);
  out.set(body);
  out.set(digest, body.length);
  return out;
}
