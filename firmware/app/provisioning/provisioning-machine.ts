/**
 * Wi-Fi provisioning state machine (platform-neutral; time comes in as `nowMs`, no timers here).
 *
 * Two parts that move independently:
 *   access point   down | up (reason: no-credentials, setup, long-failure); while up, the captive
 *                  DNS answers every name with the AP address so phones open the setup page.
 *   station        idle | testing | connecting | backoff | connected
 *
 *   first boot (nothing stored) ──> AP up, station idle
 *   setup page: connect {ssid, password} ──> testing (AP+STA: the AP stays up)
 *        ├─ connected ──> credentials saved, station connected, mDNS up, AP off after a grace period
 *        └─ wrong password / no AP / timeout ──> test failed with that reason, AP stays, nothing saved
 *   boot with stored credentials ──> connecting (AP down)
 *   connecting / link dropped ──> backoff: retry after 2, 4, 8 ... 256, then every 300 s
 *   failing for 10 min in a row ──> AP up again (long-failure) while retries go on at the cap;
 *                                   a later success takes the AP down after the grace period
 *   forget ──> credentials cleared, station idle, AP up
 *
 * The numbers and why: docs/provisioning-ota.md.
 */
import { accessPointName, accessPointPassword } from './ap-identity';
import type { Sha256Factory } from '../crypto/sha256';
import type { CaptiveDns, DeviceIdentity, MdnsAdvertiser, StationEvent, WifiAdapter, WifiCredentialStore, WifiCredentials, WifiNetwork } from './wifi-ports';

export const BACKOFF_FIRST_MS = 2_000;
export const BACKOFF_CAP_MS = 300_000;
export const LONG_FAILURE_MS = 600_000;
export const CONNECT_ATTEMPT_TIMEOUT_MS = 20_000;
export const TEST_TIMEOUT_MS = 25_000;
export const AP_GRACE_MS = 60_000;

export type StationState = 'idle' | 'testing' | 'connecting' | 'backoff' | 'connected';
export type ApReason = 'no-credentials' | 'setup' | 'long-failure';

export interface ProvisioningDeps {
  wifi: WifiAdapter;
  dns: CaptiveDns;
  mdns: MdnsAdvertiser;
  store: WifiCredentialStore;
  identity: DeviceIdentity;
  log?: (message: string) => void;
  sha256Factory?: Sha256Factory;
  /**
   * mDNS host name on the home network, without ".local": p1meter-XXXXXX (homewizard-identity.ts),
   * the name HomeWizard consumers discover and the one the page tells the owner to browse to.
   */
  mdnsHostName: string;
  /** Overrides for tests and special builds; defaults are the exported constants. */
  timing?: Partial<{
    backoffFirstMs: number;
    backoffCapMs: number;
    longFailureMs: number;
    connectAttemptTimeoutMs: number;
    testTimeoutMs: number;
    apGraceMs: number;
  }>;
}

export interface SetupTest {
  ssid: string;
  state: 'testing' | 'connected' | 'failed';
  reason?: string;
  ip?: string;
  startedAtMs: number;
}

export interface ProvisioningStatus {
  mode: string;
  accessPoint: { active: boolean; ssid: string; reason?: ApReason; address?: string; offInMs?: number };
  station: {
    state: StationState;
    ssid?: string;
    ip?: string;
    lastError?: string;
    retryInMs?: number;
    failingForMs?: number;
    attempts: number;
  };
  mdnsName: string;
  test?: SetupTest;
  lastScanAtMs?: number;
}

const FAILURE_TEXT: Record<string, string> = {
  'wrong-password': 'wrong password',
  'no-ap': 'network not found',
  timeout: 'no answer from the network (timeout)',
  dropped: 'connection dropped',
};

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Why the given credentials cannot be used, or undefined when they are well-formed. */
export function credentialsProblem(ssid: unknown, password: unknown): string | undefined {
  if (typeof ssid !== 'string' || ssid.length === 0) return 'ssid is required';
  if (utf8Length(ssid) > 32) return 'ssid is longer than 32 bytes';
  if (typeof password !== 'string') return 'password must be a string ("" for an open network)';
  if (password === '') return undefined;
  if (password.length === 64) {
    for (let i = 0; i < 64; i++) {
      if ('0123456789abcdefABCDEF'.indexOf(password[i]) < 0) return 'a 64-character password must be hexadecimal (a raw WPA key)';
    }
    return undefined;
  }
  if (password.length < 8 || password.length > 63) return 'a WPA password has 8 to 63 characters';
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return 'a WPA password uses printable ASCII characters only';
  }
  return undefined;
}

