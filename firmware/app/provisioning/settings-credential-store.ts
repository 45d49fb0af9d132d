/**
 * Keeps the joined network in the settings document's `wifi` section ({ ssid, password }), so it
 * is saved atomically with everything else and GET /api/v1/settings shows the password only as
 * {set: true} (the settings module redacts every field named like a secret).
 */
import type { WifiCredentialStore, WifiCredentials } from './wifi-ports';

export interface WifiSettingsAccess {
  settings(): { wifi: Record<string, unknown> };
  updateSettings(change: (doc: any) => any): { ok: true } | { ok: false; error: string };
}

export function settingsCredentialStore(access: () => WifiSettingsAccess): WifiCredentialStore {
  const write = (wifi: Record<string, unknown>) => {
    const result = access().updateSettings((doc) => ({ ...doc, wifi }));
    if (!result.ok) throw new Error('cannot store the Wi-Fi network: ' + result.error);
  };
  return {
    load(): WifiCredentials | undefined {
      const wifi = access().settings().wifi;
      if (!wifi || typeof wifi.ssid !== 'string' || wifi.ssid === '') return undefined;
      return { ssid: wifi.ssid, password: typeof wifi.password === 'string' ? wifi.password : '' };
    },
    save(credentials: WifiCredentials): void {
      write({ ssid: credentials.ssid, password: credentials.password });
    },
    clear(): void {
      write({});
    },
  };
}
