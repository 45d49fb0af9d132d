/**
 * Home Assistant MQTT discovery for the box: which sensors it has, their retained configs on
 * <prefix>/sensor/<node>/<object>/config, and which configs to remove (empty retained payload).
 *
 * Every config carries unique_id, a `device` block (one device per box), state_topic with a
 * value_template into the state JSON (mqtt-state.ts), availability_topic and expire_after. Energy
 * sensors are kWh, device_class energy, state_class total_increasing, so they go straight into
 * Home Assistant's energy dashboard; power is W, device_class power, state_class measurement.
 *
 * Which sensors a box has (SensorPresence) is learnt from the snapshots, sticky for the run:
 * - always: power import/export, status, reason, 3-phase and 1-phase allowance, and per line of
 *   the supply its current (IT L2 as the engine's safe value, labelled) and headroom;
 * - once seen: energy import/export, per-line voltage and per-line power;
 * - removed: per-line voltage/power the meter turns out not to send (a full frame came without
 *   them, none ever with), and every L2/L3 sensor on a one-phase supply.
 * A template renders 'None' for a key the state leaves out, which Home Assistant shows as unknown.
 */
import type { Snapshot } from '../snapshot';
import { discoveryTopic, PAYLOAD_OFFLINE, PAYLOAD_ONLINE } from './mqtt-topics';
import type { MqttTopics } from './mqtt-topics';
import { energyExportTotalWh, energyImportTotalWh } from './energy-totals';

/** Seconds without a state message before Home Assistant marks the sensors unavailable. */
export const EXPIRE_AFTER_S = 60;

interface SensorKind {
  objectId: string;
  name: string;
  key: string;
  unit?: string;
  deviceClass?: string;
  stateClass?: string;
  precision?: number;
  icon?: string;
}

const LINES = ['L1', 'L2', 'L3'];

function lineSensors(kind: 'current' | 'voltage' | 'power' | 'headroom', i: number): SensorKind {
  const line = LINES[i];
  const id = line.toLowerCase();
  switch (kind) {
    case 'current':
      return {
        objectId: `current_${id}`,
        name: `Current ${line}`,
        key: `current${line}A`,
        unit: 'A',
        deviceClass: 'current',
        stateClass: 'measurement',
        precision: 1,
      };
    case 'voltage':
      return {
        objectId: `voltage_${id}`,
        name: `Voltage ${line}`,
        key: `voltage${line}V`,
        unit: 'V',
        deviceClass: 'voltage',
        stateClass: 'measurement',
        precision: 1,
      };
    case 'power':
      return { objectId: `power_${id}`, name: `Power ${line}`, key: `power${line}W`, unit: 'W', deviceClass: 'power', stateClass: 'measurement', precision: 0 };
    default:
      return {
        objectId: `headroom_${id}`,
        name: `Headroom ${line}`,
        key: `headroom${line}A`,
        unit: 'A',
        deviceClass: 'current',
        stateClass: 'measurement',
        precision: 1,
        icon: 'mdi:gauge',
      };
  }
}

const FIXED: SensorKind[] = [
  { objectId: 'power_import', name: 'Power import', key: 'powerImportW', unit: 'W', deviceClass: 'power', stateClass: 'measurement', precision: 0 },
  { objectId: 'power_export', name: 'Power export', key: 'powerExportW', unit: 'W', deviceClass: 'power', stateClass: 'measurement', precision: 0 },
  {
    objectId: 'allowance_three_phase',
    name: 'Charging allowance 3-phase',
    key: 'allowanceThreePhaseA',
    unit: 'A',
    deviceClass: 'current',
    stateClass: 'measurement',
    precision: 1,
    icon: 'mdi:ev-station',
  },
  {
    objectId: 'allowance_one_phase',
    name: 'Charging allowance 1-phase',
    key: 'allowanceOnePhaseA',
    unit: 'A',
    deviceClass: 'current',
    stateClass: 'measurement',
    precision: 1,
    icon: 'mdi:ev-station',
  },
  { objectId: 'status', name: 'Status', key: 'status', icon: 'mdi:list-status' },
  { objectId: 'reason', name: 'Reason', key: 'reason', icon: 'mdi:information-outline' },
];

const ENERGY: SensorKind[] = [
  {
    objectId: 'energy_import',
    name: 'Energy import',
    key: 'energyImportKwh',
    unit: 'kWh',
    deviceClass: 'energy',
    stateClass: 'total_increasing',
    precision: 3,
  },
  {
    objectId: 'energy_export',
    name: 'Energy export',
    key: 'energyExportKwh',
    unit: 'kWh',
    deviceClass: 'energy',
    stateClass: 'total_increasing',
    precision: 3,
  },
];

/** What the box has learnt about the meter so far (kept for the run; see the header). */
export interface SensorPresence {
  /** Lines of the supply (1 or 3); 0 until the first snapshot. */
  lines: number;
  energyImport: boolean;
  energyExport: boolean;
  voltage: boolean[];
  power: boolean[];
  /** A full frame (not a short "total power only" one) has been seen. */
  fullFrameSeen: boolean;
  /**
   * L2's current is the engine's safe value (its bound, or its estimate under the bound), not the
   * meter's: a 3-wire IT meter does not measure L2. Its sensor says so.
   */
  l2Unmeasured: boolean;
}

