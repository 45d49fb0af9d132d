/**
 * A real captive-portal DNS responder for the PC build, on loopback only (127.0.0.1, UDP): while the
 * simulated setup AP is up it answers every name with the AP address, using the same pure answer
 * builder a device can use (firmware/app/provisioning/dns-answer.ts). Enabled by the wifi sim
 * config's "captiveDnsPort" (0 = any free port); otherwise the recording stand-in is used.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { captiveDnsAnswer, parseIpv4 } from '../app/provisioning/dns-answer';
import type { CaptiveDns } from '../app/provisioning/wifi-ports';

export class LoopbackCaptiveDns implements CaptiveDns {
  private socket: Socket | undefined;
  answering: string | undefined;
  answered = 0;
  private bound: number | undefined;

  constructor(
    private readonly port: number,
    private readonly log: (message: string) => void = () => {},
  ) {}

  start(answerIpv4: string): void {
    const ip = parseIpv4(answerIpv4);
    if (!ip) throw new Error(`captive DNS needs an IPv4 address, got "${answerIpv4}"`);
    this.answering = answerIpv4;
    if (this.socket) return;
    const socket = createSocket('udp4');
    socket.on('message', (query, remote) => {
      if (!this.answering) return;
      const reply = captiveDnsAnswer(new Uint8Array(query.buffer, query.byteOffset, query.byteLength), parseIpv4(this.answering)!);
      if (!reply) return;
      this.answered++;
      socket.send(reply, remote.port, remote.address);
    });
    socket.on('error', (e) => this.log(`captive DNS: ${e.message}`));
    socket.bind(this.port, '127.0.0.1', () => {
      this.bound = socket.address().port;
      this.log(`captive DNS (loopback): udp 127.0.0.1:${this.bound} answers every name with ${this.answering}`);
    });
    this.socket = socket;
  }

  stop(): void {
    this.answering = undefined;
    this.socket?.close();
    this.socket = undefined;
    this.bound = undefined;
  }

  /** The UDP port once bound (undefined before). */
  boundPort(): number | undefined {
    return this.bound;
  }
}
