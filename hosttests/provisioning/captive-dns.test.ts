/**
 * Captive-portal DNS: the pure answer builder on hand-made packets (layout in dns-answer.ts), then
 * the PC's loopback responder asked by Node's own resolver while the setup AP is up and after it
 * goes down.
 */
import { Resolver } from 'node:dns/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captiveDnsAnswer, parseIpv4 } from '../../firmware/app/provisioning/dns-answer';
import { createOtaAndWifi } from '../../firmware/host/ota-provisioning-wiring';
import { LoopbackCaptiveDns } from '../../firmware/host/wifi-sim-dns';
import { waitFor } from '../e2e/helpers';

const AP = Uint8Array.from([192, 168, 4, 1]);

function query(name: string, qtype = 1, o: { id?: number; flags?: number; qdcount?: number; extra?: number[] } = {}): Uint8Array {
  const bytes = [
    (o.id ?? 0xbeef) >> 8,
    (o.id ?? 0xbeef) & 0xff,
    (o.flags ?? 0x0100) >> 8,
    (o.flags ?? 0x0100) & 0xff,
    0,
    o.qdcount ?? 1,
    0,
    0,
    0,
    0,
    0,
    o.extra ? 1 : 0,
  ];
  for (const label of name.split('.')) {
    bytes.push(label.length, ...Array.from(label, (c) => c.charCodeAt(0)));
  }
  bytes.push(0, qtype >> 8, qtype & 0xff, 0, 1, ...(o.extra ?? []));
  return Uint8Array.from(bytes);
}

describe('captive DNS answers', () => {
  test('an A question gets the AP address, authoritative, ID and RD kept', () => {
    const q = query('connectivitycheck.gstatic.com');
    const r = captiveDnsAnswer(q, AP)!;
    expect(r.subarray(0, 2)).toEqual(Uint8Array.from([0xbe, 0xef]));
    expect(r[2]).toBe(0x85); // QR | AA | RD
    expect(r[3]).toBe(0x00); // NOERROR
    expect([r[4], r[5], r[6], r[7]]).toEqual([0, 1, 0, 1]);
    expect(r.subarray(12, q.length)).toEqual(q.subarray(12));
    expect(Array.from(r.subarray(q.length))).toEqual([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 168, 4, 1]);
  });
  test('AAAA gets an empty NOERROR answer', () => {
    const r = captiveDnsAnswer(query('captive.apple.com', 28), AP)!;
    expect([r[3], r[6], r[7]]).toEqual([0, 0, 0]);
  });
  test('an EDNS OPT record after the question is dropped from the answer', () => {
    const opt = [0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0];
    const r = captiveDnsAnswer(query('example.org', 1, { extra: opt }), AP)!;
    expect([r[10], r[11]]).toEqual([0, 0]);
    expect(r.length).toBe(query('example.org').length + 16);
  });
  test.each([
    ['a response', query('a.b', 1, { flags: 0x8100 })],
    ['an inverse query (opcode 1)', query('a.b', 1, { flags: 0x0800 })],
    ['two questions', query('a.b', 1, { qdcount: 2 })],
    ['a compression pointer in the question', Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1])],
    ['a truncated question', query('connectivitycheck.gstatic.com').subarray(0, 20)],
    ['too short', new Uint8Array(12)],
  ])('%s is dropped', (_n, q) => {
    expect(captiveDnsAnswer(q, AP)).toBeUndefined();
  });
  test('never throws on random packets', () => {
    let seed = 7;
    for (let n = 0; n < 2000; n++) {
      const len = n % 80;
      const b = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        b[i] = seed >>> 24;
      }
      if (len > 5) ((b[4] = 0), (b[5] = 1), (b[2] &= 0x07));
      expect(() => captiveDnsAnswer(b, AP)).not.toThrow();
    }
  });
  test('IPv4 parsing', () => {
    expect(parseIpv4('192.168.4.1')).toEqual(AP);
    for (const bad of ['192.168.4', '256.1.1.1', 'a.b.c.d', '1..1.1', '1.1.1.1.1']) expect(parseIpv4(bad)).toBeUndefined();
  });
});

describe('loopback responder with the simulated setup AP', () => {
  test('Node resolver gets the AP address for any name while the AP is up, nothing after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dns-'));
    const doc: any = { wifi: {} };
    const app = {
      settings: () => doc,
      updateSettings: (c: (d: any) => any) => {
        Object.assign(doc, c(doc));
        return { ok: true as const };
      },
      snapshot: () => ({ frames: { frames: 0 } }),
    };
    const w = createOtaAndWifi(
      { otaDir: join(dir, 'ota') },
      {
        settingsPath: join(dir, 's.json'),
        firmwareVersion: '0.1.0',
        clock: { nowMs: () => Date.now() },
        log: () => {},
        wifiSimConfig: { captiveDnsPort: 0, connectDelayMs: 30, networks: [{ ssid: 'Home', rssi: -50, security: 'wpa2', password: 'right-pass' }] },
        provisioningTiming: { apGraceMs: 50 },
        tickMs: 20,
      },
    );
    try {
      w.start(app);
      const dns = w.dns as LoopbackCaptiveDns;
      const port = await waitFor('the DNS socket', () => dns.boundPort());
      const resolver = new Resolver({ timeout: 500, tries: 1 });
      resolver.setServers([`127.0.0.1:${port}`]);
      expect(await resolver.resolve4('connectivitycheck.gstatic.com')).toEqual(['192.168.4.1']);
      expect(await resolver.resolve4('anything.example')).toEqual(['192.168.4.1']);
      expect(await resolver.resolve6('captive.apple.com').catch((e) => e.code)).toBe('ENODATA');
      // Joining the home network takes the AP (and the captive DNS) down.
      w.provisioning.testAndSave({ ssid: 'Home', password: 'right-pass' }, Date.now());
      await waitFor('AP off', () => w.wifi.mode() === 'sta', 5000);
      expect(dns.boundPort()).toBeUndefined();
      expect(
        await resolver.resolve4('connectivitycheck.gstatic.com').then(
          () => 'answered',
          (e) => e.code,
        ),
      ).not.toBe('answered');
    } finally {
      w.stop();
    }
  }, 20000);
});
