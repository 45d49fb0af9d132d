/**
 * MQTT with Home Assistant discovery, as an output of the app core (output-port.ts):
 *
 *   configure(doc)  reads doc.mqtt (or the --mqtt URL given on the command line); a change ends the
 *                   session politely (configs and availability it leaves behind are cleared when
 *                   the topics move or discovery is turned off) and starts over at the next update
 *   update(snap)    connects when it is time (mqtt-reconnect.ts back-off), learns which sensors
 *                   the meter has (mqtt-discovery.ts), queues the discovery configs that changed and
 *                   one state per decoded frame at most once a second (plus one when the headroom
 *                   answer changes, and one every 10 s), then hands the queue to the connection
 *   status()        {enabled, connected, lastError, broker, baseTopic, ...} under outputs.mqtt
 *   stop()          publishes availability "offline" and disconnects (the Last Will covers a crash)
 *
 * On every (re)connect: availability "online" (retained), every discovery config (retained; a
 * broker that restarted without persistence has lost them) and a fresh state. The password is
 * never shown: not in the status, not in an error text (scrubbed), not in the logs.
 * Pure: no platform imports and no timers; time comes with update(), the connection through the
 * MqttConnector port.
 */
import type { SettingsDocument } from '../settings';
import type { Snapshot } from '../snapshot';
import type { SnapshotOutput } from './output-port';
import type { MqttConnector, MqttSession } from './mqtt-client-port';
import { describeMqttAddress, parseMqttUrl } from './mqtt-settings';
import type { MqttAddress, MqttSettings } from './mqtt-settings';
import { mqttTopics, PAYLOAD_OFFLINE, PAYLOAD_ONLINE } from './mqtt-topics';
import type { MqttTopics } from './mqtt-topics';
import { discoveryPlan, emptyPresence, learnPresence } from './mqtt-discovery';
import type { SensorPresence } from './mqtt-discovery';
import { mqttState } from './mqtt-state';
import { OutgoingQueue } from './mqtt-queue';
import { ReconnectPolicy } from './mqtt-reconnect';

/** A broker that has not answered CONNECT by then is given up on (and retried with back-off). */
export const CONNECT_TIMEOUT_MS = 15000;
export const STATE_MIN_INTERVAL_MS = 1000;
/** A state at least this often, so Home Assistant's expire_after never fires on a quiet meter. */
export const STATE_HEARTBEAT_MS = 10000;
export const KEEPALIVE_S = 30;

export interface MqttOutputDeps {
  connector: MqttConnector;
  /** The box's serial (HomeWizard serial, MAC-derived): default base topic and client id. */
  serial: string;
  firmwareVersion: string;
  deviceName?: string;
  /** `--mqtt URL` from the command line: replaces mqtt.url (and its credentials) from the settings. */
  urlOverride?: string;
  log?: (message: string) => void;
}

interface Target {
  address: MqttAddress;
  username?: string;
  password?: string;
  topics: MqttTopics;
  discovery: boolean;
  source: 'settings' | 'command line';
  /** Everything that, when it changes, needs a new session. */
  key: string;
}

