/**
 * The command-line side of the charger outputs on a PC (docs/integrations.md, section B):
 *
 *   --modbus-tcp PORT               serve the SDM630 meter emulation on PORT (whatever the settings say)
 *   --charger TYPE=URL[,KEY=VALUE]  push to a charger, repeatable; TYPE smartevse | openevse | goe;
 *                                   KEYs: mode=import|allowance, maxPowerW=N, phases=1|3
 *
 * and the Node outputs built from them (added to what the settings configure).
 */
import type { SnapshotOutput } from '../app/outputs/output-port';
import type { ChargerSettings } from '../app/outputs/outputs-settings';
import { checkCharger } from '../app/outputs/outputs-settings';
import { ModbusTcpOutput } from '../app/outputs/modbus-tcp-output';
import { ChargersOutput } from '../app/outputs/chargers-output';
import { NodeModbusListener, defaultModbusListenerOptions } from './modbus-tcp-listener';
import { NodeHttpPushClient } from './http-push-client';

export interface OutputArgs {
  modbusPort?: number;
  chargers: ChargerSettings[];
}

export const OUTPUT_HELP = `Chargers (docs/integrations.md):
  --modbus-tcp PORT         serve an Eastron SDM630 meter over Modbus TCP on PORT (e.g. 5020)
  --charger TYPE=URL[,KEY=VALUE...]
                            push to a charger; TYPE smartevse, openevse or goe; repeatable;
                            e.g. --charger goe=http://192.168.1.22
                            --charger openevse=http://192.168.1.21,mode=allowance,maxPowerW=11000
`;

/** Parses `TYPE=URL[,KEY=VALUE...]` into a checked charger, or throws with every reason. */
export function parseChargerArg(text: string): ChargerSettings {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`--charger needs TYPE=URL, got "${text}"`);
  const parts = text.slice(eq + 1).split(',');
  const raw: Record<string, unknown> = { type: text.slice(0, eq), url: parts[0] };
  for (const part of parts.slice(1)) {
    const k = part.indexOf('=');
    if (k <= 0) throw new Error(`--charger option must be KEY=VALUE, got "${part}"`);
    const key = part.slice(0, k);
    const value = part.slice(k + 1);
    raw[key] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  const checked = checkCharger(raw, '--charger');
  if (!checked.ok) throw new Error(checked.errors.join('; '));
  return checked.value;
}

/** Takes --modbus-tcp and --charger out of argv; the rest goes on to the main parser. */
export function takeOutputArgs(argv: string[]): { rest: string[]; args: OutputArgs } {
  const rest: string[] = [];
  const args: OutputArgs = { chargers: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--modbus-tcp') {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--modbus-tcp needs a port number (0 = any free port)');
      args.modbusPort = port;
    } else if (a === '--charger') {
      args.chargers.push(parseChargerArg(value()));
    } else rest.push(a);
  }
  return { rest, args };
}

export interface HostOutputs {
  outputs: SnapshotOutput[];
  modbus: ModbusTcpOutput;
  modbusListener: NodeModbusListener;
  chargers: ChargersOutput;
}

/** The Node outputs: always built (the settings may enable them later), CLI values added. */
export function createHostOutputs(args: OutputArgs, host: string, clock: () => number): HostOutputs {
  const modbusListener = new NodeModbusListener({ ...defaultModbusListenerOptions, host });
  const modbus = new ModbusTcpOutput(modbusListener, args.modbusPort);
  const chargers = new ChargersOutput(new NodeHttpPushClient(), clock, args.chargers);
  return { outputs: [modbus, chargers], modbus, modbusListener, chargers };
}
