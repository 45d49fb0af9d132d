/**
 * The provisioning machine against a scripted Wi-Fi adapter (every call recorded), time stepped by
 * hand. Station outcomes are delivered explicitly with `h.event(...)`, so each row of a table says
 * exactly what the radio reported and when.
 */
import {
  AP_GRACE_MS,
  BACKOFF_CAP_MS,
  LONG_FAILURE_MS,
  ProvisioningMachine,
  TEST_TIMEOUT_MS,
  credentialsProblem,
} from '../../firmware/app/provisioning/provisioning-machine';
import { accessPointName, accessPointPassword, AP_PASSWORD_ALPHABET } from '../../firmware/app/provisioning/ap-identity';
import type { StationEvent, WifiCredentials, WifiMode, WifiNetwork } from '../../firmware/app/provisioning/wifi-ports';

const identity = { macAddress: Uint8Array.from([0x24, 0x6f, 0x28, 0x4f, 0x21, 0xa0]), deviceSecret: Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1) };

function harness(stored?: WifiCredentials) {
  const calls: string[] = [];
  let saved = stored;
  let ap = false;
  let sta = false;
  let dns: string | undefined;
  let mdns: string | undefined;
  let now = 0;
  const scanList: WifiNetwork[] = [
    { ssid: 'Neighbour', rssi: -80, security: 'wpa2' },
    { ssid: 'Home', rssi: -55, security: 'wpa2', channel: 6 },
    { ssid: 'Home', rssi: -70, security: 'wpa2', channel: 11 },
    { ssid: '', rssi: -40, security: 'wpa2' },
    { ssid: 'Cafe', rssi: -65, security: 'open' },
  ];
  const machine = new ProvisioningMachine({
    identity,
    wifi: {
      scan: async () => scanList,
      startAccessPoint: (c) => {
        ap = true;
        calls.push(`ap-up ${c.ssid}`);
      },
      stopAccessPoint: () => {
        ap = false;
        calls.push('ap-down');
      },
      connectStation: (c) => {
        sta = true;
        calls.push(`connect ${c.ssid}/${c.password}`);
      },
      disconnectStation: () => {
        sta = false;
        calls.push('disconnect');
      },
      onStationEvent: () => {},
      accessPointAddress: () => '192.168.4.1',
      mode: (): WifiMode => (ap && sta ? 'ap+sta' : ap ? 'ap' : sta ? 'sta' : 'off'),
    },
    dns: {
      start: (ip) => {
        dns = ip;
      },
      stop: () => {
        dns = undefined;
      },
    },
    mdns: {
      start: (name) => {
        mdns = name;
      },
      stop: () => {
        mdns = undefined;
      },
    },
    mdnsHostName: 'p1meter-4F21A0',
    store: {
      load: () => saved,
      save: (c) => {
        saved = c;
        calls.push(`save ${c.ssid}`);
      },
      clear: () => {
        saved = undefined;
        calls.push('clear');
      },
    },
  });
  return {
    machine,
    calls,
    get saved() {
      return saved;
    },
    get ap() {
      return ap;
    },
    get dns() {
      return dns;
    },
    get mdns() {
      return mdns;
    },
    now: () => now,
    at(ms: number) {
      now = ms;
      machine.tick(now);
    },
    event(e: StationEvent) {
      machine.onStationEvent(e, now);
    },
    status() {
      return machine.status(now);
    },
    take() {
      return calls.splice(0);
    },
  };
}

describe('access point identity (the label)', () => {
  test('name from the MAC, password from the secret: deterministic, WPA2-valid, no look-alikes', () => {
    expect(accessPointName(identity)).toBe('meterbox-4F21A0');
    const p = accessPointPassword(identity);
    expect(p).toBe(accessPointPassword(identity));
    expect(p).toMatch(/^[2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4}$/);
    expect(p.length).toBeGreaterThanOrEqual(8);
    for (const c of p.replace(/-/g, '')) expect(AP_PASSWORD_ALPHABET).toContain(c);
    expect(p).not.toMatch(/[01ilo]/);
  });
  test('another secret (same MAC) gives another password; the MAC alone is not enough', () => {
    const other = { macAddress: identity.macAddress, deviceSecret: Uint8Array.from({ length: 32 }, (_, i) => i) };
    expect(accessPointPassword(other)).not.toBe(accessPointPassword(identity));
    expect(() => accessPointPassword({ macAddress: identity.macAddress, deviceSecret: new Uint8Array(8) })).toThrow(/16 bytes/);
  });
  test('passwords spread over the alphabet (no stuck symbols)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const pw = accessPointPassword({ macAddress: identity.macAddress, deviceSecret: Uint8Array.from({ length: 16 }, (_, j) => (i * 31 + j) & 0xff) });
      for (const c of pw.replace(/-/g, '')) seen.add(c);
    }
    expect(seen.size).toBe(31);
  });
});

