// The device HTTP server's request-head parser (firmware/moddable/http/request-head.ts): pure, so
// it is tested here on the PC; the server around it is exercised under the Moddable simulator.
import { parseQuery, parseRequestHead } from '../../firmware/moddable/http/request-head';

describe('parseRequestHead', () => {
  test('splits method, path, query and lower-cased headers', () => {
    const head = parseRequestHead('GET /api/v1/status?x=1&name=a%20b+c HTTP/1.1\r\nHost: box\r\nAccept-Encoding: gzip\r\nContent-Length: 12');
    expect(head).toEqual({
      method: 'GET',
      path: '/api/v1/status',
      query: { x: '1', name: 'a b c' },
      headers: { host: 'box', 'accept-encoding': 'gzip', 'content-length': '12' },
      contentLength: 12,
    });
  });

  test('repeated headers are joined with a comma', () => {
    const head = parseRequestHead('GET / HTTP/1.1\r\nX-A: 1\r\nx-a: 2');
    expect(typeof head === 'object' && head.headers['x-a']).toBe('1, 2');
  });

  test('no content-length means no body', () => {
    const head = parseRequestHead('GET / HTTP/1.0\r\nHost: x');
    expect(typeof head === 'object' && head.contentLength).toBeUndefined();
  });

  test.each([
    ['GET /\r\nHost: x', 'malformed request line'],
    ['GET / HTTP/2\r\nHost: x', 'unsupported protocol'],
    ['GET api HTTP/1.1', 'malformed path'],
    ['GET / HTTP/1.1\r\nno colon here', 'malformed header'],
    ['POST / HTTP/1.1\r\nContent-Length: -1', 'malformed content-length'],
    ['POST / HTTP/1.1\r\nContent-Length: 1e3', 'malformed content-length'],
    ['POST / HTTP/1.1\r\nContent-Length: ', 'malformed content-length'],
    ['POST / HTTP/1.1\r\nContent-Length: 0x10', 'malformed content-length'],
  ])('refuses %j', (text, error) => {
    expect(parseRequestHead(text)).toBe(error);
  });

  test('prototype-polluting names are dropped', () => {
    const head = parseRequestHead('GET /?__proto__=x&constructor=y&ok=1 HTTP/1.1\r\n__proto__: z');
    expect(typeof head).toBe('object');
    if (typeof head !== 'object') return;
    expect(Object.keys(head.query)).toEqual(['ok']);
    expect(Object.keys(head.headers)).toEqual([]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('parseQuery', () => {
  test('keeps undecodable text as it is instead of throwing', () => {
    expect(parseQuery('a=%E0%A4%A&b')).toEqual({ a: '%E0%A4%A', b: '' });
  });
});
