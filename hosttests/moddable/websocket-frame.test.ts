// WebSocket framing and handshake key of the device server (firmware/moddable/http/websocket-hub.ts).
// Moddable's crypt Digest and base64 are replaced by Node's, so the test checks our composition
// against the RFC 6455 example and the length encodings at their boundaries.

jest.mock('crypt', () => ({ Digest: require('./standin-crypt').Digest }), { virtual: true });
// The hub's heartbeat timer: never fired here (framing only).
jest.mock('timer', () => ({ __esModule: true, default: { set: () => ({}), repeat: () => ({}), clear: () => undefined } }), { virtual: true });
jest.mock('base64', () => ({ __esModule: true, default: { encode: (b: ArrayBuffer) => Buffer.from(b).toString('base64') } }), { virtual: true });

// required after the mocks: the esbuild transform does not hoist jest.mock above imports
// eslint-disable-next-line @typescript-eslint/no-require-imports
// (typed locally: the host tsconfig must not pull in the Moddable-typed module)
const { acceptKey, encodeFrame } = require('../../firmware/moddable/http/websocket-hub') as {
  acceptKey(key: string): string;
  encodeFrame(opcode: number, payload: Uint8Array): Uint8Array;
};

test('Sec-WebSocket-Accept of the RFC 6455 example', () => {
  expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test.each([
  [0, 2],
  [125, 2],
  [126, 4],
  [65535, 4],
  [65536, 10],
])('a %i-byte text frame has a %i-byte header', (length, headLength) => {
  const payload = new Uint8Array(length).fill(0x41);
  const frame = encodeFrame(1, payload);
  expect(frame.byteLength).toBe(headLength + length);
  expect(frame[0]).toBe(0x81);
  let decoded: number;
  if (headLength === 2) decoded = frame[1]!;
  else if (headLength === 4) decoded = (frame[2]! << 8) | frame[3]!;
  else decoded = (frame[6]! << 24) | (frame[7]! << 16) | (frame[8]! << 8) | frame[9]!;
  expect(frame[1]! & 0x80).toBe(0); // server frames are never masked
  expect(decoded).toBe(length);
  expect(frame.subarray(headLength).every((b) => b === 0x41)).toBe(true);
});