describe('credential checks', () => {
  test.each([
    ['', 'password1', /ssid is required/],
    ['x'.repeat(33), 'password1', /32 bytes/],
    ['Home', 'short', /8 to 63/],
    ['Home', 'x'.repeat(64), /hexadecimal/],
    ['Home', 'pass\u0001word', /printable ASCII/],
    ['Home', 42, /must be a string/],
  ])('%j / %j refused', (ssid, password, reason) => {
    expect(credentialsProblem(ssid, password)).toMatch(reason);
  });
  test.each([
    ['Home', 'correct horse'],
    ['Cafe', ''],
    ['Home', 'a'.repeat(64)],
    ['ÆØÅ-nett', '12345678'],
  ])('%j accepted', (ssid, password) => {
    expect(credentialsProblem(ssid, password)).toBeUndefined();
  });
});

describe('first boot and setup', () => {
  test('first boot: AP up with the label name, captive DNS on the AP address, station idle', () => {
    const h = harness();
    h.machine.start(0);
    expect(h.take()).toEqual(['ap-up meterbox-4F21A0']);
    expect(h.dns).toBe('192.168.4.1');
    expect(h.status()).toMatchObject({
      mode: 'ap',
      accessPoint: { active: true, ssid: 'meterbox-4F21A0', reason: 'no-credentials' },
      station: { state: 'idle' },
    });
  });
  test('scan: hidden networks dropped, one entry per name (strongest), strongest first', async () => {
    const h = harness();
    h.machine.start(0);
    const list = await h.machine.scan(0);
    expect(list.map((n) => [n.ssid, n.rssi])).toEqual([
      ['Home', -55],
      ['Cafe', -65],
      ['Neighbour', -80],
    ]);
  });
  test('wrong password: says so, keeps the AP, saves nothing; then the right one -> STA, AP off after the grace period', () => {
    const h = harness();
    h.machine.start(0);
    h.take();
    expect(h.machine.testAndSave({ ssid: 'Home', password: 'wrong-pass' }, 1000)).toBeUndefined();
    expect(h.take()).toEqual(['connect Home/wrong-pass']);
    expect(h.status()).toMatchObject({ mode: 'ap+sta', test: { ssid: 'Home', state: 'testing' }, station: { state: 'testing' } });
    expect(h.machine.testAndSave({ ssid: 'Home', password: 'another-one' }, 1000)).toMatch(/already testing/);
    h.at(4000);
    h.event({ type: 'failed', reason: 'wrong-password' });
    expect(h.status()).toMatchObject({ accessPoint: { active: true }, station: { state: 'idle' }, test: { state: 'failed', reason: 'wrong password' } });
    expect(h.saved).toBeUndefined();
    expect(h.take()).toEqual(['disconnect']);
    expect(h.dns).toBe('192.168.4.1');

    h.at(10_000);
    h.machine.testAndSave({ ssid: 'Home', password: 'right-pass' }, 10_000);
    h.at(13_000);
    h.event({ type: 'connected', ip: '192.168.1.77' });
    expect(h.saved).toEqual({ ssid: 'Home', password: 'right-pass' });
    expect(h.status()).toMatchObject({
      mode: 'ap+sta',
      station: { state: 'connected', ip: '192.168.1.77', ssid: 'Home' },
      test: { state: 'connected', ip: '192.168.1.77' },
      accessPoint: { active: true, offInMs: AP_GRACE_MS },
    });
    expect(h.mdns).toBe('p1meter-4F21A0');
    expect(h.status().mdnsName).toBe('p1meter-4F21A0.local');
    h.at(13_000 + AP_GRACE_MS - 1);
    expect(h.ap).toBe(true);
    h.at(13_000 + AP_GRACE_MS);
    expect(h.ap).toBe(false);
    expect(h.dns).toBeUndefined();
    expect(h.status()).toMatchObject({ mode: 'sta', accessPoint: { active: false }, station: { state: 'connected' } });
    expect(JSON.stringify(h.status())).not.toContain('right-pass');
  });
  test.each([
    ['no-ap', 'network not found'],
    ['timeout', 'no answer from the network (timeout)'],
  ] as const)('test failure %s is reported as "%s"', (reason, text) => {
    const h = harness();
    h.machine.start(0);
    h.machine.testAndSave({ ssid: 'Gone', password: 'whatever1' }, 0);
    h.event({ type: 'failed', reason });
    expect(h.status().test).toMatchObject({ state: 'failed', reason: text });
    expect(h.ap).toBe(true);
  });
  test('a test the radio never answers times out by itself', () => {
    const h = harness();
    h.machine.start(0);
    h.machine.testAndSave({ ssid: 'Home', password: 'right-pass' }, 0);
    h.at(TEST_TIMEOUT_MS - 1);
    expect(h.status().test?.state).toBe('testing');
    h.at(TEST_TIMEOUT_MS);
    expect(h.status().test).toMatchObject({ state: 'failed', reason: /timeout/ });
    // A late "connected" from the abandoned attempt changes nothing.
    h.event({ type: 'connected', ip: '10.0.0.9' });
    expect(h.saved).toBeUndefined();
    expect(h.status().station.state).toBe('idle');
  });
});

