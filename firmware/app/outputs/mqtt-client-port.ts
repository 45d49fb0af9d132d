/**
 * What the MQTT output needs from the platform: a connection to a broker. The Node adapter
 * (firmware/host/mqtt-node-client.ts) wraps the `mqtt` package, the device adapter
 * (firmware/moddable/mqtt/moddable-mqtt-client.ts) Moddable's MQTT client. Neither reconnects on
 * its own: the output decides when (mqtt-reconnect.ts), so both platforms back off the same way.
 */
import type { MqttAddress } from './mqtt-settings';

export interface MqttConnectOptions {
  address: MqttAddress;
  clientId: string;
  username?: string;
  password?: string;
  keepAliveS: number;
  /** Last Will: published by the broker when the box vanishes without saying goodbye. */
  will: { topic: string; payload: string; retain: boolean };
}

export interface MqttSessionEvents {
  /** The broker accepted the connection (CONNACK). */
  connected(): void;
  /** The connection failed or ended; called at most once per session. */
  closed(reason: string): void;
}

export interface MqttSession {
  /** Hands one QoS 0 message over; false when it cannot take it now (not connected, send buffer full). */
  publish(topic: string, payload: string, retain: boolean): boolean;
  /** Ends the session politely (DISCONNECT, so the broker does not publish the Last Will). */
  close(): void;
}

export interface MqttConnector {
  /** False when the platform cannot do TLS (mqtts://); the output then says so instead of trying. */
  readonly supportsTls: boolean;
  connect(options: MqttConnectOptions, events: MqttSessionEvents): MqttSession;
}
