/**
 * The one place where requests meet routes. Authentication is enforced HERE, for every route,
 * including routes other modules add (provisioning, OTA): a route with `mutates: true` needs a
 * session, a read route needs read access, a `public` route needs nothing. Handlers never check
 * auth themselves, so a forgotten check cannot open a hole.
 *
 * Paths match exactly (no patterns: no RegExp on the device). A path with a route but not for
 * this method answers 405 with Allow; an unknown path falls through to static assets, then 404.
 */
import type { AppRequest, AppResponse, Route, UploadRoute, UploadSink } from './http-types';
import type { AccessControl } from './auth/access-control';
import { errorResponse } from './http-util';

export class Router {
  private readonly routes: Route[] = [];
  private readonly uploads: UploadRoute[] = [];

  constructor(
    private readonly access: AccessControl,
    private readonly fallback: (request: AppRequest) => AppResponse | undefined,
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
    return this.routes.map((r) => ({ method: r.method, path: r.path, mutates: r.mutates === true, public: r.public === true }))
      .concat(this.uploads.map((u) => ({ method: u.method, path: u.path, mutates: true, public: false })));
  }

  async handle(request: AppRequest): Promise<AppResponse> {
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    let pathMatched = false;
    for (const route of this.routes) {
      if (route.path !== request.path) continue;
      pathMatched = true;
      if (route.method !== method) continue;
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
      const allowed = this.routes.filter((r) => r.path === request.path).map((r) => r.method)
        .concat(this.uploads.filter((u) => u.path === request.path).map((u) => u.method));
      return errorResponse(405, `method ${request.method} not allowed here`, undefined, { allow: allowed.join(', ') });
    }
    if (method === 'GET') {
      const asset = this.fallback(request);
      if (asset) return asset;
    }
    return errorResponse(404, `no such endpoint: ${request.path}`);
  }

  uploadRoute(method: string, path: string): UploadRoute | undefined {
    for (const u of this.uploads) if (u.method === method && u.path === path) return u;
    return undefined;
  }

  /**
   * Starts a streamed upload after the central auth check. Returns the sink, or the response to
   * send instead (401, 413 when the announced length is too big, or the route's own refusal).
   */
  beginUpload(route: UploadRoute, request: AppRequest): UploadSink | AppResponse {
    const refusal = this.access.gate(request, 'mutate');
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
