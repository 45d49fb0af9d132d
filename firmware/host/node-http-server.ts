/**
 * node:http <-> AppRequest/AppResponse. Enforces the body limit BEFORE the app sees anything
 * (413 with the reason), streams upload routes chunk by chunk into the app's UploadSink (the
 * same calls the Moddable server makes), and never lets a handler error kill the process.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { App } from '../app/app';
import type { AppRequest, AppResponse, UploadRoute } from '../app/http-types';
import { MAX_JSON_BODY_BYTES } from '../app/http-util';

export function toAppRequest(req: IncomingMessage, body?: string): AppRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => { query[key] = value; });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep the raw path; the router answers 404
  }
  const request: AppRequest = { method: (req.method ?? 'GET').toUpperCase(), path, query, headers, remote: req.socket.remoteAddress ?? 'unknown' };
  if (body !== undefined) request.body = body;
  return request;
}

function send(res: ServerResponse, response: AppResponse, head = false): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  const body = response.body ?? '';
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  headers['content-length'] = String(bytes.length);
  res.writeHead(response.status, headers);
  res.end(head ? undefined : bytes);
}

function plainError(status: number, error: string): AppResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ error }) };
}

export interface NodeServerOptions {
  maxBodyBytes?: number;
}

export function createNodeServer(app: App, options: NodeServerOptions = {}): Server {
  const maxBody = options.maxBodyBytes ?? MAX_JSON_BODY_BYTES;
  const server = createServer((req, res) => {
    const head = req.method === 'HEAD';
    const request = toAppRequest(req);
    const upload = app.uploadRoute(request.method, request.path);
    if (upload) {
      handleUpload(app, upload, request, req, res);
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      send(res, plainError(413, `body larger than ${maxBody} bytes`));
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBody) {
        refused = true;
        res.setHeader('connection', 'close');
        send(res, plainError(413, `body larger than ${maxBody} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      if (size > 0) request.body = Buffer.concat(chunks).toString('utf8');
      app.handle(request).then(
        (response) => send(res, response, head),
        (e: unknown) => send(res, plainError(500, 'internal error: ' + (e instanceof Error ? e.message : String(e)))),
      );
    });
    req.on('error', () => undefined);
  });
  // Slow or idle clients must not hold the server.
  server.requestTimeout = 60000;
  server.headersTimeout = 15000;
  return server;
}

function handleUpload(app: App, route: UploadRoute, request: AppRequest, req: IncomingMessage, res: ServerResponse): void {
  const begun = app.beginUpload(route, request);
  if (!('write' in begun)) {
    res.setHeader('connection', 'close');
    send(res, begun);
    req.destroy();
    return;
  }
  const sink = begun;
  let size = 0;
  let finished = false;
  const fail = (status: number, reason: string) => {
    if (finished) return;
    finished = true;
    sink.abort(reason);
    res.setHeader('connection', 'close');
    send(res, plainError(status, reason));
    req.destroy();
  };
  req.on('data', (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > route.maxBytes) return fail(413, `upload exceeds the limit of ${route.maxBytes} bytes`);
    const problem = sink.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (typeof problem === 'string') fail(400, problem);
  });
  req.on('end', () => {
    if (finished) return;
    finished = true;
    Promise.resolve()
      .then(() => sink.end())
      .then(
        (response) => send(res, response),
        (e: unknown) => send(res, plainError(500, 'internal error: ' + (e instanceof Error ? e.message : String(e)))),
      );
  });
  req.on('close', () => {
    if (!finished) {
      finished = true;
      sink.abort('connection closed before the upload ended');
    }
  });
  req.on('error', () => undefined);
}
