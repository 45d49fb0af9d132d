/**
 * The `wifi` section: the joined network ({ssid, password}), owned by firmware/app/provisioning
 * (settings-credential-store.ts). It changes only through the setup page's test-and-save, never
 * through a settings patch. Stored, it is kept as it is when it is an object.
 */
import { cloneJson } from '../util/clone';
import { describeType, isRecord } from './section';
import type { SettingsSection } from './section';

export const wifiSection: SettingsSection<Record<string, unknown>> = {
  name: 'wifi',
  defaults: () => ({}),
  readStored(raw) {
    if (raw === undefined) return { value: {}, problems: [] };
    if (!isRecord(raw)) return { value: {}, problems: [`wifi is ${describeType(raw)}, not an object: no stored network (the setup access point comes up)`] };
    return { value: cloneJson(raw), problems: [] };
  },
  applyPatch() {
    return { ok: false, errors: ['wifi is changed through the setup page (/setup), not here'] };
  },
};
