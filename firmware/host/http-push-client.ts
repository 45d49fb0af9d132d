/**
 * Node's HTTP client for the charger pushes (the HttpPushClient of
 * firmware/app/outputs/http-push-port.ts): one plain http:// request per call, no keep-alive (the
 * chargers' small web servers have few sockets), a hard time-out, and at most
 * MAX_PUSH_RESPONSE_BYTES of the answer read. `done` is called exactly once; nothing throws.
 */
import { request } from 'node:http';
import type { HttpPushClient, PushRequest, PushResult } from '../app/outputs/http-push-port';
import { MAX_PUSH_RESPONSE_BYTES } from '../app/outputs/http-push-port';

export class NodeHttpPushClient implements HttpPushClient {
  send(req: PushRequest, done: (result: PushResult) => void): void {
    let url: URL;
    try {
      url = new URL(req.url);
      if (url.protocol !== 'http:') throw new Error('only http:// is supported');
    } catch (e) {
      done({ error: 'bad url: ' + (e instanceof Error ? e.message : String(e)) });
      return;
    }
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: PushResult) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      done(result);
    };
    const headers: Record<string, string> = { connection: 'close' };
    const body = req.body !== undefined ? Buffer.from(req.body, 'utf8') : undefined;
    if (body) headers['content-length'] = String(body.length);
    else if (req.method === 'POST') headers['content-length'] = '0';
    if (req.contentType) headers['content-type'] = req.contentType;
    const r = request(url, { method: req.method, headers, agent: false });
    timer = setTimeout(() => {
      r.destroy();
      finish({ error: `no answer within ${req.timeoutMs} ms` });
    }, req.timeoutMs);
    timer.unref();
    r.on('error', (e) => finish({ error: e.message }));
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_PUSH_RESPONSE_BYTES) {
          r.destroy();
          finish({ status: res.statusCode, error: `answer larger than ${MAX_PUSH_RESPONSE_BYTES} bytes` });
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => finish({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish({ status: res.statusCode, error: e.message }));
    });
    r.end(body);
  }
}
