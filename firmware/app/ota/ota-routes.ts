/**
 * HTTP face of the OTA machine:
 *   GET  /api/v1/firmware   state, running version and slot, slots, last result (read access)
 *   POST /api/v1/firmware/confirm   (mutates) the owner keeps the new image on trial: confirmed
 *   POST /api/v1/firmware   streamed image upload (mutates: the router demands a session);
 *                           `?force=1` allows an older or not comparable version (never another
 *                           project or chip). 200 {ok, version, ...} then the box restarts;
 *                           4xx {error: reason} when the image is refused, the slot untouched.
 *   POST /api/v1/firmware/url {url, force?}   (mutates; only when the platform gives an ImageFetcher)
 *                           the box downloads the image itself (http/https) into the same checks;
 *                           202 at once, then GET /api/v1/firmware shows receiving / lastResult.
 * A new image on trial is kept when it decodes a meter frame (the platform's wiring reports that)
 * or when the logged-in owner confirms it (the update page does, once the new image answers it).
 * No anonymous request confirms an image: reading the status does not.
 */
import type { AppResponse, Route, UploadRoute, UploadSink } from '../http-types';
import type { Clock } from '../ports';
import { errorResponse, jsonResponse, readJsonObject, unknownKeys } from '../http-util';
import type { OtaMachine } from './ota-machine';
import type { ImageFetcher } from './ota-ports';

export const FIRMWARE_PATH = '/api/v1/firmware';

function truthy(value: string | undefined): boolean {
  return value === '1' || value === 'true' || value === 'yes';
}

/** Why a pull URL is not acceptable, or undefined. */
export function pullUrlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.length === 0) return 'url is required';
  if (url.length > 512) return 'url is longer than 512 characters';
  const lower = url.toLowerCase();
  if (lower.slice(0, 7) !== 'http://' && lower.slice(0, 8) !== 'https://') return 'url must start with http:// or https://';
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return 'url must be plain ASCII without spaces';
  }
  return undefined;
}

export function createOtaRoutes(
  ota: OtaMachine,
  clock: Clock,
  maxUploadBytes: number,
  fetcher?: ImageFetcher,
): { routes: Route[]; uploadRoutes: UploadRoute[] } {
  const status: Route = {
    method: 'GET',
    path: FIRMWARE_PATH,
    handler: () => jsonResponse(200, ota.status(clock.nowMs())),
  };
  const confirm: Route = {
    method: 'POST',
    path: FIRMWARE_PATH + '/confirm',
    mutates: true,
    handler: () => {
      const now = clock.nowMs();
      if (ota.status(now).state !== 'pending-verify') return errorResponse(409, 'no new image is waiting to be confirmed');
      ota.reportHealthy('owner', now);
      return jsonResponse(200, ota.status(now));
    },
  };
  const upload: UploadRoute = {
    method: 'POST',
    path: FIRMWARE_PATH,
    mutates: true,
    maxBytes: maxUploadBytes,
    begin(request): UploadSink | AppResponse {
      const lengthText = request.headers['content-length'];
      const length = lengthText !== undefined && lengthText !== '' ? Number(lengthText) : undefined;
      if (length !== undefined && (!Number.isInteger(length) || length < 0)) return errorResponse(400, 'bad content-length');
      const opened = ota.beginUpload({ sizeBytes: length, force: truthy(request.query['force']) }, clock.nowMs());
      if (!opened.ok) return errorResponse(opened.status, opened.reason);
      const session = opened.session;
      return {
        write: (chunk) => session.write(chunk, clock.nowMs()),
        end: () => {
          const verdict = session.end(clock.nowMs());
          if (!verdict.ok) return errorResponse(422, verdict.reason);
          return jsonResponse(200, {
            ok: true,
            version: verdict.info.version,
            sizeBytes: verdict.info.sizeBytes,
            hashChecked: verdict.info.hashChecked,
            idfVersion: verdict.info.idfVersion,
            rebootInMs: Math.max(0, verdict.rebootAtMs - clock.nowMs()),
          });
        },
        abort: (reason) => session.abort(reason, clock.nowMs()),
      };
    },
  };
  const routes: Route[] = [status, confirm];
  if (fetcher) {
    routes.push({
      method: 'POST',
      path: FIRMWARE_PATH + '/url',
      mutates: true,
      handler: (request) => {
        const body = readJsonObject(request);
        if (!body.ok) return body.response;
        const extra = unknownKeys(body.value, ['url', 'force']);
        if (extra.length) return errorResponse(400, `unknown field "${extra[0]}"`);
        const url = body.value.url;
        const problem = pullUrlProblem(url);
        if (problem) return errorResponse(400, problem);
        const opened = ota.beginUpload({ force: body.value.force === true }, clock.nowMs());
        if (!opened.ok) return errorResponse(opened.status, opened.reason);
        const session = opened.session;
        let done = false;
        fetcher.fetch(url as string, {
          onChunk: (chunk) => session.write(chunk, clock.nowMs()),
          onEnd: () => {
            if (done) return;
            done = true;
            session.end(clock.nowMs());
          },
          onError: (reason) => {
            if (done) return;
            done = true;
            session.abort(`download failed: ${reason}`, clock.nowMs());
          },
        });
        return jsonResponse(202, { downloading: true, url });
      },
    });
  }
  return { routes, uploadRoutes: [upload] };
}
