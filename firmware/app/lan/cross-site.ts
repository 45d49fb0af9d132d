/**
 * Cross-site guard for requests that change something, and for WebSocket upgrades.
 *
 * A page on another site can make the owner's browser send the box requests: a form POST (types
 * text/plain, application/x-www-form-urlencoded, multipart/form-data), or fetch/sendBeacon in
 * "no-cors" mode. It cannot read the answers, but it could claim an unclaimed box, change settings
 * where a session cookie rode along, or burn the owner's login attempts. Browsers mark every such
 * request: `Origin` on every non-GET request and on every WebSocket handshake (all current browsers),
 * `Sec-Fetch-Site` on all requests (Chromium, Firefox, Safari since 2023). So the box refuses:
 *   - a state-changing request or upgrade whose Origin is not this box's own (scheme://Host),
 *     including the opaque "null" origin of sandboxed frames and file pages
 *   - one whose Sec-Fetch-Site says it came from another site ("cross-site", "same-site")
 *   - a body declared as anything but JSON (415): the three form types above are exactly what a
 *     cross-site form can send without asking the box first.
 * Scripts (curl, Home Assistant, chargers) send no Origin and pass. A body with no Content-Type at
 * all is accepted: a browser only sends one without a type from fetch/XHR, which always carry
 * Origin, while every form declares its type.
 */
import type { AppRequest } from '../http-types';
import { splitHost } from './host-check';

/** True for methods that may change state (everything but GET, HEAD, OPTIONS). */
export function changesState(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

/** Undefined when the request comes from this box's own page or from no browser page at all. */
export function crossSiteProblem(request: AppRequest): string | undefined {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return `refused: the browser says this request came from another site (sec-fetch-site: ${fetchSite.slice(0, 20)})`;
  }
  const origin = request.headers['origin'];
  if (origin === undefined) return undefined;
  const host = request.headers['host'];
  if (origin !== 'null' && host !== undefined) {
    const scheme = origin.slice(0, 7) === 'http://' ? 7 : origin.slice(0, 8) === 'https://' ? 8 : 0;
    // Origin is scheme://host[:port] with nothing after it; compare it with Host
    if (scheme > 0 && origin.indexOf('/', scheme) < 0) {
      const from = splitHost(origin.slice(scheme));
      const to = splitHost(host);
      if (from.name === to.name && samePort(from.port, to.port, scheme === 7 ? '80' : '443')) return undefined;
    }
  }
  return `refused: request from another site's page (origin ${origin.slice(0, 100)})`;
}

/** Same port, where none equals the scheme's default (browsers drop it from Origin, some clients keep it in Host). */
function samePort(originPort: string, hostPort: string, defaultPort: string): boolean {
  return (originPort || defaultPort) === (hostPort || defaultPort);
}

/** Undefined when a state-changing request's body is JSON (or undeclared, see above), else the 415 reason. */
export function bodyTypeProblem(request: AppRequest): string | undefined {
  if (request.body === undefined || request.body === '') return undefined;
  const declared = request.headers['content-type'];
  if (declared === undefined) return undefined;
  const semicolon = declared.indexOf(';');
  const type = (semicolon < 0 ? declared : declared.slice(0, semicolon)).trim().toLowerCase();
  if (type === 'application/json') return undefined;
  return `request bodies must be JSON (content-type: application/json), not ${type.slice(0, 60) || 'an empty type'}`;
}
