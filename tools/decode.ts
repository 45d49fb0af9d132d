/**
 * npm run decode -- [--key HEX] [--auth-key HEX] [--skip-checksum] [--max-frame-bytes N] [--apdu] FILE...
 *
 * Feeds each FILE through a MeterStream (the device's front) and prints one JSON line per frame:
 *   {"file":"x.txt","ok":true,"format":"dsmr","reading":{...}}
 *   {"file":"x.txt","ok":false,"format":"dsmr","error":{"code":"checksum","message":"..."}}
 * FILE: .hex = hex text (whitespace, '#' and '//' comments), '-' = stdin (raw bytes), anything
 * else (.txt, .bin, .raw, captures) = raw bytes.
 * A file holding one DLMS APDU without link layer, as other readers' debug logs print them
 * (starting 0F, or the LLC header E6 E7 00 then 0F / DB / E0), is read as that APDU
 * (decoders/dlms/raw-apdu.ts; format 'dlms'), and stderr says so: on a serial line such bytes
 * would be garbage. --apdu reads every file that way (a glo-ciphering APDU starting DB, say).
 * Exit 0 when every input was read (whatever the frames said); 1 when a file could not be read
 * or parsed as hex; 2 for bad arguments (unknown option, key that is not 32 hex digits).
 */
import { readFileSync } from 'node:fs';
import type { DecoderOptions, FrameResult } from '../decoders/frame-result';
import { MeterStream } from '../decoders/meter-stream';
import { decodeRawApdu, looksLikeRawApdu } from '../decoders/dlms/raw-apdu';
import { parseHexKey, parseHexText } from '../decoders/util/hex';

const USAGE =
  'usage: npm run decode -- [--key HEX] [--auth-key HEX] [--skip-checksum] [--max-frame-bytes N] [--apdu] FILE... (FILE: .hex, .txt, .bin, .raw or - for stdin; --apdu: each file is one DLMS APDU without link layer)';

function fail(code: number, message: string): never {
  process.stderr.write(`decode: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv: string[]): { options: DecoderOptions; files: string[]; apdu: boolean } {
  const options: DecoderOptions = {};
  const files: string[] = [];
  let apdu = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(2, `${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--key' || a === '--auth-key') {
      const key = parseHexKey(value());
      if (!key) fail(2, `${a} must be 16 bytes as 32 hex digits`);
      if (a === '--key') options.encryptionKey = key;
      else options.authenticationKey = key;
    } else if (a === '--skip-checksum') options.skipChecksum = true;
    else if (a === '--apdu') apdu = true;
    else if (a === '--max-frame-bytes') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 64) fail(2, '--max-frame-bytes must be an integer >= 64');
      options.maxFrameBytes = n;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith('--')) fail(2, `unknown option ${a}\n${USAGE}`);
    else files.push(a);
  }
  if (files.length === 0) fail(2, `no input file\n${USAGE}`);
  return { options, files, apdu };
}

function readInput(file: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    fail(1, `cannot read ${file}: ${(e as Error).message}`);
  }
  if (file.toLowerCase().endsWith('.hex')) {
    try {
      return parseHexText(raw.toString('latin1'));
    } catch (e) {
      fail(1, `${file}: ${(e as Error).message}`);
    }
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

function line(file: string, r: FrameResult): string {
  if (r.ok) return JSON.stringify({ file, ok: true, format: r.format, reading: r.reading });
  const out: Record<string, unknown> = { file, ok: false };
  if (r.format !== undefined) out.format = r.format;
  out.error = { code: r.error.code, message: r.error.message };
  return JSON.stringify(out);
}

function main(): void {
  const { options, files, apdu } = parseArgs(process.argv.slice(2));
  // Read everything first: an unreadable file fails before any output.
  const inputs = files.map((f) => ({ file: f, bytes: readInput(f) }));
  const out: string[] = [];
  for (const { file, bytes } of inputs) {
    if (apdu || looksLikeRawApdu(bytes)) {
      if (!apdu) process.stderr.write(`decode: ${file}: read as one raw DLMS APDU (no link layer; it starts ${hexStart(bytes)}); --apdu reads any file so\n`);
      for (const r of decodeRawApdu(bytes, options)) out.push(line(file, r));
      continue;
    }
    const stream = new MeterStream(options);
    const emit = (r: FrameResult): void => {
      out.push(line(file, r));
    };
    stream.push(bytes, emit);
    stream.flush(emit);
  }
  process.stdout.write(out.length > 0 ? `${out.join('\n')}\n` : '');
}

function hexStart(b: Uint8Array): string {
  return Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

main();