export class ProvisioningMachine {
  private apActive = false;
  private apReason: ApReason | undefined;
  private apOffAtMs: number | undefined;
  private station: StationState = 'idle';
  private stationSsid: string | undefined;
  private stationIp: string | undefined;
  private lastError: string | undefined;
  private failingSinceMs: number | undefined;
  private backoffStep = 0;
  private attempts = 0;
  private retryAtMs = 0;
  private attemptDeadlineMs = 0;
  private candidate: WifiCredentials | undefined;
  private test: SetupTest | undefined;
  private lastScanAtMs: number | undefined;
  private readonly apSsid: string;
  private readonly apPassword: string;
  private readonly t: Required<NonNullable<ProvisioningDeps['timing']>>;
  private readonly log: (message: string) => void;

  constructor(private readonly deps: ProvisioningDeps) {
    this.apSsid = accessPointName(deps.identity);
    this.apPassword = accessPointPassword(deps.identity, deps.sha256Factory);
    this.log = deps.log ?? (() => {});
    this.t = {
      backoffFirstMs: BACKOFF_FIRST_MS,
      backoffCapMs: BACKOFF_CAP_MS,
      longFailureMs: LONG_FAILURE_MS,
      connectAttemptTimeoutMs: CONNECT_ATTEMPT_TIMEOUT_MS,
      testTimeoutMs: TEST_TIMEOUT_MS,
      apGraceMs: AP_GRACE_MS,
      ...deps.timing,
    };
  }

  /** The label data: AP name and password (for the factory label printer and the serial console). */
  accessPointCredentials(): { ssid: string; password: string } {
    return { ssid: this.apSsid, password: this.apPassword };
  }

  /** Delay before retry number `step` (0-based): 2 s doubling, capped. */
  backoffDelayMs(step: number): number {
    let d = this.t.backoffFirstMs;
    for (let i = 0; i < step && d < this.t.backoffCapMs; i++) d *= 2;
    return Math.min(d, this.t.backoffCapMs);
  }

  start(nowMs: number): void {
    const stored = this.deps.store.load();
    if (!stored) {
      this.log('wifi: no network stored: starting the setup access point');
      this.startAp('no-credentials');
      return;
    }
    this.failingSinceMs = nowMs;
    this.attempt(stored, nowMs);
  }

  /** Runs a scan; hidden networks dropped, one entry per name (strongest), strongest first. */
  async scan(nowMs: number): Promise<WifiNetwork[]> {
    const found = await this.deps.wifi.scan();
    this.lastScanAtMs = nowMs;
    const best: Record<string, WifiNetwork> = {};
    for (const n of found) {
      if (!n.ssid) continue;
      const seen = best[n.ssid];
      if (!seen || n.rssi > seen.rssi)
        best[n.ssid] = { ssid: n.ssid, rssi: n.rssi, security: n.security, ...(n.channel !== undefined ? { channel: n.channel } : {}) };
    }
    return Object.keys(best)
      .map((k) => best[k])
      .sort((a, b) => b.rssi - a.rssi);
  }

