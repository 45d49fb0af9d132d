// The pure LAN rules of the app core (firmware/app/lan/, auth/login-throttle.ts), one behaviour a
// test: what both servers decide with them is tested end to end in pc-server.test.ts and
// device-server.test.ts.
import { MAX_JSON_DEPTH, jsonNestsDeeperThan } from '../../firmware/app/lan/json-depth';
import { hostProblem, splitHost } from '../../firmware/app/lan/host-check';
import { bodyTypeProblem, changesState, crossSiteProblem } from '../../firmware/app/lan/cross-site';
import { ConnectionTable, addressKey, bodyDeadlineMs } from '../../firmware/app/lan/connection-table';
import { LoginThrottle, deviceLoginThrottle, hostLoginThrottle } from '../../firmware/app/auth/login-throttle';
import type { AppRequest } from '../../firmware/app/http-types';

describe('JSON nesting depth', () => {
  test('counts arrays and objects, not brackets inside strings or after escapes', () => {
    expect(jsonNestsDeeperThan('[[[]]]', 3)).toBe(false);
    expect(jsonNestsDeeperThan('[[[[]]]]', 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":{"b":{"c":1}}}', 3)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":{"b":{"c":{}}}}', 3)).toBe(true);
    expect(jsonNestsDeeperThan(JSON.stringify({ s: '[[[[[[[[{{{{{{' }), 2)).toBe(false);
    expect(jsonNestsDeeperThan(JSON.stringify({ s: 'quote \\" [[[[[[' }), 1)).toBe(false);
    expect(jsonNestsDeeperThan('[' + JSON.stringify('a\\') + ',[[[]]]]', 3)).toBe(true);
    // siblings do not add up
    expect(jsonNestsDeeperThan('[' + '[],'.repeat(1000) + '[]]', 2)).toBe(false);
  });
  test('the limit: 32 levels pass, 33 and the XS-aborting 4,000 are refused', () => {
    expect(MAX_JSON_DEPTH).toBe(32);
    expect(jsonNestsDeeperThan('['.repeat(32) + ']'.repeat(32), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonNestsDeeperThan('['.repeat(33) + ']'.repeat(33), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonNestsDeeperThan('['.repeat(4000), MAX_JSON_DEPTH)).toBe(true);
  });
  test('agrees with the real nesting of 2,000 random JSON values', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const build = (depth: number): unknown => {
      const r = random();
      if (depth === 0 || r < 0.3) return r < 0.1 ? 'x[{"\\' : r < 0.2 ? 1.5 : null;
      if (r < 0.65) return Array.from({ length: Math.floor(random() * 3) }, () => build(depth - 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < random() * 3; i++) o['k{' + i] = build(depth - 1);
      return o;
    };
    const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf)) : 0);
    for (let i = 0; i < 2000; i++) {
      const value = build(Math.floor(random() * 12));
      const depth = depthOf(value);
      const text = JSON.stringify(value);
      expect(jsonNestsDeeperThan(text, depth)).toBe(false);
      if (depth > 0) expect(jsonNestsDeeperThan(text, depth - 1)).toBe(true);
    }
  });
});

describe('Host check (DNS rebinding)', () => {
  test('splits names, ports and IPv6 literals', () => {
    expect(splitHost('Meterbox.Local.:80')).toEqual({ name: 'meterbox.local', port: '80' });
    expect(splitHost('[::1]:8080')).toEqual({ name: '::1', port: '8080' });
    expect(splitHost('fe80::1')).toEqual({ name: 'fe80::1', port: '' });
    expect(splitHost('::ffff:192.168.1.5')).toEqual({ name: '192.168.1.5', port: '' });
  });
  test('loopback names and addresses always pass; look-alikes do not', () => {
    for (const host of ['localhost', 'LOCALHOST:8080', 'a.b.localhost', '127.0.0.1', '127.255.0.9:80', '[::1]', '[::1]:80'])
      expect(hostProblem(host, [])).toBeUndefined();
    for (const host of ['localhost.evil.example', 'evillocalhost', '127.0.0.1.evil.example', '127.0.0.256', '128.0.0.1', '127.0.0', ''])
      expect(hostProblem(host, [])).toBeDefined();
  });
  test('own names and the arrival address pass; anything else is refused with the reason', () => {
    const own = ['meterbox.local', '192.168.4.1', 'fd00::5'];
    expect(hostProblem('meterbox.local', own)).toBeUndefined();
    expect(hostProblem('MeterBox.local.:80', own)).toBeUndefined();
    expect(hostProblem('192.168.4.1', own)).toBeUndefined();
    expect(hostProblem('[fd00::5]:80', own)).toBeUndefined();
    expect(hostProblem('10.0.0.7:8080', own, '::ffff:10.0.0.7')).toBeUndefined();
    expect(hostProblem('10.0.0.8', own, '10.0.0.7')).toContain('DNS rebinding');
    expect(hostProblem('evil.example', own)).toContain('"evil.example"');
    expect(hostProblem('meterbox.local.evil.example', own)).toBeDefined();
  });
  test('no Host header at all passes (no browser omits it)', () => {
    expect(hostProblem(undefined, [])).toBeUndefined();
  });
});

