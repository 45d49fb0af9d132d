/**
 * `npm start`: the box's application on a PC.
 *
 *   npm start                                   simulated meter (real Aidon captures, real cadence)
 *   npm start -- --capture FILE[,FILE..] [--interval-ms 10000] [--replay-baud 115200]
 *   npm start -- --serial /dev/ttyUSB0 [--baud 2400 --data-bits 8 --parity even --stop-bits 1 | --line auto]
 *   npm start -- --tcp 127.0.0.1:2000           network serial bridge streaming raw telegrams
 *   common: --port 8080 --host 127.0.0.1 --settings ./meterbox-settings.json --quiet
 *   outputs: --mqtt mqtt://HOST:PORT (MQTT + Home Assistant discovery), --no-mdns
 *
 * The server listens on 127.0.0.1 unless --host says otherwise: until a password is set, anyone
 * who can reach the page could set one, so opening it to the LAN is an explicit choice, and the
 * app prints the LAN addresses and repeats a warning while no password is set.
 *
 * The simulated meter is a Norwegian IT-grid meter: without --settings it keeps its own settings
 * file (meterbox-demo-settings.json), started with the grid type that meter reports, so the demo
 * neither runs under the wrong grid nor leaves its settings behind for a real meter.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { ByteSource, LineSettings } from '../app/ports';
import { captureReplay, defaultReplay, ReplaySource } from './replay-source';
import { SerialSource } from './serial-source';
import { TcpSource } from './tcp-source';
import { repoRoot, startHost } from './start-host';
import { nodeClock } from './node-platform';
import { defaultSettings } from '../app/settings';
import { FileSettingsStore } from './file-settings-store';
import { isLoopbackHost, lanUrls, noPasswordWarning } from './lan-addresses';
import { createOtaAndWifi, takeOtaWifiArgs } from './ota-provisioning-wiring';
import { parseMqttUrl } from '../app/outputs/mqtt-settings';
import { OUTPUT_HELP, createHostOutputs, takeOutputArgs } from './output-args';

const HELP =
  `meterbox on a PC

Meter source (default: a simulated Norwegian Aidon meter replaying real captures):
  --capture FILE[,FILE...]  replay capture files (.hex, .txt, .bin) in a loop; repeatable. Each
                            frame's meter time becomes the moment it is replayed, so the loop
                            never repeats a time stamp (the engine would take it as old data)
  --interval-ms N           time between replayed files (default 2500)
  --replay-baud N           pace replayed bytes like a serial line (default 2400 for .hex/.bin,
                            115200 for .txt; 0 = send each file at once)
  --serial PATH             read a serial device (USB meter cable), e.g. /dev/ttyUSB0
  --baud N --data-bits 7|8 --parity none|even|odd --stop-bits 1|2
                            line settings (default 2400 8E1, the HAN M-Bus line)
  --line auto|"2400 8E1"    auto-detect the line settings, or give them in one word
  --tcp HOST:PORT           read a network serial bridge streaming raw telegrams
Server:
  --port N                  HTTP port (default 8080, 0 = any free port)
  --host ADDR               listen address (default 127.0.0.1; 0.0.0.0 for the LAN)
  --settings FILE           settings document (default ./meterbox-settings.json; the simulated
                            meter keeps its own, ./meterbox-demo-settings.json)
  --allow-host NAME         also answer to this name (a DNS alias, a reverse proxy); repeatable.
                            The machine's own name, name.local and addresses always work; other
                            names get 421 (protection against DNS rebinding)
  --quiet                   less logging
Outputs:
  --mqtt URL                publish to an MQTT broker with Home Assistant discovery, e.g.
                            mqtt://192.168.1.10:1883 or mqtts://user:password@host:8883
                            (wins over the broker set on the settings page)
  --no-mdns                 do not advertise on mDNS (_hwenergy._tcp as p1meter-XXXXXX, _http._tcp);
                            it is advertised only when listening beyond 127.0.0.1 (--host)
Wi-Fi and OTA (simulated): --wifi-sim FILE, --ota-dir DIR, --ota-health-deadline-ms N
` + OUTPUT_HELP;

export interface CliOptions {
  port: number;
  host: string;
  settings: string;
  /** --settings was given (else the simulated meter uses its own file). */
  settingsGiven: boolean;
  captures: string[];
  intervalMs?: number;
  replayBaud?: number;
  serial?: string;
  tcp?: { host: string; port: number };
  line: Partial<LineSettings>;
  lineMode?: 'auto' | LineSettings;
  quiet: boolean;
  help: boolean;
  allowHosts: string[];
  mqttUrl?: string;
  mdns?: boolean;
}

