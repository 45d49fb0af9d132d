/**
 * DNS-rebinding guard: which `Host` header values the box answers to.
 *
 * A web page on evil.example can make its own name resolve to the box's LAN address; the browser
 * then sends the box requests that carry `Host: evil.example` and lets that page read the answers
 * (status, settings, the Wi-Fi name). The Host header is the one thing such a request cannot fake,
 * so the box answers only to names it knows are its own:
 *   - loopback: localhost, *.localhost (RFC 6761: browsers resolve those themselves), 127.0.0.0/8, ::1
 *   - the address the connection arrived on (the server passes it as `request.localAddress`)
 *   - the names and addresses the platform lists: its mDNS name (p1meter-XXXXXX.local), its station
 *     and access-point addresses, the PC's host name, and the names the user configured
 * Anything else gets 421 Misdirected Request. A request without Host (HTTP/1.0 tools, some
 * embedded clients) is let through: a browser always sends one, so no rebinding page can omit it.
 *
 * Host values: "name", "name:port", "1.2.3.4:80", "[::1]:8080"; compared lower-case, without the
 * port and without a trailing dot ("meterbox.local." is the same name).
 */

/** A Host header (or an address as a server reports it) split into normalised name and port ('' when none). */
export function splitHost(value: string): { name: string; port: string } {
  let text = value.trim().toLowerCase();
  let port = '';
  if (text.charCodeAt(0) === 91) {
    // "[v6]" or "[v6]:port"
    const close = text.indexOf(']');
    if (close >= 0 && text.charCodeAt(close + 1) === 58) port = text.slice(close + 2);
    text = close < 0 ? text.slice(1) : text.slice(1, close);
  } else {
    const colon = text.indexOf(':');
    // one colon: "name:port"; more than one: a bare IPv6 address (as servers report them)
    if (colon >= 0 && text.indexOf(':', colon + 1) < 0) {
      port = text.slice(colon + 1);
      text = text.slice(0, colon);
    }
  }
  if (text.slice(0, 7) === '::ffff:' && text.indexOf('.') > 0) text = text.slice(7); // IPv4-mapped
  if (text.length > 1 && text.charCodeAt(text.length - 1) === 46) text = text.slice(0, -1);
  return { name: text, port };
}

/** The name or address alone, normalised (see splitHost). */
export function hostName(value: string): string {
  return splitHost(value).name;
}

function isLoopback(name: string): boolean {
  if (name === 'localhost' || name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  if (name.length > 10 && name.slice(-10) === '.localhost') return true;
  const parts = name.split('.');
  if (parts.length !== 4 || parts[0] !== '127') return false;
  for (const part of parts) {
    if (part === '' || part.length > 3) return false;
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    if (Number(part) > 255) return false;
  }
  return true;
}

/**
 * Undefined when the box may answer a request with this Host header, else the reason it may not.
 * `ownNames` are names and addresses (any form hostName() understands); `localAddress` is the
 * address the request arrived on, when the server knows it.
 */
export function hostProblem(host: string | undefined, ownNames: readonly string[], localAddress?: string): string | undefined {
  if (host === undefined) return undefined;
  const name = hostName(host);
  if (name === '') return 'empty Host header';
  if (isLoopback(name)) return undefined;
  if (localAddress !== undefined && hostName(localAddress) === name) return undefined;
  for (const own of ownNames) if (hostName(own) === name) return undefined;
  return `this box does not answer to the name "${name.slice(0, 100)}" (DNS rebinding protection): use its address or mDNS name, or add the name to the allowed host names`;
}
