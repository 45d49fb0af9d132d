/**
 * mDNS on a PC (bonjour-service, a maintained pure-JavaScript responder; it shares port 5353 with
 * Avahi): the box as a HomeWizard P1 meter, `_hwenergy._tcp` with instance and host name
 * p1meter-XXXXXX and its TXT record (firmware/app/homewizard-identity.ts), and `_http._tcp` for
 * browsers, both on the HTTP server's port. The host name p1meter-XXXXXX.local answers with this
 * machine's addresses. SmartEVSE and Home Assistant find the box by this; only advertised when the
 * server listens beyond loopback (start-host.ts).
 */
import { Bonjour } from 'bonjour-service';
import { HOMEWIZARD_SERVICE_TYPE, homeWizardHostName, homeWizardTxt } from '../app/homewizard-identity';

export interface MdnsAdvertisement {
  /** p1meter-XXXXXX.local */
  hostName: string;
  stop(): Promise<void>;
}

export function advertiseOnMdns(options: { serial: string; port: number; log: (message: string) => void }): MdnsAdvertisement {
  const bonjour = new Bonjour(undefined, (error: unknown) => options.log('mDNS: ' + (error instanceof Error ? error.message : String(error))));
  const name = homeWizardHostName(options.serial);
  const host = name + '.local';
  const services = [
    bonjour.publish({ name, type: HOMEWIZARD_SERVICE_TYPE, protocol: 'tcp', port: options.port, host, txt: homeWizardTxt(options.serial) }),
    bonjour.publish({ name: 'meterbox ' + name.slice('p1meter-'.length), type: 'http', protocol: 'tcp', port: options.port, host, txt: { path: '/' } }),
  ];
  for (const service of services) service.on('error', (error: unknown) => options.log('mDNS: ' + String(error)));
  return {
    hostName: host,
    stop: () =>
      new Promise<void>((resolve) => {
        bonjour.unpublishAll(() => {
          bonjour.destroy(() => resolve());
        });
      }),
  };
}