describe('cross-site requests', () => {
  const req = (headers: Record<string, string>, body?: string): AppRequest => ({
    method: 'POST',
    path: '/x',
    query: {},
    headers,
    ...(body === undefined ? {} : { body }),
  });
  test('state-changing methods', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].map(changesState)).toEqual([false, false, false]);
    expect(['POST', 'PUT', 'DELETE', 'PATCH'].map(changesState)).toEqual([true, true, true, true]);
  });
  test('same origin (default ports equal none) and no origin pass; other origins, "null" and cross-site fetch metadata do not', () => {
    expect(crossSiteProblem(req({ host: 'meterbox.local' }))).toBeUndefined();
    expect(crossSiteProblem(req({ host: 'meterbox.local', origin: 'http://meterbox.local' }))).toBeUndefined();
    expect(crossSiteProblem(req({ host: 'meterbox.local:80', origin: 'http://meterbox.local' }))).toBeUndefined();
    expect(crossSiteProblem(req({ host: 'box:8080', origin: 'http://box:8080', 'sec-fetch-site': 'same-origin' }))).toBeUndefined();
    expect(crossSiteProblem(req({ host: 'box', origin: 'https://box' }))).toBeUndefined();
    expect(crossSiteProblem(req({ host: 'box', 'sec-fetch-site': 'none' }))).toBeUndefined();
    for (const headers of <Record<string, string>[]>[
      { host: 'box', origin: 'http://evil.example' },
      { host: 'box:8080', origin: 'http://box:8081' },
      { host: 'box', origin: 'http://box:8080' },
      { host: 'box', origin: 'null' },
      { host: 'box', origin: 'http://box/path' },
      { host: 'box', origin: 'ftp://box' },
      { origin: 'http://box' },
      { host: 'box', 'sec-fetch-site': 'cross-site' },
      { host: 'box', 'sec-fetch-site': 'same-site', origin: 'http://box' },
    ])
      expect({ headers, refused: crossSiteProblem(req(headers)) !== undefined }).toEqual({ headers, refused: true });
  });
  test('bodies: JSON or undeclared pass; the three form types and others are refused', () => {
    expect(bodyTypeProblem(req({ 'content-type': 'application/json' }, '{}'))).toBeUndefined();
    expect(bodyTypeProblem(req({ 'content-type': 'Application/JSON; charset=utf-8' }, '{}'))).toBeUndefined();
    expect(bodyTypeProblem(req({}, '{}'))).toBeUndefined();
    expect(bodyTypeProblem(req({ 'content-type': 'text/plain' }))).toBeUndefined(); // no body, nothing to refuse
    for (const type of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '']) {
      expect(bodyTypeProblem(req({ 'content-type': type }, '{}'))).toContain('application/json');
    }
  });
});