export function parseLineWord(word: string): LineSettings | undefined {
  // "2400 8E1", "2400-8E1", "115200,8N1"
  const parts = word.trim().split(/[\s,-]+/);
  if (parts.length !== 2 || parts[1].length !== 3) return undefined;
  const baud = Number(parts[0]);
  const dataBits = Number(parts[1][0]);
  const parity = ({ N: 'none', E: 'even', O: 'odd' } as const)[parts[1][1].toUpperCase() as 'N' | 'E' | 'O'];
  const stopBits = Number(parts[1][2]);
  if (!Number.isInteger(baud) || baud <= 0 || (dataBits !== 7 && dataBits !== 8) || !parity || (stopBits !== 1 && stopBits !== 2)) return undefined;
  return { baud, dataBits, parity, stopBits };
}

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    port: 8080,
    host: '127.0.0.1',
    settings: './meterbox-settings.json',
    settingsGiven: false,
    captures: [],
    line: {},
    quiet: false,
    help: false,
    allowHosts: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const number = (): number => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${arg} needs a non-negative number`);
      return v;
    };
    switch (arg) {
      case '--help':
      case '-h':
        o.help = true;
        break;
      case '--port':
        o.port = number();
        break;
      case '--host':
        o.host = value();
        break;
      case '--settings':
        o.settings = value();
        o.settingsGiven = true;
        break;
      case '--capture':
        o.captures.push(...value().split(',').filter(Boolean));
        break;
      case '--interval-ms':
        o.intervalMs = number();
        break;
      case '--replay-baud':
        o.replayBaud = number();
        break;
      case '--serial':
        o.serial = value();
        break;
      case '--baud':
        o.line.baud = number();
        break;
      case '--data-bits': {
        const v = number();
        if (v !== 7 && v !== 8) throw new Error('--data-bits must be 7 or 8');
        o.line.dataBits = v;
        break;
      }
      case '--parity': {
        const v = value().toLowerCase();
        const p = v === 'n' ? 'none' : v === 'e' ? 'even' : v === 'o' ? 'odd' : v;
        if (p !== 'none' && p !== 'even' && p !== 'odd') throw new Error('--parity must be none, even or odd');
        o.line.parity = p;
        break;
      }
      case '--stop-bits': {
        const v = number();
        if (v !== 1 && v !== 2) throw new Error('--stop-bits must be 1 or 2');
        o.line.stopBits = v;
        break;
      }
      case '--line': {
        const v = value();
        if (v === 'auto') o.lineMode = 'auto';
        else {
          const line = parseLineWord(v);
          if (!line) throw new Error(`--line must be "auto" or like "2400 8E1", got "${v}"`);
          o.lineMode = line;
        }
        break;
      }
      case '--tcp': {
        const v = value();
        const colon = v.lastIndexOf(':');
        const port = Number(v.slice(colon + 1));
        if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error('--tcp must be HOST:PORT');
        o.tcp = { host: v.slice(0, colon), port };
        break;
      }
      case '--quiet':
        o.quiet = true;
        break;
      case '--allow-host':
        o.allowHosts.push(value());
        break;
      case '--mqtt': {
        const v = value();
        const parsed = parseMqttUrl(v);
        if (!parsed.ok) throw new Error('--mqtt: ' + parsed.error.replace('mqtt.url ', ''));
        o.mqttUrl = v;
        break;
      }
      case '--no-mdns':
        o.mdns = false;
        break;
      default:
        throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  const sources = [o.serial ? 1 : 0, o.tcp ? 1 : 0, o.captures.length ? 1 : 0].reduce((a, b) => a + b, 0);
  if (sources > 1) throw new Error('choose one meter source: --serial, --tcp or --capture');
  return o;
}

function buildSource(o: CliOptions): { source: ByteSource; lineOverride?: LineSettings | 'auto' } {
  if (o.serial) {
    const fixed: LineSettings = {
      baud: o.line.baud ?? 2400,
      dataBits: o.line.dataBits ?? 8,
      parity: o.line.parity ?? (o.line.baud && o.line.baud >= 9600 && o.line.dataBits !== 7 ? 'none' : 'even'),
      stopBits: o.line.stopBits ?? 1,
    };
    const mode = o.lineMode ?? fixed;
    const initial = mode === 'auto' ? fixed : mode;
    return { source: new SerialSource(o.serial, initial), lineOverride: mode };
  }
  if (o.tcp) return { source: new TcpSource(o.tcp.host, o.tcp.port) };
  if (o.captures.length) {
    const allText = o.captures.every((p) => extname(p) === '.txt');
    const replay = captureReplay(
      o.captures.map((p) => resolve(p)),
      o.intervalMs ?? 2500,
      o.replayBaud ?? (allText ? 115200 : 2400),
    );
    return { source: new ReplaySource(replay.steps, replay) };
  }
  const replay = defaultReplay(repoRoot);
  if (o.intervalMs !== undefined) replay.intervalMs = o.intervalMs;
  if (o.replayBaud !== undefined) replay.baud = o.replayBaud;
  return { source: new ReplaySource(replay.steps, replay) };
}

export const DEMO_SETTINGS_FILE = './meterbox-demo-settings.json';

/** No meter option: the built-in simulated meter. */
export function isDemo(o: CliOptions): boolean {
  return !o.serial && !o.tcp && o.captures.length === 0;
}

export function settingsPathFor(o: CliOptions): string {
  return resolve(isDemo(o) && !o.settingsGiven ? DEMO_SETTINGS_FILE : o.settings);
}

/** The demo's first settings: defaults, with the grid its meter (Aidon 6525, 3-wire IT) reports. */
export function demoSettings(): ReturnType<typeof defaultSettings> {
  const doc = defaultSettings();
  doc.headroom.gridType = 'IT';
  doc.headroom.phases = 3;
  return doc;
}

async function main(): Promise<void> {
  let o: CliOptions;
  let split: ReturnType<typeof takeOtaWifiArgs>; // --wifi-sim, --ota-dir, --ota-health-deadline-ms (ota-provisioning-wiring.ts)
  let outputArgs: ReturnType<typeof takeOutputArgs>; // --modbus-tcp, --charger (output-args.ts)
  try {
    outputArgs = takeOutputArgs(process.argv.slice(2));
    split = takeOtaWifiArgs(outputArgs.rest);
    o = parseArgs(split.rest);
  } catch (e) {
    console.error(String(e instanceof Error ? e.message : e));
    process.exit(2);
  }
  if (o.help) {
    process.stdout.write(HELP);
    return;
  }
  let built: ReturnType<typeof buildSource>;
  try {
    built = buildSource(o);
  } catch (e) {
    console.error('cannot set up the meter source: ' + (e instanceof Error ? e.message : String(e)));
    process.exit(2);
  }
  const settingsPath = settingsPathFor(o);
  if (isDemo(o) && !existsSync(settingsPath)) new FileSettingsStore(settingsPath).save(JSON.stringify(demoSettings()));
  const otaWifi = createOtaAndWifi(split.args, {
    settingsPath,
    firmwareVersion: '0.1.0',
    clock: nodeClock,
    log: (m) => {
      if (!o.quiet) console.log(m);
    },
  });
  const outputs = createHostOutputs(outputArgs.args, o.host, nodeClock.nowMs);
  const host = await startHost({
    outputs: outputs.outputs,
    extraRoutes: otaWifi.routes,
    extraUploadRoutes: otaWifi.uploadRoutes,
    port: o.port,
    host: o.host,
    settingsPath,
    source: built.source,
    lineOverride: built.lineOverride,
    quiet: o.quiet,
    allowHosts: o.allowHosts,
    mqttUrl: o.mqttUrl,
    mdns: o.mdns,
    serial: otaWifi.serial, // one MAC for the simulated Wi-Fi, HomeWizard and mDNS, as on a device
  });
  otaWifi.start(host.app);
  console.log(`Meter source: ${built.source.describe()}`);
  console.log(`Settings: ${settingsPath}${isDemo(o) && !o.settingsGiven ? " (the simulated meter's own)" : ''}`);
  if (outputArgs.args.modbusPort !== undefined)
    console.log(`Modbus TCP (SDM630): ${o.host}:${outputs.modbusListener.boundPort() ?? outputArgs.args.modbusPort}`);
  for (const c of outputArgs.args.chargers) console.log(`Charger push: ${c.type} ${c.url}`);
  console.log(`Open ${host.url}`);
  const lan = lanUrls(o.host, host.port);
  if (lan.length > 0) console.log(`On the local network: ${lan.join(' ')}`);
  const stopWarning = warnWhileNoPassword(host, o.host);
  const shutdown = () => {
    stopWarning();
    otaWifi.stop();
    host.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/**
 * Page open beyond this machine and no admin password: say so now and every 10 minutes until one
 * is set (the journal of a service shows it), then once that it is.
 */
function warnWhileNoPassword(host: Awaited<ReturnType<typeof startHost>>, listenHost: string): () => void {
  if (isLoopbackHost(listenHost)) return () => undefined;
  const passwordSet = () => host.app.settings().access.passwordHash !== undefined;
  if (passwordSet()) return () => undefined;
  console.warn(noPasswordWarning(host.url));
  let checks = 0;
  const timer = setInterval(() => {
    if (passwordSet()) {
      console.log('admin password set: the page on the local network asks for it to change anything');
      clearInterval(timer);
    } else if (++checks % 600 === 0) console.warn(noPasswordWarning(host.url));
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

if (require.main === module) {
  main().catch((e) => {
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') console.error('that port is in use: choose another with --port N (0 = any free port)');
    else if (code === 'EACCES') console.error('not allowed to listen on that port: choose one above 1023 with --port N');
    else console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  });
}
