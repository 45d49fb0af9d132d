/**
 * The SDM630 Modbus TCP meter emulation as an output (`outputs.modbusTcp` in GET /api/v1/status).
 *
 * The platform gives it a TCP server (Node: firmware/host/modbus-tcp-listener.ts; device:
 * firmware/moddable/outputs/modbus-tcp-listener.ts). Each update rebuilds the register image
 * (sdm630-registers.ts) from the fresh snapshot; each connection answers from the latest image
 * (modbus-tcp.ts). Settings: outputs.modbusTcp {enabled, port, unitId}; the platform may force a
 * port (`--modbus-tcp PORT`), which enables it whatever the settings say.
 * Before the first snapshot the image is the fail-safe one: the fuse rating on every line.
 */
import type { Headroom } from '../../../decoders/headroom/index';
import type { SettingsDocument } from '../settings';
import type { Snapshot } from '../snapshot';
import type { SnapshotOutput } from './output-port';
import type { ModbusTcpSettings } from './outputs-settings';
import { ModbusTcpConnection } from './modbus-tcp';
import type { ModbusRequestCounters } from './modbus-tcp';
import type { Sdm630Image } from './sdm630-registers';
import { buildSdm630Image, readSdm630Registers } from './sdm630-registers';

/** One accepted connection as the platform's server sees it. */
export interface StreamHandler {
  push(bytes: Uint8Array): { responses: Uint8Array[]; close?: string };
}

/** The platform's TCP server: accepts connections and hands their bytes to a fresh handler each. */
export interface TcpServerPort {
  /** Listen on `port`; report listening / the failure (port taken, not allowed) through onState. */
  start(port: number, newHandler: () => StreamHandler, onState: (listening: boolean, error?: string) => void): void;
  /** Close the listener and every connection. */
  stop(): void;
  connectionCount(): number;
  /** The port actually bound (the same as asked, except for port 0 in tests). */
  boundPort?(): number | undefined;
}

function notStartedHeadroom(doc: SettingsDocument): Headroom {
  const h = doc.headroom;
  const phase = (i: number) => ({ limitA: i < h.phases ? h.fuseA : 0, currentSource: 'unknown' as const, headroomA: 0 });
  return { status: 'no-data', limitedBy: 'no-data', reason: 'starting', phases: { l1: phase(0), l2: phase(1), l3: phase(2) }, threePhaseA: 0, onePhaseA: 0 };
}

export class ModbusTcpOutput implements SnapshotOutput {
  readonly name = 'modbusTcp';
  private settings: ModbusTcpSettings = { enabled: false, port: 502, unitId: 1 };
  private nominalVoltageV = 230;
  private image: Sdm630Image | undefined;
  private runningPort: number | undefined;
  private listening = false;
  private lastError: string | undefined;
  private readonly totals: ModbusRequestCounters = { requests: 0, exceptions: 0 };
  private connectionsAccepted = 0;

  constructor(
    private readonly server: TcpServerPort,
    /** `--modbus-tcp PORT`: serve on this port whatever outputs.modbusTcp says. */
    private readonly portOverride?: number,
  ) {}

  configure(doc: SettingsDocument): void {
    this.settings = { ...doc.outputs.modbusTcp };
    this.nominalVoltageV = doc.headroom.nominalVoltageV;
    if (!this.image) this.image = buildSdm630Image({ headroom: notStartedHeadroom(doc), reading: null }, this.nominalVoltageV);
    const port = this.portOverride ?? (this.settings.enabled ? this.settings.port : undefined);
    if (port === this.runningPort) return;
    this.stopServer();
    if (port === undefined) return;
    this.runningPort = port;
    this.lastError = undefined;
    this.server.start(
      port,
      () => this.newConnection(),
      (listening, error) => {
        this.listening = listening;
        if (error) this.lastError = error;
      },
    );
  }

  update(snapshot: Snapshot): void {
    this.image = buildSdm630Image(snapshot, this.nominalVoltageV);
  }

  status(): Record<string, unknown> {
    const s: Record<string, unknown> = {
      enabled: this.runningPort !== undefined,
      listening: this.listening,
      unitId: this.settings.unitId,
      connections: this.runningPort !== undefined ? this.server.connectionCount() : 0,
      connectionsAccepted: this.connectionsAccepted,
      requests: this.totals.requests,
      exceptions: this.totals.exceptions,
    };
    if (this.runningPort !== undefined) s.port = (this.listening && this.server.boundPort ? this.server.boundPort() : undefined) ?? this.runningPort;
    if (this.portOverride !== undefined) s.portFrom = 'command line';
    if (this.lastError !== undefined) s.lastError = this.lastError;
    const image = this.image;
    if (image) {
      s.live = image.live;
      s.servedCurrentA = image.currentA.map((a) => Math.round(a * 100) / 100);
      s.servedFrom = image.currentFrom;
      s.servedPowerW = Math.round(image.totalPowerW);
    }
    return s;
  }

  stop(): void {
    this.stopServer();
  }

  private stopServer(): void {
    if (this.runningPort === undefined) return;
    this.runningPort = undefined;
    this.listening = false;
    try {
      this.server.stop();
    } catch (e) {
      this.lastError = 'stop failed: ' + (e instanceof Error ? e.message : String(e));
    }
  }

  private newConnection(): StreamHandler {
    this.connectionsAccepted++;
    const connection = new ModbusTcpConnection(
      () => this.settings.unitId,
      (start, count) => (this.image ? readSdm630Registers(this.image, start, count) : undefined),
    );
    const totals = this.totals;
    return {
      push(bytes: Uint8Array) {
        const before = { ...connection.counters };
        const out = connection.push(bytes);
        totals.requests += connection.counters.requests - before.requests;
        totals.exceptions += connection.counters.exceptions - before.exceptions;
        return out;
      },
    };
  }
}
