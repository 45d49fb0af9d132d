// A stand-in for the platform's HTTP client in the push unit tests: records every request and answers
// with what the test's charger model says (the end-to-end tests use real HTTP servers instead).
import type { HttpPushClient, PushRequest, PushResult } from '../../firmware/app/outputs/http-push-port';

export type Answer = PushResult | 'hang';

export class ScriptedClient implements HttpPushClient {
  readonly sent: { request: PushRequest; atMs: number; done: (r: PushResult) => void }[] = [];
  constructor(
    private readonly now: () => number,
    public answer: (request: PushRequest) => Answer = () => ({ status: 200, body: '{}' }),
  ) {}

  send(request: PushRequest, done: (result: PushResult) => void): void {
    this.sent.push({ request, atMs: this.now(), done });
    const a = this.answer(request);
    if (a !== 'hang') done(a);
  }

  urls(): string[] {
    return this.sent.map((s) => s.request.method + ' ' + s.request.url);
  }

  clear(): void {
    this.sent.length = 0;
  }
}
