/**
 * npm run headroom -- [--settings FILE]
 *
 * A streaming front to the same headroom engine the device runs (decoders/headroom), for
 * replaying recorded days and for closed-loop drivers such as a simulator in another language.
 *
 * stdin: NDJSON, one object per line:
 *   {"nowMs": <epoch ms>, "reading": {...MeterReading}, "chargerA": [l1, l2, l3]}
 *   {"nowMs": <epoch ms>}                     time passing without a frame (the fail-safe ladder)
 * stdout: exactly ONE line per input line, written before the next input line is handled:
 *   the `headroom` object as published in the snapshot, or
 *   {"error": {"line": n, "message": "..."}} for a line that is not valid input (bad JSON, no
 *   finite nowMs, time going backwards, reading or chargerA of the wrong shape, unknown keys).
 *   An invalid line changes no state.
 * --settings FILE: the app's settings document (its `headroom` key) or a bare headroom settings
 *   object. Invalid settings: a message on stderr and exit code 2. Without it: the defaults.
 * Exit code 0 at end of input (errors are reported in-band, per line).
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createHeadroomState, defaultHeadroomSettings, stepHeadroom, validateHeadroomSettings } from '../decoders/headroom/index';
import type { HeadroomInput, HeadroomSettings, HeadroomState } from '../decoders/headroom/index';
import type { MeterReading } from '../decoders/reading';

const usage = 'usage: npm run headroom -- [--settings FILE] < frames.ndjson';

function fail(message: string): never {
  process.stderr.write(`headroom: ${message}\n`);
  process.exit(2);
}

/** The headroom settings in a settings file (app document or bare), validated; exits 2 if bad. */
export function loadSettingsFile(path: string): HeadroomSettings {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    fail(`cannot read settings ${path}: ${(e as Error).message}`);
  }
  const inner = doc !== null && typeof doc === 'object' && !Array.isArray(doc) && 'headroom' in doc ? (doc as { headroom: unknown }).headroom : doc;
  const checked = validateHeadroomSettings(inner);
  if (!checked.ok) fail(`invalid settings in ${path}:\n  ${checked.errors.join('\n  ')}`);
  return checked.settings;
}

const INPUT_KEYS = ['nowMs', 'reading', 'chargerA'];

/** One input line to an engine input, or the reason it is not one. */
export function parseInputLine(text: string, lastNowMs: number | undefined): { input: HeadroomInput } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'a line must be a JSON object' };
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (INPUT_KEYS.indexOf(key) < 0) return { error: `unknown key '${key}' (expected nowMs, reading, chargerA)` };
  }
  if (typeof o.nowMs !== 'number' || !Number.isFinite(o.nowMs)) return { error: 'nowMs must be a finite number (epoch ms)' };
  if (lastNowMs !== undefined && o.nowMs < lastNowMs) {
    return { error: `time goes backwards: nowMs ${o.nowMs} is before the previous ${lastNowMs}` };
  }
  const input: HeadroomInput = { nowMs: o.nowMs };
  if (o.reading !== undefined) {
    const r = o.reading;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return { error: 'reading must be an object (a MeterReading)' };
    const protocol = (r as { protocol?: unknown }).protocol;
    if (protocol !== 'dsmr' && protocol !== 'dlms') return { error: "reading.protocol must be 'dsmr' or 'dlms'" };
    input.reading = r as MeterReading;
  }
  if (o.chargerA !== undefined) {
    const c = o.chargerA;
    if (!Array.isArray(c) || c.length !== 3 || !c.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) {
      return { error: 'chargerA must be three finite currents >= 0 A: [l1, l2, l3]' };
    }
    input.chargerA = [c[0], c[1], c[2]];
  }
  return { input };
}

async function main(argv: string[]): Promise<void> {
  let settings: HeadroomSettings = defaultHeadroomSettings;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--settings') {
      const file = argv[++i];
      if (!file) fail(`--settings needs a file\n${usage}`);
      settings = loadSettingsFile(file);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(`${usage}\n`);
      return;
    } else {
      fail(`unknown argument '${a}'\n${usage}`);
    }
  }

  let state: HeadroomState = createHeadroomState();
  let lastNowMs: number | undefined;
  let lineNo = 0;
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    lineNo++;
    let out: string;
    const parsed = parseInputLine(line, lastNowMs);
    if ('error' in parsed) {
      out = JSON.stringify({ error: { line: lineNo, message: parsed.error } });
    } else {
      try {
        const r = stepHeadroom(state, parsed.input, settings);
        state = r.state;
        lastNowMs = parsed.input.nowMs;
        out = JSON.stringify(r.headroom);
      } catch (e) {
        // The engine refused this input: say so and keep the state from before the line.
        out = JSON.stringify({ error: { line: lineNo, message: `engine: ${(e as Error).message}` } });
      }
    }
    // Answer this line before taking the next one, so a driver can run a closed loop.
    if (!process.stdout.write(`${out}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}

main(process.argv.slice(2)).catch((e) => fail(String((e as Error).stack ?? e)));
