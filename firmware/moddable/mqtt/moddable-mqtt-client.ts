/**
 * The MQTT connection on the device: Moddable's MQTT client (module "mqtt", QoS 0, classic lwIP
 * socket) behind the app core's MqttConnector port (firmware/app/outputs/mqtt-client-port.ts).
 *
 * - No TLS in this build (supportsTls false): the output reports mqtts:// as not available rather
 *   than trying; TLS would need the SDK's securesocket and its certificate store in RAM.
 * - publish() gives false when the client throws: not connected yet, or the socket's send buffer
 *   cannot take the whole message (the lwIP socket checks that before writing any byte), so the
 *   message stays in the output's bounded queue for the next flush.
 * - onClose is reported once; a close we asked for is not reported.
 */
import Client from 'mqtt';
import type { MqttConnector, MqttConnectOptions, MqttSession, MqttSessionEvents } from '../../app/outputs/mqtt-client-port';

export function createMqttConnector(): MqttConnector {
  return {
    supportsTls: false,
    connect(options: MqttConnectOptions, events: MqttSessionEvents): MqttSession {
      let ended = false;
      let reported = false;
      const dictionary: ConstructorParameters<typeof Client>[0] = {
        host: options.address.host,
        port: options.address.port,
        id: options.clientId,
        timeout: options.keepAliveS * 1000,
        will: { topic: options.will.topic, message: options.will.payload, retain: options.will.retain },
      };
      if (options.username !== undefined) dictionary.user = options.username;
      if (options.password !== undefined) dictionary.password = options.password;
      const client = new Client(dictionary);
      client.onReady = () => {
        if (!ended) events.connected();
      };
      client.onClose = () => {
        if (ended || reported) return;
        reported = true;
        events.closed('connection closed or refused by the broker');
      };
      return {
        publish(topic: string, payload: string, retain: boolean): boolean {
          if (ended) return false;
          try {
            client.publish(topic, payload, { retain });
            return true;
          } catch {
            return false;
          }
        },
        close(): void {
          if (ended) return;
          ended = true;
          try {
            client.close();
          } catch {
            // already closed
          }
        },
      };
    },
  };
}
