/**
 * The device's HTTP client for the charger pushes (the HttpPushClient of
 * firmware/app/outputs/http-push-port.ts), on the SDK's HTTP client (`http` Request, modules/network/http:
 * "Connection: close", host names resolved by lwIP's DNS).
 *
 * - A hard time-out (Timer): the request is closed and `done` gets the error.
 * - An answer announcing more than MAX_PUSH_RESPONSE_BYTES is refused before its body is read.
 * - A POST with an empty body carries "content-length: 0" (the SDK leaves it out for an empty
 *   body; SmartEVSE's web server would wait for a body).
 * `done` is called exactly once; nothing throws out of send().
 */
import { Request } from 'http';
import Timer from 'timer';
import type { HttpPushClient, PushRequest, PushResult } from '../../app/outputs/http-push-port';
import { MAX_PUSH_RESPONSE_BYTES } from '../../app/outputs/http-push-port';

/** host, port and path of an http:// URL (the settings only let such URLs through). */
export function splitHttpUrl(url: string): { host: string; port: number; path: string } | undefined {
  const m = /^http:\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?(\/[^#]*)?$/.exec(url);
  if (!m) return undefined;
  const port = m[2] ? Number(m[2]) : 80;
  if (!(port >= 1 && port <= 65535)) return undefined;
  return { host: m[1] as string, port, path: m[3] || '/' };
}

export class ModdableHttpPushClient implements HttpPushClient {
  send(req: PushRequest, done: (result: PushResult) => void): void {
    const target = splitHttpUrl(req.url);
    if (!target) {
      done({ error: 'bad url: ' + req.url });
      return;
    }
    let finished = false;
    let request: Request | undefined;
    let status: number | undefined;
    let timer: Timer | undefined;
    const finish = (result: PushResult) => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) Timer.clear(timer);
      const r = request;
      request = undefined;
      try {
        r?.close();
      } catch {
        /* closed already */
      }
      done(result);
    };
    const headers: (string | number)[] = [];
    if (req.contentType) headers.push('content-type', req.contentType);
    if (req.method === 'POST' && !req.body) headers.push('content-length', 0);
    try {
      const options: Record<string, unknown> = { host: target.host, port: target.port, path: target.path, method: req.method, headers, response: String };
      if (req.body) options.body = req.body;
      request = new Request(options as ConstructorParameters<typeof Request>[0]);
    } catch (e) {
      finish({ error: 'cannot connect: ' + String(e) });
      return;
    }
    timer = Timer.set(() => {
      timer = undefined;
      finish({ error: `no answer within ${req.timeoutMs} ms` });
    }, req.timeoutMs);
    request.callback = (message: number, value?: unknown, etc?: unknown): void => {
      if (message === Request.status) status = value as number;
      else if (message === Request.header) {
        if (String(value).toLowerCase() === 'content-length' && Number(etc) > MAX_PUSH_RESPONSE_BYTES) {
          finish({ status, error: `answer larger than ${MAX_PUSH_RESPONSE_BYTES} bytes` });
        }
      } else if (message === Request.responseComplete) {
        finish({ status, body: typeof value === 'string' ? value : '' });
      } else if (message < 0) {
        finish({ status, error: 'connection failed or closed early' });
      }
    };
  }
}
