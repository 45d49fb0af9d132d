// Node's SHA-1 behind the Moddable `crypt` module's Digest (write, close -> ArrayBuffer): what the
// device's WebSocket handshake uses. For jest.mock('crypt', ...) factories, which may only require().
import { createHash } from 'node:crypto';

export class Digest {
  private hash = createHash('sha1');
  write(data: string): void {
    this.hash.update(data);
  }
  close(): ArrayBuffer {
    const out = this.hash.digest();
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
  }
}