export function createMqttOutput(deps: MqttOutputDeps): SnapshotOutput {
  const log = deps.log ?? (() => {});
  const device = { serial: deps.serial, firmwareVersion: deps.firmwareVersion, name: deps.deviceName ?? 'meterbox' };
  const queue = new OutgoingQueue();
  const policy = new ReconnectPolicy();
  let target: Target | undefined;
  let configError: string | undefined;
  let session: MqttSession | undefined;
  let sessionId = 0;
  let connected = false;
  let connectStartedMs = 0;
  let connectedSinceMs: number | undefined;
  let lastError: string | undefined;
  let lastLogged: string | undefined;
  let nowMs = 0;
  let presence: SensorPresence = emptyPresence();
  let lastSnapshot: Snapshot | undefined;
  let published: Record<string, string> = {};
  /** The presence the discovery configs were last worked out for ('' = not yet this session). */
  let plannedFor = '';
  let cleared: Record<string, true> = {};
  let lastStateMs = -Infinity;
  let lastFrames = -1;
  let lastHeadroomKey = '';
  let statesPublished = 0;
  let configsPublished = 0;
  let stopped = false;

  function targetFrom(settings: MqttSettings): Target | undefined {
    configError = undefined;
    const url = deps.urlOverride ?? settings.url;
    if (!url) return undefined;
    const parsed = parseMqttUrl(url);
    if (!parsed.ok) {
      configError = parsed.error;
      return undefined;
    }
    const fromCli = deps.urlOverride !== undefined;
    const username = fromCli ? parsed.address.username : settings.username;
    const password = fromCli ? parsed.address.password : settings.password;
    const address: MqttAddress = { secure: parsed.address.secure, host: parsed.address.host, port: parsed.address.port };
    const topics = mqttTopics(settings, deps.serial);
    const t: Target = { address, topics, discovery: settings.discovery, source: fromCli ? 'command line' : 'settings', key: '' };
    if (username !== undefined) t.username = username;
    if (password !== undefined) t.password = password;
    t.key = JSON.stringify([describeMqttAddress(address), username ?? null, password ?? null, topics, settings.discovery]);
    return t;
  }

  /** Error texts never carry the password, whatever the platform's client put in them. */
  function scrub(text: string): string {
    const pw = target?.password;
    return pw ? text.split(pw).join('***') : text;
  }

  function note(reason: string): void {
    lastError = scrub(reason);
    if (lastError !== lastLogged) log('MQTT: ' + lastError);
    lastLogged = lastError;
  }

  function send(topic: string, payload: string, retain: boolean): void {
    queue.put({ topic, payload, retain });
  }

  function flush(): void {
    const s = session;
    if (!s || !connected) return;
    queue.flush((m) => {
      let ok: boolean;
      try {
        ok = s.publish(m.topic, m.payload, m.retain);
      } catch {
        ok = false; // a client that throws has not sent it: it stays queued
      }
      if (ok) {
        if (m.topic === target?.topics.state) statesPublished++;
        else if (m.topic !== target?.topics.availability) configsPublished++;
      }
      return ok;
    });
  }

  /** Ends the current session; `farewell` first clears what it published and says offline. */
  function endSession(farewell: { clearConfigs: boolean; offline: boolean }): void {
    const s = session;
    if (s && connected && target) {
      queue.clear();
      if (farewell.clearConfigs) for (const topic of Object.keys(published)) send(topic, '', true);
      if (farewell.offline) send(target.topics.availability, PAYLOAD_OFFLINE, true);
      flush();
    }
    sessionId++;
    session = undefined;
    connected = false;
    connectedSinceMs = undefined;
    queue.clear();
    if (s) {
      try {
        s.close();
      } catch {
        // already gone
      }
    }
  }

  function onConnected(id: number): void {
    if (id !== sessionId || !target) return;
    connected = true;
    connectedSinceMs = nowMs;
    lastLogged = undefined;
    log(`MQTT: connected to ${describeMqttAddress(target.address)} (base topic ${target.topics.base})`);
    published = {};
    cleared = {};
    plannedFor = '';
    queue.clear();
    send(target.topics.availability, PAYLOAD_ONLINE, true);
    if (lastSnapshot) publishFor(lastSnapshot, nowMs, true);
    flush();
  }

  function onClosed(id: number, reason: string): void {
    if (id !== sessionId) return;
    const since = connectedSinceMs;
    session = undefined;
    connected = false;
    connectedSinceMs = undefined;
    sessionId++;
    queue.clear();
    const delay = policy.failed(nowMs, since);
    note(`${reason} (${target ? describeMqttAddress(target.address) : 'broker'}); trying again in ${Math.round(delay / 1000)} s`);
  }

  function connect(): void {
    if (!target) return;
    if (target.address.secure && !deps.connector.supportsTls) {
      note('mqtts:// (TLS) is not available in this build; use mqtt:// on the local network');
      return;
    }
    const id = ++sessionId;
    connectStartedMs = nowMs;
    connected = false;
    const options = {
      address: target.address,
      clientId: 'meterbox-' + deps.serial,
      keepAliveS: KEEPALIVE_S,
      will: { topic: target.topics.availability, payload: PAYLOAD_OFFLINE, retain: true },
    } as Parameters<MqttConnector['connect']>[0];
    if (target.username !== undefined) options.username = target.username;
    if (target.password !== undefined) options.password = target.password;
    try {
      session = deps.connector.connect(options, { connected: () => onConnected(id), closed: (reason) => onClosed(id, reason) });
    } catch (e) {
      onClosed(id, 'cannot connect: ' + (e instanceof Error ? e.message : String(e)));
    }
  }

  function headroomKey(s: Snapshot): string {
    const h = s.headroom;
    return [h.status, h.limitedBy, h.threePhaseA, h.onePhaseA, h.phases.l1.headroomA, h.phases.l2.headroomA, h.phases.l3.headroomA].join('|');
  }

  /** Queues what changed: discovery configs and removals, and the state when it is due. */
  function publishFor(s: Snapshot, now: number, forceState: boolean): void {
    if (!target) return;
    // The configs are worked out again only when what the box knows about the meter changed (on
    // the device each plan is a dozen JSON texts).
    const presenceKey = JSON.stringify(presence);
    if (target.discovery && presenceKey !== plannedFor) {
      plannedFor = presenceKey;
      const plan = discoveryPlan(presence, target.topics, device);
      for (const topic of Object.keys(plan.configs)) {
        if (published[topic] === plan.configs[topic]) continue;
        send(topic, plan.configs[topic], true);
        published[topic] = plan.configs[topic];
        delete cleared[topic];
      }
      for (const topic of plan.removals) {
        if (cleared[topic]) continue;
        send(topic, '', true);
        cleared[topic] = true;
        delete published[topic];
      }
    }
    const frames = s.frames.frames;
    const key = headroomKey(s);
    const due = forceState || frames !== lastFrames || key !== lastHeadroomKey || now - lastStateMs >= STATE_HEARTBEAT_MS;
    if (due && (forceState || now - lastStateMs >= STATE_MIN_INTERVAL_MS)) {
      send(target.topics.state, JSON.stringify(mqttState(s, now)), false);
      lastStateMs = now;
      lastFrames = frames;
      lastHeadroomKey = key;
    }
  }

  return {
    name: 'mqtt',
    configure(doc: SettingsDocument) {
      const next = targetFrom(doc.mqtt);
      if (next && target && next.key === target.key) return;
      const old = target;
      if (old) {
        const topicsMoved =
          !next ||
          next.topics.base !== old.topics.base ||
          next.topics.discoveryPrefix !== old.topics.discoveryPrefix ||
          next.topics.nodeId !== old.topics.nodeId;
        endSession({ clearConfigs: old.discovery && (topicsMoved || !next.discovery), offline: topicsMoved });
      } else endSession({ clearConfigs: false, offline: false });
      target = next;
      policy.reset();
      lastError = undefined;
      lastLogged = undefined;
      if (configError) note(configError);
    },
    update(s: Snapshot, now: number) {
      nowMs = now;
      presence = learnPresence(presence, s);
      if (stopped || !target) {
        // Switched off, nothing to publish from: holding the snapshot would keep a whole reading
        // alive for nothing, hundreds of XS slots on a board without PSRAM (docs/firmware.md, Memory).
        lastSnapshot = undefined;
        return;
      }
      lastSnapshot = s;
      if (!session) {
        if (policy.mayTry(now)) connect();
        return;
      }
      if (!connected) {
        if (now - connectStartedMs >= CONNECT_TIMEOUT_MS) {
          const id = sessionId;
          const s2 = session;
          onClosed(id, `no answer from the broker within ${CONNECT_TIMEOUT_MS / 1000} s`);
          try {
            s2.close();
          } catch {
            // already gone
          }
        }
        return;
      }
      publishFor(s, now, false);
      flush();
    },
    status() {
      const out: Record<string, unknown> = {
        enabled: target !== undefined,
        connected,
        lastError: lastError ?? null,
      };
      if (target) {
        out.broker = describeMqttAddress(target.address);
        out.source = target.source;
        out.baseTopic = target.topics.base;
        out.discovery = target.discovery;
        if (!session && !stopped) out.retryInS = Math.ceil(policy.waitMs(nowMs) / 1000);
      }
      out.statesPublished = statesPublished;
      out.configsPublished = configsPublished;
      out.queued = queue.size();
      out.dropped = queue.dropped();
      return out;
    },
    stop() {
      stopped = true;
      endSession({ clearConfigs: false, offline: true });
    },
  };
}
