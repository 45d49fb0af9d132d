// How the box presents itself as a HomeWizard P1 meter (firmware/app/homewizard-identity.ts), and
// that the device's provisioning starts mDNS under that name once it has joined the home Wi-Fi
// (firmware/moddable/main.ts passes mdnsHostName to the provisioning machine).
import { homeWizardHostName, homeWizardTxt, serialFromMac, wifiStrengthPercent } from '../../firmware/app/homewizard-identity';
import { ProvisioningMachine } from '../../firmware/app/provisioning/provisioning-machine';

const mac = Uint8Array.from([0x3c, 0x39, 0xe7, 0xaa, 0xbb, 0xcc]);

test('serial = the MAC as 12 lower-case hex digits; name p1meter-<last 6>, as HomeWizard documents', () => {
  expect(serialFromMac(mac)).toBe('3c39e7aabbcc');
  expect(homeWizardHostName('3c39e7aabbcc')).toBe('p1meter-AABBCC');
  expect(homeWizardTxt('3c39e7aabbcc')).toEqual({
    api_enabled: '1',
    path: '/api/v1',
    serial: '3c39e7aabbcc',
    product_type: 'HWE-P1',
    product_name: 'P1 Meter',
  });
});

test("Wi-Fi dBm -> %, the mapping of HomeWizard's own library", () => {
  expect([-100, -90, -75, -50, -30, 0].map((d) => wifiStrengthPercent(d))).toEqual([0, 20, 50, 100, 100, 0]);
  expect(wifiStrengthPercent(undefined)).toBeUndefined();
  expect(wifiStrengthPercent(NaN)).toBeUndefined();
});

test('device provisioning: mDNS starts as p1meter-XXXXXX once the station is connected, and the status says so', () => {
  let mdns: string | undefined;
  const machine = new ProvisioningMachine({
    identity: { macAddress: mac, deviceSecret: new Uint8Array(32).fill(3) },
    wifi: {
      scan: async () => [],
      startAccessPoint: () => {},
      stopAccessPoint: () => {},
      connectStation: () => {},
      disconnectStation: () => {},
      onStationEvent: () => {},
      accessPointAddress: () => '192.168.4.1',
      mode: () => 'sta',
    },
    dns: { start: () => {}, stop: () => {} },
    mdns: {
      start: (name) => {
        mdns = name;
      },
      stop: () => {
        mdns = undefined;
      },
    },
    store: { load: () => ({ ssid: 'Home', password: 'pass-word' }), save: () => {}, clear: () => {} },
    mdnsHostName: homeWizardHostName(serialFromMac(mac)),
  });
  machine.start(0);
  machine.onStationEvent({ type: 'connected', ip: '192.168.1.50' }, 1000);
  expect(mdns).toBe('p1meter-AABBCC');
  expect(machine.status(1000).mdnsName).toBe('p1meter-AABBCC.local');
});
