/**
 * The MQTT topics the box publishes, from the `mqtt` settings and the box's serial:
 *
 *   <base>/availability                             retained "online"; Last Will "offline"
 *   <base>/state                                    one JSON per decoded frame, at most 1/s (mqtt-state.ts)
 *   <prefix>/sensor/<node>/<object>/config          retained Home Assistant discovery configs
 *                                                   (mqtt-discovery.ts); empty retained = removed
 *
 * <base> is mqtt.baseTopic, by default meterbox/<serial>; <prefix> is mqtt.discoveryPrefix
 * ("homeassistant"); <node> is meterbox_<serial> (Home Assistant allows [a-zA-Z0-9_-] there).
 */
import type { MqttSettings } from './mqtt-settings';

export interface MqttTopics {
  base: string;
  availability: string;
  state: string;
  discoveryPrefix: string;
  /** Discovery node id and the device identifier in every config. */
  nodeId: string;
}

export const PAYLOAD_ONLINE = 'online';
export const PAYLOAD_OFFLINE = 'offline';

/** Keeps [a-zA-Z0-9_-], replaces anything else by '_'. */
function idPart(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
    out += ok ? text[i] : '_';
  }
  return out;
}

export function mqttTopics(settings: Pick<MqttSettings, 'baseTopic' | 'discoveryPrefix'>, serial: string): MqttTopics {
  const base = settings.baseTopic ?? 'meterbox/' + idPart(serial);
  return {
    base,
    availability: base + '/availability',
    state: base + '/state',
    discoveryPrefix: settings.discoveryPrefix,
    nodeId: 'meterbox_' + idPart(serial),
  };
}

export function discoveryTopic(topics: MqttTopics, objectId: string): string {
  return `${topics.discoveryPrefix}/sensor/${topics.nodeId}/${objectId}/config`;
}
