// The Node HTTP adapter's streamed upload support (what OTA uses), with a test upload route added
// through extraUploadRoutes: authentication before any byte is read, chunks in order, size limit,
// a sink refusing mid-stream, and the connection dropping.
import { request } from 'node:http';
import { join } from 'node:path';
import { startHost } from '../../firmware/host/start-host';
import type { RunningHost } from '../../firmware/host/start-host';
import type { UploadSink } from '../../firmware/app/http-types';
import { getJson, tempDir, waitFor } from './helpers';

let host: RunningHost;
let token: string;
const events: string[] = [];
let received: number[] = [];

beforeAll(async () => {
  host = await startHost({
    port: 0,
    host: '127.0.0.1',
    settingsPath: join(tempDir('meterbox-upload-'), 's.json'),
    quiet: true,
    passwordIterations: 10,
    extraUploadRoutes: [
      {
        method: 'POST',
        path: '/api/v1/test-upload',
        mutates: true,
        maxBytes: 100_000,
        begin: (): UploadSink => {
          received = [];
          events.push('begin');
          return {
            write: (chunk) => {
              for (const b of chunk) received.push(b);
              // A sink may refuse content: here, any 0xFF byte.
              return chunk.indexOf(0xff) >= 0 ? 'byte 0xFF is not allowed' : undefined;
            },
            end: () => {
              events.push('end');
              return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bytes: received.length }) };
            },
            abort: (reason) => {
              events.push('abort: ' + reason);
            },
          };
        },
      },
    ],
  });
  token = (await getJson(host.url + '/api/v1/auth/setup', { method: 'POST', body: JSON.stringify({ password: 'upload test pw' }) })).body.token;
});
afterAll(async () => {
  await host.close();
});

function upload(chunks: Uint8Array[], headers: Record<string, string>, dropAfterFirst = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(host.url + '/api/v1/test-upload', { method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', (e) => (dropAfterFirst ? resolve({ status: 0, body: String(e) }) : reject(e)));
    let i = 0;
    const next = () => {
      if (i === chunks.length) return req.end();
      req.write(chunks[i++]);
      if (dropAfterFirst && i === 1) return setTimeout(() => req.destroy(), 100);
      setTimeout(next, 5);
    };
    next();
  });
}

const bytes = (n: number, start = 0) => new Uint8Array(n).map((_, i) => (start + i) % 250);

test('without a session the upload is refused before the sink exists', async () => {
  events.length = 0;
  const r = await upload([bytes(100)], { 'content-length': '100' });
  expect(r.status).toBe(401);
  expect(events).toEqual([]);
});

test('chunks arrive in order and end() answers', async () => {
  events.length = 0;
  const chunks = [bytes(1000), bytes(3000, 1000), bytes(10, 4000)];
  const r = await upload(chunks, { authorization: 'Bearer ' + token, 'content-length': '4010' });
  expect(r.status).toBe(200);
  expect(JSON.parse(r.body)).toEqual({ bytes: 4010 });
  expect(received).toEqual(Array.from(bytes(4010)));
  expect(events).toEqual(['begin', 'end']);
});

test('an announced size over maxBytes is 413 before any byte; an unannounced one is cut at the limit', async () => {
  events.length = 0;
  const announced = await upload([bytes(10)], { authorization: 'Bearer ' + token, 'content-length': '200000' }, true);
  expect(announced.status === 413 || announced.status === 0).toBe(true);
  expect(events).toEqual([]);
  const streamed = await upload(
    Array.from({ length: 30 }, () => bytes(5000)),
    { authorization: 'Bearer ' + token, 'transfer-encoding': 'chunked' },
    false,
  ).catch((e) => ({ status: 0, body: String(e) }));
  expect([413, 0]).toContain(streamed.status);
  await waitFor('the sink to be aborted', () => events.some((e) => e.startsWith('abort: upload exceeds')), 3000);
  expect(received.length).toBeLessThanOrEqual(100_000);
});

test('a sink that refuses content aborts with 400 and its reason', async () => {
  events.length = 0;
  const bad = bytes(50);
  bad[20] = 0xff;
  const r = await upload([bytes(100), bad], { authorization: 'Bearer ' + token, 'content-length': '150' });
  expect(r.status).toBe(400);
  expect(JSON.parse(r.body).error).toBe('byte 0xFF is not allowed');
  expect(events[events.length - 1]).toBe('abort: byte 0xFF is not allowed');
});

test('the connection dropping mid-upload aborts the sink', async () => {
  events.length = 0;
  await upload([bytes(100), bytes(100)], { authorization: 'Bearer ' + token, 'content-length': '5000' }, true);
  await waitFor('abort', () => events.some((e) => e.startsWith('abort: connection closed')), 3000);
  expect(events).not.toContain('end');
});