  /**
   * Setup page "connect": try the network with the AP kept up; save only when it works.
   * Returns a reason when the request cannot start.
   */
  testAndSave(credentials: WifiCredentials, nowMs: number): string | undefined {
    const problem = credentialsProblem(credentials.ssid, credentials.password);
    if (problem) return problem;
    if (this.station === 'testing') return `already testing "${this.test?.ssid}"`;
    // Keep (or bring) the AP up: the person doing the setup may be on it, or may lose the home
    // network when the box leaves it for the new one.
    if (!this.apActive) this.startAp('setup');
    this.apOffAtMs = undefined;
    this.candidate = { ssid: credentials.ssid, password: credentials.password };
    this.test = { ssid: credentials.ssid, state: 'testing', startedAtMs: nowMs };
    this.station = 'testing';
    this.stationSsid = credentials.ssid;
    this.stationIp = undefined;
    this.deps.mdns.stop();
    this.attemptDeadlineMs = nowMs + this.t.testTimeoutMs;
    this.log(`wifi: testing "${credentials.ssid}" (access point stays up)`);
    this.deps.wifi.connectStation(this.candidate);
    return undefined;
  }

  forget(nowMs: number): void {
    this.deps.store.clear();
    this.deps.wifi.disconnectStation();
    this.deps.mdns.stop();
    this.station = 'idle';
    this.stationSsid = undefined;
    this.stationIp = undefined;
    this.failingSinceMs = undefined;
    this.backoffStep = 0;
    this.candidate = undefined;
    this.lastError = undefined;
    this.log('wifi: network forgotten: setup access point');
    if (this.apActive) this.apReason = 'no-credentials';
    else this.startAp('no-credentials');
    this.apOffAtMs = undefined;
    void nowMs;
  }

  onStationEvent(event: StationEvent, nowMs: number): void {
    if (this.station === 'testing') {
      this.onTestEvent(event, nowMs);
      return;
    }
    if (event.type === 'connected') {
      if (this.station !== 'connecting') return; // late event from an abandoned attempt
      this.connected(event.ip, nowMs);
      return;
    }
    if (event.type === 'failed') {
      if (this.station !== 'connecting') return;
      this.deps.wifi.disconnectStation();
      this.scheduleRetry(event.reason, nowMs);
      return;
    }
    if (this.station === 'connected') {
      this.log(`wifi: link to "${this.stationSsid}" dropped`);
      this.stationIp = undefined;
      this.deps.mdns.stop();
      this.failingSinceMs = nowMs;
      this.backoffStep = 0;
      this.scheduleRetry('dropped', nowMs);
    }
  }

  tick(nowMs: number): void {
    if (this.station === 'testing' && nowMs >= this.attemptDeadlineMs) {
      this.deps.wifi.disconnectStation();
      this.onTestEvent({ type: 'failed', reason: 'timeout' }, nowMs);
    } else if (this.station === 'connecting' && nowMs >= this.attemptDeadlineMs) {
      this.deps.wifi.disconnectStation();
      this.scheduleRetry('timeout', nowMs);
    } else if (this.station === 'backoff' && nowMs >= this.retryAtMs) {
      const stored = this.deps.store.load();
      if (stored) this.attempt(stored, nowMs);
      else this.station = 'idle';
    }
    if (!this.apActive && this.failingSinceMs !== undefined && this.station !== 'connected' && nowMs - this.failingSinceMs >= this.t.longFailureMs) {
      this.log(`wifi: no connection for ${Math.round((nowMs - this.failingSinceMs) / 1000)} s: setup access point up again`);
      this.startAp('long-failure');
    }
    if (this.apActive && this.apOffAtMs !== undefined && nowMs >= this.apOffAtMs && this.station === 'connected') {
      this.stopAp();
    }
  }

  status(nowMs: number): ProvisioningStatus {
    const s: ProvisioningStatus = {
      mode: this.deps.wifi.mode(),
      accessPoint: { active: this.apActive, ssid: this.apSsid },
      station: { state: this.station, attempts: this.attempts },
      mdnsName: this.deps.mdnsHostName + '.local',
    };
    if (this.apActive) {
      s.accessPoint.address = this.deps.wifi.accessPointAddress();
      if (this.apReason) s.accessPoint.reason = this.apReason;
      if (this.apOffAtMs !== undefined) s.accessPoint.offInMs = Math.max(0, this.apOffAtMs - nowMs);
    }
    if (this.stationSsid !== undefined) s.station.ssid = this.stationSsid;
    if (this.stationIp !== undefined) s.station.ip = this.stationIp;
    if (this.lastError !== undefined) s.station.lastError = this.lastError;
    if (this.station === 'backoff') s.station.retryInMs = Math.max(0, this.retryAtMs - nowMs);
    if (this.failingSinceMs !== undefined && this.station !== 'connected') s.station.failingForMs = nowMs - this.failingSinceMs;
    if (this.test) s.test = { ...this.test };
    if (this.lastScanAtMs !== undefined) s.lastScanAtMs = this.lastScanAtMs;
    return s;
  }

