/**
 * Captive-portal DNS answers (RFC 1035), pure: every A question gets the access point's address,
 * so a phone that joined the setup AP opens the setup page whatever name it looks up. Other types
 * (AAAA, HTTPS, ...) get an empty NOERROR answer, so the phone does not wait for them or go
 * elsewhere over IPv6. Used by the PC's loopback responder; a device DNS server can use it too.
 *
 *   header   ID u16 | flags u16 (QR, opcode 4 bits, AA, TC, RD | RA, Z, RCODE) | QDCOUNT | ANCOUNT | NSCOUNT | ARCOUNT
 *   question QNAME (length-prefixed labels, 0-terminated) | QTYPE u16 | QCLASS u16
 *   answer   NAME = pointer 0xC00C (the question's name) | TYPE A=1 | CLASS IN=1 | TTL u32 | RDLENGTH 4 | IPv4
 * Queries that are not a single standard question (responses, other opcodes, compressed or
 * overlong names, truncated packets) get no answer at all: the caller drops them.
 */
export const CAPTIVE_DNS_TTL_S = 60;

export function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length === 0 || p.length > 3) return undefined;
    for (let j = 0; j < p.length; j++) if (p.charCodeAt(j) < 0x30 || p.charCodeAt(j) > 0x39) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** The response to send for `query`, or undefined to drop it. */
export function captiveDnsAnswer(query: Uint8Array, answerIpv4: Uint8Array): Uint8Array | undefined {
  if (query.length < 12 + 5 || query.length > 512) return undefined;
  const flags = (query[2] << 8) | query[3];
  if (flags & 0x8000) return undefined; // a response, not a query
  if (((flags >> 11) & 0x0f) !== 0) return undefined; // only standard queries
  const qdcount = (query[4] << 8) | query[5];
  if (qdcount !== 1) return undefined;
  let p = 12;
  let nameLength = 0;
  for (;;) {
    if (p >= query.length) return undefined;
    const len = query[p];
    if (len === 0) {
      p++;
      break;
    }
    if (len > 63) return undefined; // compression pointers or reserved label types have no place in a question
    nameLength += len + 1;
    if (nameLength > 255) return undefined;
    p += len + 1;
  }
  if (p + 4 > query.length) return undefined;
  const qtype = (query[p] << 8) | query[p + 1];
  const qclass = (query[p + 2] << 8) | query[p + 3];
  const questionEnd = p + 4;
  const answerA = (qtype === 1 || qtype === 255) && (qclass === 1 || qclass === 255);
  const out = new Uint8Array(questionEnd + (answerA ? 16 : 0));
  out.set(query.subarray(0, questionEnd));
  // QR=1, opcode 0, AA=1, TC=0, RD copied; RA=0, RCODE=0 (NOERROR).
  out[2] = 0x84 | (query[2] & 0x01);
  out[3] = 0x00;
  out[6] = 0;
  out[7] = answerA ? 1 : 0; // ANCOUNT
  out[8] = 0;
  out[9] = 0;
  out[10] = 0;
  out[11] = 0; // no authority, no additional (EDNS dropped)
  if (answerA) {
    let a = questionEnd;
    out[a++] = 0xc0;
    out[a++] = 0x0c;
    out[a++] = 0;
    out[a++] = 1; // TYPE A
    out[a++] = 0;
    out[a++] = 1; // CLASS IN
    out[a++] = (CAPTIVE_DNS_TTL_S >>> 24) & 0xff;
    out[a++] = (CAPTIVE_DNS_TTL_S >>> 16) & 0xff;
    out[a++] = (CAPTIVE_DNS_TTL_S >>> 8) & 0xff;
    out[a++] = CAPTIVE_DNS_TTL_S & 0xff;
    out[a++] = 0;
    out[a++] = 4;
    out.set(answerIpv4.subarray(0, 4), a);
  }
  return out;
}
