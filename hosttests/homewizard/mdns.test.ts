// mDNS on the PC build, resolved for real: the app (startHost, listening on 0.0.0.0 so it
// advertises) announces itself on this machine's network interfaces; an independent mDNS browser
// (bonjour-service's, with its own multicast socket) finds `_hwenergy._tcp`, and what it finds is
// fed to SmartEVSE's and Home Assistant's discovery code (transcribed in ./consumers/), then to
// their first HTTP requests. Proven here: multicast on this machine's own interface (the test
// sees its own announcements through multicast loopback). Not proven: another host on a LAN.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Bonjour } from 'bonjour-service';
import type { Service } from 'bonjour-service';
import { startHost } from '../../firmware/host/start-host';
import type { RunningHost } from '../../firmware/host/start-host';
import { tempDir, waitFor } from '../e2e/helpers';
import { httpGetter } from './consumers/http';
import { EM_HOMEWIZARD, smartEvse35ServiceType, smartEvse3Discover } from './consumers/smartevse';
import { hasV2Api, homeWizardEnergyV1, zeroconfStep } from './consumers/home-assistant';

jest.setTimeout(60000);

// A serial of our own (locally administered MAC) so parallel runs never see each other's box.
const mac = randomBytes(6);
mac[0] = (mac[0] | 0x02) & 0xfe;
const serial = mac.toString('hex');
const instance = 'p1meter-' + serial.slice(-6).toUpperCase();

let host: RunningHost;
let browser: Bonjour;

beforeAll(async () => {
  host = await startHost({ port: 0, host: '0.0.0.0', settingsPath: join(tempDir('meterbox-mdns-'), 's.json'), quiet: true, passwordIterations: 100, serial });
  browser = new Bonjour();
});
afterAll(async () => {
  await new Promise<void>((resolve) => browser.destroy(() => resolve()));
  await host.close();
});

async function find(type: string, name: string): Promise<Service> {
  const found: Service[] = [];
  const b = browser.find({ type }, (s) => found.push(s));
  try {
    return await waitFor(
      `${name}._${type}._tcp on mDNS`,
      () => {
        b.update(); // query again: the first query may go out before the announcement
        return found.find((s) => s.name === name && s.addresses && s.addresses.length > 0);
      },
      20000,
      500,
    );
  } finally {
    b.stop();
  }
}

test("_hwenergy._tcp resolves: instance and host p1meter-XXXXXX, the server's port, HomeWizard's TXT, addresses", async () => {
  const s = await find('hwenergy', instance);
  expect(s.host).toBe(instance + '.local');
  expect(s.port).toBe(host.port);
  expect(s.txt).toEqual({ api_enabled: '1', path: '/api/v1', serial, product_type: 'HWE-P1', product_name: 'P1 Meter' });
  expect(s.addresses!.length).toBeGreaterThan(0);
});

test('SmartEVSE picks it (host name starts with p1meter-) and reaches the box at the resolved address', async () => {
  const s = await find('hwenergy', instance);
  const hostname = s.host.replace(/\.local$/, ''); // MDNS.hostname(i) is the SRV target without .local
  expect(
    smartEvse3Discover([
      { hostname: 'shelly-1234', port: 80 },
      { hostname, port: s.port },
    ]),
  ).toBe(`${instance}.local:${host.port}`);
  expect(smartEvse35ServiceType(hostname)).toBe(EM_HOMEWIZARD);
  // No meter attached: the box answers, and says it has no data (503) instead of serving 0 A.
  const ipv4 = s.addresses!.find((a) => a.indexOf(':') < 0)!;
  const res = await fetch(`http://${ipv4}:${s.port}/api/v1/data`);
  expect(res.status).toBe(503);
});

test('Home Assistant: zeroconf step accepts the TXT, unique id HWE-P1_<serial>; the API it then probes is v1', async () => {
  const s = await find('hwenergy', instance);
  const ipv4 = s.addresses!.find((a) => a.indexOf(':') < 0)!;
  const flow = zeroconfStep({ host: ipv4, properties: s.txt as Record<string, string> });
  expect(flow).toEqual({ flow: 'discovery_confirm', uniqueId: `HWE-P1_${serial}`, title: 'P1 Meter', ip: ipv4 });
  expect(await hasV2Api(ipv4, s.port)).toBe(false);
  // HA takes discovery_info.host only (port 80 on the device); on a PC the port is given with it.
  const device = await homeWizardEnergyV1(httpGetter(`http://${ipv4}:${s.port}`)).device();
  expect(`${device.product_type}_${device.serial}`).toBe(`HWE-P1_${serial}`);
  // What HA refuses: a TXT without path, or another API path.
  expect(zeroconfStep({ host: ipv4, properties: { ...(s.txt as Record<string, string>), path: '/api/v2' } })).toEqual({
    flow: 'abort',
    reason: 'unsupported_api_version',
  });
});

test('_http._tcp for browsers, same host and port', async () => {
  const s = await find('http', 'meterbox ' + serial.slice(-6).toUpperCase());
  expect(s.host).toBe(instance + '.local');
  expect(s.port).toBe(host.port);
  expect(s.txt).toEqual({ path: '/' });
});

test('the host name p1meter-XXXXXX.local answers an A query (SmartEVSE connects by that name)', async () => {
  const mdns = (
    browser as unknown as {
      server: { mdns: { query(q: unknown): void; on(e: string, f: (p: any) => void): void; removeListener(e: string, f: (p: any) => void): void } };
    }
  ).server.mdns;
  const answers: string[] = [];
  const onResponse = (packet: any) => {
    for (const rr of [...packet.answers, ...packet.additionals])
      if (rr.type === 'A' && rr.name.toLowerCase() === (instance + '.local').toLowerCase()) answers.push(rr.data);
  };
  mdns.on('response', onResponse);
  try {
    await waitFor(
      'an A record for ' + instance + '.local',
      () => {
        mdns.query({ questions: [{ name: instance + '.local', type: 'A' }] });
        return answers.length > 0;
      },
      10000,
      500,
    );
  } finally {
    mdns.removeListener('response', onResponse);
  }
  // Connecting by that name, a client sends it as Host: the box must take it as its own (not 421).
  const byName = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: answers[0], port: host.port, path: '/api', setHost: false, agent: false, headers: { host: `${instance}.local:${host.port}` } },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
  expect(byName.status).toBe(200);
  expect(JSON.parse(byName.body).serial).toBe(serial);
});

test('not advertised when the server only listens on loopback', async () => {
  const other = randomBytes(6);
  other[0] = (other[0] | 0x02) & 0xfe;
  const local = await startHost({
    port: 0,
    host: '127.0.0.1',
    settingsPath: join(tempDir('meterbox-mdns-lo-'), 's.json'),
    quiet: true,
    passwordIterations: 100,
    serial: other.toString('hex'),
  });
  try {
    const seen: string[] = [];
    const b = browser.find({ type: 'hwenergy' }, (s) => seen.push(s.name));
    await new Promise((r) => setTimeout(r, 3000));
    b.stop();
    expect(seen).toContain(instance); // the browser works...
    expect(seen).not.toContain('p1meter-' + other.toString('hex').slice(-6).toUpperCase()); // ...and the loopback box stays quiet
  } finally {
    await local.close();
  }
});