describe('station mode, back-off and the long-failure fallback', () => {
  test('boot with a stored network: station only, no AP', () => {
    const h = harness({ ssid: 'Home', password: 'right-pass' });
    h.machine.start(0);
    expect(h.take()).toEqual(['connect Home/right-pass']);
    h.event({ type: 'connected', ip: '192.168.1.77' });
    expect(h.status()).toMatchObject({ mode: 'sta', accessPoint: { active: false }, station: { state: 'connected' } });
    expect(h.mdns).toBe('p1meter-4F21A0');
  });

  test('dropped link: retries at 2, 4, 8 ... s capped at 300 s; AP back after 10 min of failure; AP off again once connected', () => {
    const h = harness({ ssid: 'Home', password: 'right-pass' });
    h.machine.start(0);
    h.event({ type: 'connected', ip: '192.168.1.77' });
    h.take();
    const dropAt = 1_000_000;
    h.at(dropAt);
    h.event({ type: 'dropped' });
    expect(h.mdns).toBeUndefined();
    expect(h.status().station).toMatchObject({ state: 'backoff', lastError: 'connection dropped', retryInMs: 2000 });
    // Each attempt fails with no-ap; record when attempts happen.
    const attemptTimes: number[] = [];
    let apUpAt: number | undefined;
    for (let t = dropAt; t <= dropAt + 30 * 60_000; t += 500) {
      h.at(t);
      for (const c of h.take()) {
        if (c.startsWith('connect')) {
          attemptTimes.push(t - dropAt);
          h.event({ type: 'failed', reason: 'no-ap' });
        }
        if (c.startsWith('ap-up') && apUpAt === undefined) apUpAt = t - dropAt;
      }
    }
    const gaps = attemptTimes.map((t, i) => t - (i === 0 ? 0 : attemptTimes[i - 1]));
    expect(gaps.slice(0, 9)).toEqual([2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000]);
    expect(gaps.slice(9).every((g) => g === BACKOFF_CAP_MS)).toBe(true);
    expect(apUpAt).toBe(LONG_FAILURE_MS);
    expect(h.status()).toMatchObject({ accessPoint: { active: true, reason: 'long-failure' }, station: { state: 'backoff', lastError: 'network not found' } });
    // Retries continue with the AP up (AP+STA); the router comes back.
    const t0 = dropAt + 30 * 60_000;
    let connectedAt = 0;
    for (let t = t0; t <= t0 + BACKOFF_CAP_MS + 1000; t += 500) {
      h.at(t);
      if (h.take().some((c) => c.startsWith('connect'))) {
        h.event({ type: 'connected', ip: '192.168.1.77' });
        connectedAt = t;
        break;
      }
    }
    expect(connectedAt).toBeGreaterThan(0);
    expect(h.status().station.state).toBe('connected');
    h.at(connectedAt + AP_GRACE_MS);
    expect(h.ap).toBe(false);
    // A new drop starts the schedule from 2 s again.
    h.event({ type: 'dropped' });
    expect(h.status().station.retryInMs).toBe(2000);
  });

  test('an attempt the radio never answers counts as a timeout and backs off', () => {
    const h = harness({ ssid: 'Home', password: 'right-pass' });
    h.machine.start(0);
    h.at(20_000);
    expect(h.status().station).toMatchObject({ state: 'backoff', lastError: /timeout/, retryInMs: 2000 });
  });

  test('stored password rejected by the router (changed): same back-off, AP after the long failure', () => {
    const h = harness({ ssid: 'Home', password: 'old-pass1' });
    h.machine.start(0);
    for (let t = 0; t <= LONG_FAILURE_MS; t += 1000) {
      h.at(t);
      if (h.take().some((c) => c.startsWith('connect'))) h.event({ type: 'failed', reason: 'wrong-password' });
    }
    expect(h.status()).toMatchObject({ accessPoint: { active: true, reason: 'long-failure' }, station: { lastError: 'wrong password' } });
  });

  test('forget: credentials cleared, station down, AP up', () => {
    const h = harness({ ssid: 'Home', password: 'right-pass' });
    h.machine.start(0);
    h.event({ type: 'connected', ip: '192.168.1.77' });
    h.machine.forget(5000);
    expect(h.saved).toBeUndefined();
    expect(h.status()).toMatchObject({ accessPoint: { active: true, reason: 'no-credentials' }, station: { state: 'idle' } });
    expect(h.mdns).toBeUndefined();
  });

  test('a failed test while a stored network exists goes back to retrying the stored one', () => {
    const h = harness({ ssid: 'Home', password: 'right-pass' });
    h.machine.start(0);
    h.event({ type: 'connected', ip: '192.168.1.77' });
    h.take();
    h.machine.testAndSave({ ssid: 'Other', password: 'bad-pass1' }, 1000);
    expect(h.take()).toEqual(['ap-up meterbox-4F21A0', 'connect Other/bad-pass1']);
    h.event({ type: 'failed', reason: 'wrong-password' });
    expect(h.saved).toEqual({ ssid: 'Home', password: 'right-pass' });
    expect(h.status().station).toMatchObject({ state: 'backoff', ssid: 'Home' });
    h.at(1000 + 2000);
    expect(h.take()).toContain('connect Home/right-pass');
  });
});