export function emptyPresence(): SensorPresence {
  return {
    lines: 0,
    energyImport: false,
    energyExport: false,
    voltage: [false, false, false],
    power: [false, false, false],
    fullFrameSeen: false,
    l2Unmeasured: false,
  };
}

/** The presence after one more snapshot (a new object; the old one is left as it was). */
export function learnPresence(before: SensorPresence, snapshot: Pick<Snapshot, 'reading' | 'headroom' | 'lastFrameKind'>): SensorPresence {
  const p: SensorPresence = {
    lines: before.lines,
    energyImport: before.energyImport,
    energyExport: before.energyExport,
    voltage: before.voltage.slice(),
    power: before.power.slice(),
    fullFrameSeen: before.fullFrameSeen,
    l2Unmeasured: before.l2Unmeasured,
  };
  const h = snapshot.headroom.phases;
  const limits = [h.l1.limitA, h.l2.limitA, h.l3.limitA];
  let lines = 0;
  while (lines < 3 && limits[lines] > 0) lines++;
  p.lines = lines;
  const r = snapshot.reading;
  // 'estimated' is also a short frame's carried-on current of a measured line: only a full frame
  // without an L2 current says the meter does not measure it.
  const l2Source = h.l2.currentSource;
  if (l2Source === 'bound' || (l2Source === 'estimated' && snapshot.lastFrameKind === 'full' && r?.l2?.currentA === undefined && r != null))
    p.l2Unmeasured = true;
  if (r) {
    if (energyImportTotalWh(r) !== undefined) p.energyImport = true;
    if (energyExportTotalWh(r) !== undefined) p.energyExport = true;
    const phases = [r.l1, r.l2, r.l3];
    for (let i = 0; i < 3; i++) {
      const phase = phases[i];
      if (phase?.voltageV !== undefined) p.voltage[i] = true;
      if (phase && (phase.powerImportW !== undefined || phase.powerExportW !== undefined)) p.power[i] = true;
    }
    if (snapshot.lastFrameKind === 'full') p.fullFrameSeen = true;
  }
  return p;
}

export interface DeviceInfo {
  serial: string;
  firmwareVersion: string;
  name: string;
}

/** The retained config payload of one sensor. */
function sensorConfig(sensor: SensorKind, topics: MqttTopics, device: DeviceInfo): string {
  const config: Record<string, unknown> = {
    name: sensor.name,
    unique_id: topics.nodeId + '_' + sensor.objectId,
    state_topic: topics.state,
    value_template: `{{ value_json.${sensor.key} | default('None') }}`,
    availability_topic: topics.availability,
    payload_available: PAYLOAD_ONLINE,
    payload_not_available: PAYLOAD_OFFLINE,
    expire_after: EXPIRE_AFTER_S,
    device: {
      identifiers: [topics.nodeId],
      name: device.name,
      manufacturer: 'meterbox',
      model: 'HAN/P1 meter reader',
      sw_version: device.firmwareVersion,
      serial_number: device.serial,
    },
    origin: { name: 'meterbox', sw_version: device.firmwareVersion },
  };
  if (sensor.unit) config.unit_of_measurement = sensor.unit;
  if (sensor.deviceClass) config.device_class = sensor.deviceClass;
  if (sensor.stateClass) config.state_class = sensor.stateClass;
  if (sensor.precision !== undefined) config.suggested_display_precision = sensor.precision;
  if (sensor.icon) config.icon = sensor.icon;
  return JSON.stringify(config);
}

export interface DiscoveryPlan {
  /** topic -> retained config payload. */
  configs: Record<string, string>;
  /** Topics whose retained config is to be cleared (empty payload): sensors this meter lacks. */
  removals: string[];
}

/** Configs and removals for what the presence says the box has. */
export function discoveryPlan(presence: SensorPresence, topics: MqttTopics, device: DeviceInfo): DiscoveryPlan {
  const configs: Record<string, string> = {};
  const removals: string[] = [];
  const add = (s: SensorKind) => {
    configs[discoveryTopic(topics, s.objectId)] = sensorConfig(s, topics, device);
  };
  const remove = (s: SensorKind) => {
    removals.push(discoveryTopic(topics, s.objectId));
  };
  for (const s of FIXED) add(s);
  if (presence.energyImport) add(ENERGY[0]);
  if (presence.energyExport) add(ENERGY[1]);
  if (presence.lines === 0) return { configs, removals };
  for (let i = 0; i < 3; i++) {
    const inSupply = i < presence.lines;
    const current = lineSensors('current', i);
    if (i === 1 && presence.l2Unmeasured) current.name += ' (safe value, not measured)';
    const perLine: Array<[SensorKind, boolean]> = [
      [current, inSupply],
      [lineSensors('headroom', i), inSupply],
      [lineSensors('voltage', i), inSupply && presence.voltage[i]],
      [lineSensors('power', i), inSupply && presence.power[i]],
    ];
    for (const [sensor, has] of perLine) {
      if (has) add(sensor);
      // Not there: removed once it is clear the meter lacks it (a full frame came without it, or
      // the supply has no such line); before that, left alone.
      else if (!inSupply || presence.fullFrameSeen) remove(sensor);
    }
  }
  return { configs, removals };
}
