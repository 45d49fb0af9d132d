/**
 * Settings section `mqtt`: where the box publishes its state and Home Assistant discovery.
 *
 *   { "url": "mqtt://broker.lan:1883" | "mqtts://host:8883" | "" (off),
 *     "username"?: string, "password"?: string (a secret: shown as {"set": true}, never echoed),
 *     "baseTopic"?: string (absent: meterbox/<serial>),
 *     "discoveryPrefix": "homeassistant", "discovery": true }
 *
 * A patch: `url` "" or null turns MQTT off; `username`/`password`/`baseTopic` null clears, a string
 * sets, absent keeps. A URL with a user name or password in it is refused: the URL is shown on the
 * page and in the status, so credentials belong in their own fields (`password` is redacted).
 */
import type { SettingsSection } from '../settings/section';
import { isPlainObject as isObject } from '../http-util';

export interface MqttSettings {
  /** mqtt://host[:port] or mqtts://host[:port]; '' = MQTT off. */
  url: string;
  username?: string;
  password?: string;
  /** Topic every message lives under; absent: meterbox/<serial> (mqtt-topics.ts). */
  baseTopic?: string;
  /** Home Assistant's discovery prefix (its MQTT integration's default is "homeassistant"). */
  discoveryPrefix: string;
  /** Publish Home Assistant discovery configs (retained). */
  discovery: boolean;
}

export interface MqttAddress {
  secure: boolean;
  host: string;
  port: number;
  username?: string;
  password?: string;
}

const FIELDS = ['url', 'username', 'password', 'baseTopic', 'discoveryPrefix', 'discovery'];
const MAX_URL = 200;
const MAX_USERNAME = 64;
const MAX_PASSWORD = 128;
const MAX_TOPIC = 100;

function isHostChar(c: number): boolean {
  // letters, digits, '-', '.', '_' (some LAN names carry it)
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95;
}

function decodeUserInfo(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses mqtt://[user[:password]@]host[:port][/] and mqtts://... (no RegExp or URL class: the app
 * core runs on XS). Default ports 1883 and 8883. Anything else is refused with the reason.
 */
export function parseMqttUrl(text: string): { ok: true; address: MqttAddress } | { ok: false; error: string } {
  const fail = (why: string) => ({ ok: false as const, error: `mqtt.url ${why}` });
  if (text.length > MAX_URL) return fail(`is longer than ${MAX_URL} characters`);
  const lower = text.toLowerCase();
  let secure: boolean;
  let rest: string;
  if (lower.slice(0, 7) === 'mqtt://') {
    secure = false;
    rest = text.slice(7);
  } else if (lower.slice(0, 8) === 'mqtts://') {
    secure = true;
    rest = text.slice(8);
  } else return fail('must start with mqtt:// or mqtts://, e.g. mqtt://192.168.1.10:1883');
  if (rest.length > 0 && rest[rest.length - 1] === '/') rest = rest.slice(0, -1);
  if (rest.indexOf('/') >= 0 || rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) return fail('must be only a host and a port (no path)');
  const address: MqttAddress = { secure, host: '', port: secure ? 8883 : 1883 };
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const info = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = info.indexOf(':');
    const user = decodeUserInfo(colon >= 0 ? info.slice(0, colon) : info);
    const password = colon >= 0 ? decodeUserInfo(info.slice(colon + 1)) : undefined;
    if (user === undefined || (colon >= 0 && password === undefined)) return fail('has a user name or password that is not valid URL text');
    if (user !== '') address.username = user;
    if (password !== undefined && password !== '') address.password = password;
  }
  let hostPart = rest;
  let portText: string | undefined;
  if (rest[0] === '[') {
    const close = rest.indexOf(']');
    if (close < 0) return fail('has an IPv6 address without its closing "]"');
    hostPart = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (after[0] !== ':') return fail('has text after the IPv6 address');
      portText = after.slice(1);
    }
    for (let i = 0; i < hostPart.length; i++) {
      const c = hostPart.charCodeAt(i);
      if (!(c === 58 || (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46))
        return fail('has an IPv6 address with a character that does not belong there');
    }
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      hostPart = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    }
    for (let i = 0; i < hostPart.length; i++) {
      if (!isHostChar(hostPart.charCodeAt(i))) return fail(`has a host name with a character that does not belong there ("${hostPart[i]}")`);
    }
  }
  if (hostPart === '') return fail('has no host, e.g. mqtt://192.168.1.10');
  address.host = hostPart;
  if (portText !== undefined) {
    let port = 0;
    for (let i = 0; i < portText.length; i++) {
      const c = portText.charCodeAt(i);
      if (c < 48 || c > 57) return fail('has a port that is not a number');
      port = port * 10 + (c - 48);
    }
    if (portText === '' || port < 1 || port > 65535) return fail('has a port outside 1..65535');
    address.port = port;
  }
  return { ok: true, address };
}

/** The URL as shown on the page and in the status: scheme, host and port, never credentials. */
export function describeMqttAddress(address: MqttAddress): string {
  const host = address.host.indexOf(':') >= 0 ? '[' + address.host + ']' : address.host;
  return (address.secure ? 'mqtts://' : 'mqtt://') + host + ':' + address.port;
}

/**
 * A topic the box publishes under: not empty, no MQTT wildcards ('+', '#'), no leading or trailing
 * '/', no empty level, no control characters. Undefined when fine, else the reason.
 */
