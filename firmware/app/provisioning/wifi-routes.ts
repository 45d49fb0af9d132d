/**
 * HTTP face of provisioning:
 *   GET  /api/v1/wifi/status    AP and station state, the running setup test (read access)
 *   GET  /api/v1/wifi/scan      visible networks, strongest first (read access)
 *   POST /api/v1/wifi/connect   {ssid, password}: test, and save only if it works (mutates)
 *                               202 at once; the page polls status.test for the outcome
 *   POST /api/v1/wifi/forget    clear the stored network, back to the setup AP (mutates)
 * Captive-portal probes (Android generate_204, Apple hotspot-detect, Windows connecttest/ncsi)
 * are answered with a redirect to the setup page while the AP is up, so phones pop it up.
 * The status never contains a password.
 */
import type { AppResponse, Route } from '../http-types';
import type { Clock } from '../ports';
import { errorResponse, jsonResponse, readJsonObject, unknownKeys } from '../http-util';
import type { ProvisioningMachine } from './provisioning-machine';

export const CAPTIVE_PROBE_PATHS = [
  '/generate_204',
  '/gen_204',
  '/hotspot-detect.html',
  '/library/test/success.html',
  '/connecttest.txt',
  '/ncsi.txt',
  '/redirect',
  '/canonical.html',
  '/success.txt',
];

export function createWifiRoutes(machine: ProvisioningMachine, clock: Clock, accessPointAddress: () => string): Route[] {
  const routes: Route[] = [
    { method: 'GET', path: '/api/v1/wifi/status', handler: () => jsonResponse(200, machine.status(clock.nowMs())) },
    {
      method: 'GET',
      path: '/api/v1/wifi/scan',
      handler: async () => {
        try {
          const networks = await machine.scan(clock.nowMs());
          return jsonResponse(200, { networks });
        } catch (e) {
          return errorResponse(503, 'scan failed: ' + (e instanceof Error ? e.message : String(e)));
        }
      },
    },
    {
      method: 'POST',
      path: '/api/v1/wifi/connect',
      mutates: true,
      handler: (request) => {
        const body = readJsonObject(request);
        if (!body.ok) return body.response;
        const extra = unknownKeys(body.value, ['ssid', 'password']);
        if (extra.length) return errorResponse(400, `unknown field "${extra[0]}"`);
        const password = body.value.password === undefined ? '' : body.value.password;
        const problem = machine.testAndSave({ ssid: body.value.ssid as string, password: password as string }, clock.nowMs());
        if (problem) return errorResponse(/^already testing/.test(problem) ? 409 : 400, problem);
        return jsonResponse(202, { testing: true, ssid: body.value.ssid });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/wifi/forget',
      mutates: true,
      handler: () => {
        machine.forget(clock.nowMs());
        return jsonResponse(200, { forgotten: true });
      },
    },
  ];
  for (const path of CAPTIVE_PROBE_PATHS) {
    routes.push({
      method: 'GET',
      path,
      public: true,
      // A phone asks its own probe host (connectivitycheck.gstatic.com, captive.apple.com...),
      // which the setup AP's DNS points at the box: these answers carry no data, so any Host.
      anyHost: true,
      handler: (): AppResponse => {
        if (!machine.isAccessPointActive()) return errorResponse(404, `no such endpoint: ${path}`);
        const location = `http://${accessPointAddress()}/setup/`;
        return {
          status: 302,
          headers: { location, 'cache-control': 'no-store', 'content-type': 'text/html' },
          body: `<a href="${location}">Set up meterbox</a>`,
        };
      },
    });
  }
  return routes;
}
