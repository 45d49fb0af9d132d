/**
 * The MQTT connection on a PC: the `mqtt` package (MQTT 3.1.1, QoS 0), adapted to the app core's
 * MqttConnector port (firmware/app/outputs/mqtt-client-port.ts). The package's own reconnect and
 * offline queue are off: the output decides when to reconnect and keeps its own bounded queue.
 * A publish is refused (false) while the socket already holds 64 KiB unsent, so a stalled broker
 * cannot grow memory without bound.
 */
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import type { MqttConnector, MqttConnectOptions, MqttSession, MqttSessionEvents } from '../app/outputs/mqtt-client-port';

const MAX_UNSENT_BYTES = 64 * 1024;
const CONNECT_TIMEOUT_MS = 10000;

function describe(error: unknown): string {
  const e = error as { code?: string | number; message?: string };
  if (e && e.code === 'ECONNREFUSED') return 'connection refused (is the broker running on that port?)';
  if (e && e.code === 'ENOTFOUND') return 'broker host name not found';
  if (e && e.code === 'ETIMEDOUT') return 'no answer from the broker (timed out)';
  if (e && typeof e.message === 'string' && e.message) return e.message;
  return String(error);
}

export function nodeMqttConnector(): MqttConnector {
  return {
    supportsTls: true,
    connect(options: MqttConnectOptions, events: MqttSessionEvents): MqttSession {
      let client: MqttClient | undefined;
      let lastError: string | undefined;
      let ended = false;
      let closedSent = false;
      const closed = (reason: string) => {
        if (closedSent) return;
        closedSent = true;
        events.closed(reason);
      };
      client = connect({
        protocol: options.address.secure ? 'mqtts' : 'mqtt',
        host: options.address.host,
        port: options.address.port,
        clientId: options.clientId,
        username: options.username,
        password: options.password,
        keepalive: options.keepAliveS,
        clean: true,
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: CONNECT_TIMEOUT_MS,
        queueQoSZero: false,
        will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 0, retain: options.will.retain },
      });
      client.on('connect', () => {
        if (!ended) events.connected();
      });
      client.on('error', (error) => {
        lastError = describe(error);
      });
      client.on('close', () => {
        // No reconnect from the package: end it, and tell the output once.
        client?.end(true);
        if (!ended) closed(lastError ?? 'connection closed by the broker');
      });
      return {
        publish(topic, payload, retain) {
          if (!client || ended || !client.connected) return false;
          const stream = (client as unknown as { stream?: { writableLength?: number } }).stream;
          if (stream && typeof stream.writableLength === 'number' && stream.writableLength > MAX_UNSENT_BYTES) return false;
          client.publish(topic, payload, { qos: 0, retain });
          return true;
        },
        close() {
          if (ended) return;
          ended = true;
          client?.end(false);
          client = undefined;
        },
      };
    },
  };
}