export function topicProblem(field: string, topic: string): string | undefined {
  if (topic === '') return `${field} must not be empty`;
  if (topic.length > MAX_TOPIC) return `${field} is longer than ${MAX_TOPIC} characters`;
  if (topic[0] === '/' || topic[topic.length - 1] === '/') return `${field} must not start or end with "/"`;
  if (topic.indexOf('//') >= 0) return `${field} must not have an empty level ("//")`;
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 43 || c === 35) return `${field} must not contain the MQTT wildcards "+" or "#"`;
    if (c < 32 || c === 127) return `${field} must not contain control characters`;
  }
  return undefined;
}

function defaults(): MqttSettings {
  return { url: '', discoveryPrefix: 'homeassistant', discovery: true };
}

/** url: '' or a credential-free mqtt(s) URL. */
function urlProblem(url: string): string | undefined {
  if (url === '') return undefined;
  const parsed = parseMqttUrl(url);
  if (!parsed.ok) return parsed.error;
  if (parsed.address.username !== undefined || parsed.address.password !== undefined) {
    return 'mqtt.url must not carry a user name or password: put them in mqtt.username and mqtt.password (the URL is shown, the password never is)';
  }
  return undefined;
}

function textProblem(field: string, value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return `${field} must be text, or null to clear it`;
  if (value.length > max) return `${field} is longer than ${max} characters`;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) < 32) return `${field} must not contain control characters`;
  return undefined;
}

export const mqttSettingsSection: SettingsSection<MqttSettings> = {
  name: 'mqtt',
  defaults,
  readStored(raw) {
    const value = defaults();
    if (!isObject(raw)) return { value, problems: ['mqtt is not an object; MQTT stays off'] };
    const problems: string[] = [];
    if (raw.url !== undefined) {
      const why = typeof raw.url === 'string' ? urlProblem(raw.url) : 'mqtt.url must be text';
      if (why) problems.push(why + '; MQTT stays off');
      else value.url = raw.url as string;
    }
    for (const [field, max] of [
      ['username', MAX_USERNAME],
      ['password', MAX_PASSWORD],
    ] as const) {
      if (raw[field] === undefined) continue;
      const why = textProblem('mqtt.' + field, raw[field], max);
      if (why) problems.push(why + '; left empty');
      else if (raw[field] !== '') value[field] = raw[field] as string;
    }
    if (raw.baseTopic !== undefined) {
      const why = typeof raw.baseTopic === 'string' ? topicProblem('mqtt.baseTopic', raw.baseTopic) : 'mqtt.baseTopic must be text';
      if (why) problems.push(why + '; using meterbox/<serial>');
      else value.baseTopic = raw.baseTopic as string;
    }
    if (raw.discoveryPrefix !== undefined) {
      const why = typeof raw.discoveryPrefix === 'string' ? topicProblem('mqtt.discoveryPrefix', raw.discoveryPrefix) : 'mqtt.discoveryPrefix must be text';
      if (why) problems.push(why + '; using "homeassistant"');
      else value.discoveryPrefix = raw.discoveryPrefix as string;
    }
    if (raw.discovery !== undefined) {
      if (typeof raw.discovery === 'boolean') value.discovery = raw.discovery;
      else problems.push('mqtt.discovery must be true or false; using true');
    }
    return { value, problems };
  },
  applyPatch(current, patch) {
    if (!isObject(patch)) return { ok: false, errors: ['mqtt must be an object'] };
    const errors: string[] = [];
    for (const key of Object.keys(patch)) if (FIELDS.indexOf(key) < 0) errors.push(`unknown field "mqtt.${key}"`);
    const value: MqttSettings = { ...current };
    if (patch.url !== undefined) {
      if (patch.url === null || patch.url === '') value.url = '';
      else if (typeof patch.url !== 'string') errors.push('mqtt.url must be text like mqtt://192.168.1.10:1883, or "" to turn MQTT off');
      else {
        const why = urlProblem(patch.url.trim());
        if (why) errors.push(why);
        else value.url = patch.url.trim();
      }
    }
    for (const [field, max] of [
      ['username', MAX_USERNAME],
      ['password', MAX_PASSWORD],
    ] as const) {
      const given = patch[field];
      if (given === undefined) continue;
      if (given === null || given === '') {
        delete value[field];
        continue;
      }
      const why = textProblem('mqtt.' + field, given, max);
      if (why) errors.push(why);
      else value[field] = given as string;
    }
    if (patch.baseTopic !== undefined) {
      if (patch.baseTopic === null || patch.baseTopic === '') delete value.baseTopic;
      else {
        const why =
          typeof patch.baseTopic === 'string' ? topicProblem('mqtt.baseTopic', patch.baseTopic) : 'mqtt.baseTopic must be text, or null for meterbox/<serial>';
        if (why) errors.push(why);
        else value.baseTopic = patch.baseTopic as string;
      }
    }
    if (patch.discoveryPrefix !== undefined) {
      const why =
        typeof patch.discoveryPrefix === 'string'
          ? topicProblem('mqtt.discoveryPrefix', patch.discoveryPrefix)
          : 'mqtt.discoveryPrefix must be text (Home Assistant uses "homeassistant")';
      if (why) errors.push(why);
      else value.discoveryPrefix = patch.discoveryPrefix as string;
    }
    if (patch.discovery !== undefined) {
      if (typeof patch.discovery === 'boolean') value.discovery = patch.discovery;
      else errors.push('mqtt.discovery must be true or false');
    }
    return errors.length ? { ok: false, errors } : { ok: true, value };
  },
};
