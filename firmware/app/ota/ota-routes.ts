/**
 * HTTP face of the OTA machine:
 *   GET  /api/v1/firmware   state, running version and slot, slots, last result (read access)
 *   POST /api/v1/firmware   streamed image upload (mutates: the router demands a session);
 *                           `?force=1` allows an older or not comparable version (never another
 *                           project or chip). 200 {ok, version, ...} then the box restarts;
 *                           4xx {error: reason} when the image is refused, the slot untouched.
 * An answered GET /api/v1/firmware also counts as the "web server answered" health signal: the
 * update page polls it after the restart, so a new image that serves the page confirms itself.
 */
import type { AppResponse, Route, UploadRoute, UploadSink } from '../http-types';
import type { Clock } from '../ports';
import { errorResponse, jsonResponse } from '../http-util';
import type { OtaMachine } from './ota-machine';

export const FIRMWARE_PATH = '/api/v1/firmware';

function truthy(value: string | undefined): boolean {
  return value === '1' || value === 'true' || value === 'yes';
}

export function createOtaRoutes(ota: OtaMachine, clock: Clock, maxUploadBytes: number): { routes: Route[]; uploadRoutes: UploadRoute[] } {
  const status: Route = {
    method: 'GET',
    path: FIRMWARE_PATH,
    handler: () => {
      const now = clock.nowMs();
      ota.reportHealthy('http', now);
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
  return { routes: [status], uploadRoutes: [upload] };
}
