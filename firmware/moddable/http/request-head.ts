/**
 * Parses an HTTP/1.x request head ("GET /path?q=1 HTTP/1.1\r\nName: value\r\n...\r\n\r\n") into
 * method, path, query and lower-cased headers. Pure (no Moddable imports) so it is shared by the
 * device server and tested on the PC. Returns an error string for a malformed head.
 */
export interface RequestHead {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** undefined when absent; a malformed value is reported as an error instead. */
  contentLength?: number;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.split('+').join(' '));
  } catch {
    return text;
  }
}

export function parseQuery(text: string): Record<string, string> {
  const query: Record<string, string> = {};
  if (!text) return query;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const equals = pair.indexOf('=');
    const name = decodeComponent(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decodeComponent(pair.slice(equals + 1));
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
    query[name] = value;
  }
  return query;
}

export function parseRequestHead(text: string): RequestHead | string {
  const lines = text.split('\r\n');
  const requestLine = lines[0] ?? '';
  const parts = requestLine.split(' ');
  if (parts.length !== 3) return 'malformed request line';
  const [method, target, protocol] = parts as [string, string, string];
  if (protocol !== 'HTTP/1.1' && protocol !== 'HTTP/1.0') return 'unsupported protocol';
  if (!method || method.length > 10) return 'malformed method';
  if (!target || target[0] !== '/') return 'malformed path';
  const mark = target.indexOf('?');
  const path = mark < 0 ? target : target.slice(0, mark);
  const query = parseQuery(mark < 0 ? '' : target.slice(mark + 1));
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return 'malformed header';
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? headers[name] + ', ' + value : value;
  }
  const head: RequestHead = { method, path, query, headers };
  const lengthText = headers['content-length'];
  if (lengthText !== undefined) {
    // RFC 9110: 1*DIGIT. Number() would also take "1e3", "0x10" or " 12 ".
    if (lengthText === '' || lengthText.length > 12) return 'malformed content-length';
    let length = 0;
    for (let i = 0; i < lengthText.length; i++) {
      const digit = lengthText.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return 'malformed content-length';
      length = length * 10 + digit;
    }
    head.contentLength = length;
  }
  return head;
}