describe('connection table', () => {
  test('addresses: IPv4-mapped as IPv4, IPv6 by its /64', () => {
    expect(addressKey('::ffff:10.0.0.2')).toBe('10.0.0.2');
    expect(addressKey('2001:db8:1:2::1')).toBe(addressKey('2001:db8:1:2:ffff:1:2:3'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('fe80::1%eth0')).toBe(addressKey('fe80::2'));
    expect(addressKey(undefined)).toBe('unknown');
  });
  test('past perAddress a connection is parked and started when its address has room, in arrival order', () => {
    const table = new ConnectionTable<string>({ maxConnections: 6, perAddress: 2 });
    expect(table.admit('a1', '10.0.0.1', 0).action).toBe('serve');
    expect(table.admit('a2', '10.0.0.1', 1).action).toBe('serve');
    expect(table.admit('a3', '10.0.0.1', 2).action).toBe('park');
    expect(table.admit('a4', '10.0.0.1', 3).action).toBe('park');
    expect(table.admit('b1', '10.0.0.2', 4).action).toBe('serve');
    expect(table.release('b1')).toBeUndefined();
    expect(table.release('a2')).toBe('a3');
    expect(table.isParked('a3')).toBe(false);
    expect(table.release('a3')).toBe('a4');
    expect(table.release('a4')).toBeUndefined();
  });
  test('full: the oldest idle goes (parked first, then one without a complete request); busy ones never', () => {
    const table = new ConnectionTable<string>({ maxConnections: 4, perAddress: 2 });
    table.admit('a1', 'A', 0);
    table.admit('a2', 'A', 1);
    table.admit('a3', 'A', 2);
    table.admit('b1', 'B', 3);
    expect(table.admit('c1', 'C', 4)).toEqual({ action: 'serve', evicted: 'a3' });
    table.markBusy('a1');
    expect(table.admit('d1', 'D', 5)).toEqual({ action: 'serve', evicted: 'a2' });
    table.markBusy('b1');
    table.markBusy('c1');
    table.markBusy('d1');
    expect(table.admit('e1', 'E', 6)).toEqual({ action: 'refuse', reason: 'busy: every connection is in use, retry in a moment' });
    expect(table.evictedCount).toBe(2);
    expect(table.refusedCount).toBe(1);
  });
  test('full: a newcomer that would be parked only evicts a parked one of its own address', () => {
    const table = new ConnectionTable<string>({ maxConnections: 3, perAddress: 1 });
    table.admit('a1', 'A', 0);
    table.admit('b1', 'B', 1);
    table.admit('b2', 'B', 2);
    expect(table.admit('a2', 'A', 3).action).toBe('refuse');
    expect(table.admit('b3', 'B', 4)).toEqual({ action: 'park', evicted: 'b2' });
  });
  test('without parking (WebSocket clients) past perAddress is refused with the reason', () => {
    const table = new ConnectionTable<string>({ maxConnections: 3, perAddress: 2 });
    table.admit('a1', 'A', 0, false);
    table.admit('a2', 'A', 0, false);
    expect(table.admit('a3', 'A', 0, false)).toEqual({ action: 'refuse', reason: 'too many connections from your address (at most 2)' });
    expect(table.countFor('A')).toBe(2);
  });
  test('body deadline grows with the declared length', () => {
    const limits = { maxConnections: 4, perAddress: 2, headDeadlineMs: 5000, bodyDeadlineMs: 5000, bodyMinBytesPerS: 8192, responseDeadlineMs: 30000 };
    expect(bodyDeadlineMs(limits, 0)).toBe(5000);
    expect(bodyDeadlineMs(limits, 8192)).toBe(6000);
    expect(bodyDeadlineMs(limits, 2 * 1024 * 1024)).toBe(5000 + 256000);
  });
});

describe('login throttle', () => {
  test('per source: 5 free failures, then a doubling wait up to the cap; a success clears it', () => {
    const t = new LoginThrottle({ ...hostLoginThrottle, maxPerWindow: 1e6 });
    let now = 0;
    const tryOnce = (ok: boolean) => {
      const a = t.admit('10.0.0.1', 'stranger', now);
      if (!a.ok) return a.status;
      t.finish(a.ticket, ok, now);
      return ok ? 200 : 401;
    };
    for (let i = 0; i < 5; i++) expect(tryOnce(false)).toBe(401);
    expect(tryOnce(false)).toBe(429);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const a = t.admit('10.0.0.1', 'stranger', now);
      expect(a.ok).toBe(false);
      if (!a.ok) waits.push(a.retryAfterMs);
      now += waits[i];
      expect(tryOnce(false)).toBe(401);
    }
    expect(waits).toEqual([2000, 4000, 8000, 16000, 30000, 30000]);
    now += 30000;
    expect(tryOnce(true)).toBe(200);
    expect(t.failuresOf('10.0.0.1', now)).toBe(0);
  });
  test('global: in flight and per window, whoever asks; the known lane has room of its own', () => {
    const t = new LoginThrottle(deviceLoginThrottle);
    const first = t.admit('10.0.0.1', 'stranger', 0);
    expect(first.ok).toBe(true);
    const second = t.admit('10.0.0.2', 'stranger', 0);
    expect(second).toMatchObject({ ok: false, status: 503 });
    const owner = t.admit('10.0.0.1', 'known', 0);
    expect(owner.ok).toBe(true);
    if (first.ok) t.finish(first.ticket, false, 100);
    expect(t.admit('10.0.0.3', 'stranger', 100).ok).toBe(true); // second start in the 5 s window
    const third = t.admit('10.0.0.4', 'stranger', 200);
    expect(third).toMatchObject({ ok: false, status: 503 });
    // the window frees up 5 s after the first start
    expect(!third.ok && third.retryAfterMs).toBeGreaterThan(0);
  });
  test('a flood of 10,000 addresses keeps the table bounded and the per-window starts at the limit', () => {
    const t = new LoginThrottle(hostLoginThrottle);
    let started = 0;
    for (let i = 0; i < 10000; i++) {
      const now = i; // 10 s in 1 ms steps
      const a = t.admit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'stranger', now);
      if (a.ok) {
        started++;
        t.finish(a.ticket, false, now);
      }
    }
    expect(started).toBe(10 * hostLoginThrottle.maxPerWindow);
    expect((t as unknown as { sources: Map<string, unknown> }).sources.size).toBeLessThanOrEqual(hostLoginThrottle.maxSources);
  });
});