  isAccessPointActive(): boolean {
    return this.apActive;
  }

  private onTestEvent(event: StationEvent, nowMs: number): void {
    const test = this.test!;
    let failure: string | undefined;
    if (event.type === 'connected') {
      try {
        this.deps.store.save(this.candidate!);
      } catch (e) {
        // A full disk or locked settings: the network works but cannot be kept. Say so and go
        // back to what the box had (AP up, the old network retried), as after any failed test.
        failure = `joined the network but could not save it (${e instanceof Error ? e.message : String(e)})`;
      }
      if (failure === undefined) {
        test.state = 'connected';
        test.ip = event.ip;
        this.log(`wifi: "${test.ssid}" works (${event.ip}): saved`);
        this.connected(event.ip, nowMs);
        return;
      }
    }
    const reason = event.type === 'failed' ? event.reason : event.type === 'connected' ? 'not-saved' : 'dropped';
    test.state = 'failed';
    test.reason = failure ?? FAILURE_TEXT[reason] ?? reason;
    this.log(`wifi: test of "${test.ssid}" failed: ${test.reason}; nothing saved, access point stays`);
    this.deps.wifi.disconnectStation();
    this.candidate = undefined;
    this.stationIp = undefined;
    // Back to what the box had before the test: retrying its stored network, or nothing.
    const stored = this.deps.store.load();
    if (stored) {
      this.stationSsid = stored.ssid;
      this.failingSinceMs = this.failingSinceMs ?? nowMs;
      this.scheduleRetry(reason, nowMs);
    } else {
      this.station = 'idle';
      this.stationSsid = undefined;
    }
  }

  private attempt(credentials: WifiCredentials, nowMs: number): void {
    this.station = 'connecting';
    this.stationSsid = credentials.ssid;
    this.attempts++;
    this.attemptDeadlineMs = nowMs + this.t.connectAttemptTimeoutMs;
    this.deps.wifi.connectStation(credentials);
  }

  private connected(ip: string, nowMs: number): void {
    this.station = 'connected';
    this.stationIp = ip;
    this.lastError = undefined;
    this.failingSinceMs = undefined;
    this.backoffStep = 0;
    this.candidate = undefined;
    this.deps.mdns.start(this.deps.mdnsHostName);
    if (this.apActive) this.apOffAtMs = nowMs + this.t.apGraceMs;
    this.log(`wifi: connected to "${this.stationSsid}" as ${ip}`);
  }

  private scheduleRetry(reason: string, nowMs: number): void {
    const delay = this.backoffDelayMs(this.backoffStep);
    this.backoffStep++;
    this.station = 'backoff';
    this.lastError = FAILURE_TEXT[reason] ?? reason;
    this.retryAtMs = nowMs + delay;
    if (this.failingSinceMs === undefined) this.failingSinceMs = nowMs;
    this.log(`wifi: ${this.lastError}; retry in ${delay / 1000} s`);
  }

  private startAp(reason: ApReason): void {
    this.apReason = reason;
    if (this.apActive) return;
    this.deps.wifi.startAccessPoint({ ssid: this.apSsid, password: this.apPassword });
    this.deps.dns.start(this.deps.wifi.accessPointAddress());
    this.apActive = true;
    this.apOffAtMs = undefined;
  }

  private stopAp(): void {
    this.deps.dns.stop();
    this.deps.wifi.stopAccessPoint();
    this.apActive = false;
    this.apReason = undefined;
    this.apOffAtMs = undefined;
    this.log('wifi: setup access point off');
  }
}
