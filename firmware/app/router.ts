/**
 * The one place where requests meet routes. Every request passes the same gates here, in order,
 * for every route, including routes other modules add (provisioning, OTA):
 *   1. Host: only the box's own names (lan/host-check.ts, DNS rebinding) -> 421
 *   2. for state-changing methods: same-origin only (lan/cross-site.ts) -> 403, JSON bodies only -> 415
 *   3. body nesting at most MAX_JSON_DEPTH before any handler parses it (lan/json-depth.ts) -> 400
 *   4. authentication: a route with `mutates: true` needs a session, a read route needs read
 *      access, a `public` route needs nothing -> 401
 * Handlers never check these themselves, so a forgotten check cannot open a hole. WebSocket
 * upgrades pass gates 1, 2 (always: a handshake is where a foreign page would ride) and read
 * access through liveRefusal(); streamed uploads pass 1, 2 (Origin) and 4 in beginUpload().
 *
 * Paths match exactly (no patterns: no RegExp on the device). A path with a route but not for
 * this method answers 405 with Allow; an unknown path falls through to static assets, then 404.
 */
import type { AppRequest, AppResponse, Route, UploadRoute, UploadSink } from './http-types';
import type { AccessControl } from './auth/access-control';
import { errorResponse } from './http-util';
import { hostProblem } from './lan/host-check';
import { bodyTypeProblem, changesState, crossSiteProblem } from './lan/cross-site';
import { MAX_JSON_DEPTH, jsonNestsDeeperThan } from './lan/json-depth';

export interface RouterLanPolicy {
  /** Names and addresses the box answers to besides loopback and the arrival address (mDNS name, LAN addresses, configured names). */
  ownNames(): readonly string[];
}

const NO_NAMES: RouterLanPolicy = { ownNames: () => [] };

export class Router {
  private readonly routes: Route[] = [];
  private readonly uploads: UploadRoute[] = [];

  constructor(
    private readonly access: AccessControl,
    private readonly fallback: (request: AppRequest) => AppResponse | undefined,
    private readonly lan: RouterLanPolicy = NO_NAMES,
  ) {}

  add(route: Route): void {
    if (this.routes.some((r) => r.method === route.method && r.path === route.path)) {
      throw new Error(`route ${route.method} ${route.path} registered twice`);
    }
    this.routes.push(route);
  }

  addUpload(route: UploadRoute): void {
    this.uploads.push(route);
  }

  list(): Array<{ method: string; path: string; mutates: boolean; public: boolean }> {
    return this.routes
      .map((r) => ({ method: r.method, path: r.path, mutates: r.mutates === true, public: r.public === true }))
      .concat(this.uploads.map((u) => ({ method: u.method, path: u.path, mutates: true, public: false })));
  }

  /** Gate 1 and, where the request changes state (or is an upgrade), gate 2's origin check. */
  private lanRefusal(request: AppRequest, crossSiteMatters: boolean): AppResponse | undefined {
    const misdirected = hostProblem(request.headers['host'], this.lan.ownNames(), request.localAddress);
    if (misdirected) return errorResponse(421, misdirected);
    if (crossSiteMatters) {
      const foreign = crossSiteProblem(request);
      if (foreign) return errorResponse(403, foreign, { crossSite: true });
    }
    return undefined;
  }

  async handle(request: AppRequest): Promise<AppResponse> {
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    let route: Route | undefined;
    let pathMatched = false;
    for (const candidate of this.routes) {
      if (candidate.path !== request.path) continue;
      pathMatched = true;
      if (candidate.method === method) route = candidate;
    }
    if (!route || !route.anyHost) {
      const refusal = this.lanRefusal(request, changesState(method));
      if (refusal) return refusal;
    }
    if (changesState(method)) {
      const wrongType = bodyTypeProblem(request);
      if (wrongType) return errorResponse(415, wrongType);
    }
    if (request.body !== undefined && jsonNestsDeeperThan(request.body, MAX_JSON_DEPTH)) {
      return errorResponse(400, `body nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    if (route) {
      const refusal = this.access.gate(request, route.mutates ? 'mutate' : route.public ? 'public' : 'read');
      if (refusal) return refusal;
      try {
        return await route.handler(request);
      } catch (e) {
        return errorResponse(500, 'internal error: ' + (e instanceof Error ? e.message : String(e)));
      }
    }
    for (const upload of this.uploads) {
      if (upload.path === request.path) {
        pathMatched = true;
        if (upload.method === method) return errorResponse(400, 'this route takes a streamed upload body');
      }
    }
    if (pathMatched) {
      const allowed = this.routes
        .filter((r) => r.path === request.path)
        .map((r) => r.method)
        .concat(this.uploads.filter((u) => u.path === request.path).map((u) => u.method));
      return errorResponse(405, `method ${request.method} not allowed here`, undefined, { allow: allowed.join(', ') });
    }
    if (method === 'GET') {
      const asset = this.fallback(request);
      if (asset) return asset;
    }
    return errorResponse(404, `no such endpoint: ${request.path}`);
  }

  /** Why a WebSocket upgrade may not proceed (421, 403 or 401), or undefined when it may. */
  liveRefusal(request: AppRequest): AppResponse | undefined {
    return this.lanRefusal(request, true) ?? this.access.gate(request, 'read');
  }

  uploadRoute(method: string, path: string): UploadRoute | undefined {
    for (const u of this.uploads) if (u.method === method && u.path === path) return u;
    return undefined;
  }

  /**
   * Starts a streamed upload after the central checks. Returns the sink, or the response to send
   * instead (421, 403, 401, 413 when the announced length is too big, or the route's own refusal).
   */
  beginUpload(route: UploadRoute, request: AppRequest): UploadSink | AppResponse {
    const refusal = this.lanRefusal(request, true) ?? this.access.gate(request, 'mutate');
    if (refusal) return refusal;
    const length = Number(request.headers['content-length']);
    if (Number.isFinite(length) && length > route.maxBytes) {
      return errorResponse(413, `upload of ${length} bytes exceeds the limit of ${route.maxBytes} bytes`);
    }
    try {
      return route.begin(request);
    } catch (e) {
      return errorResponse(500, 'internal error: ' + (e instanceof Error ? e.message : String(e)));
    }
  }
}
