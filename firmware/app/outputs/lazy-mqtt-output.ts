/**
 * The MQTT output as the device builds it: only while a broker URL is set (lazy-output.ts says
 * why). Off, its status is what the MQTT output itself reports with no broker set (the test in
 * hosttests/outputs/lazy-output.test.ts holds the two equal).
 */
import type { SettingsDocument } from '../settings';
import { createMqttOutput } from './mqtt-output';
import type { MqttOutputDeps } from './mqtt-output';
import { lazyOutput } from './lazy-output';
import type { LazyOutput } from './lazy-output';

export function lazyMqttOutput(deps: MqttOutputDeps): LazyOutput {
  return lazyOutput({
    name: 'mqtt',
    // A URL from the command line (the PC build) or the settings; a malformed one builds the output
    // too, so it reports the error.
    wanted: (settings: SettingsDocument) => Boolean(deps.urlOverride ?? settings.mqtt.url),
    create: () => createMqttOutput(deps),
    offStatus: () => ({ enabled: false, connected: false, lastError: null, statesPublished: 0, configsPublished: 0, queued: 0, dropped: 0 }),
  });
}
