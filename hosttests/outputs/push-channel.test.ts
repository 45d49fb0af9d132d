// One charger's HTTP channel (firmware/app/outputs/push-channel.ts): one request at a time, time-out
// even when the platform never answers, back-off 1, 2, 4... 30 s, reset by a success, late answers ignored.
import { BACKOFF_MAX_MS, PushChannel } from '../../firmware/app/outputs/push-channel';
import type { PlannedRequest } from '../../firmware/app/outputs/push-channel';
import { ScriptedClient } from './scripted-client';

function setup(answer: ConstructorParameters<typeof ScriptedClient>[1]) {
  let nowMs = 1_000_000;
  const client = new ScriptedClient(() => nowMs, answer);
  const verdicts: string[] = [];
  const channel = new PushChannel(
    client,
    (_p, r) => {
      verdicts.push(String(r.status));
      return r.status === 200 ? { ok: true } : { ok: false, error: 'HTTP ' + r.status };
    },
    () => nowMs,
  );
  const plan = (): PlannedRequest => ({
    kind: 'push',
    request: { method: 'POST', url: 'http://c/x', body: '', timeoutMs: 3000 },
    value: { n: client.sent.length },
  });
  return {
    client,
    channel,
    plan,
    verdicts,
    at: (ms: number) => {
      nowMs = ms;
    },
    now: () => nowMs,
  };
}

describe('push channel', () => {
  test('back-off after failures doubles from 1 s up to 30 s; a success clears it', () => {
    let status = 500;
    const s = setup(() => ({ status }));
    const sentAt: number[] = [];
    for (let t = 1_000_000; t < 1_000_000 + 120_000; t += 250) {
      s.at(t);
      const before = s.client.sent.length;
      s.channel.step(t, s.plan);
      if (s.client.sent.length > before) sentAt.push(t - 1_000_000);
    }
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    expect(gaps.slice(0, 6)).toEqual([1000, 2000, 4000, 8000, 16000, 30000]);
    expect(Math.max(...gaps)).toBe(BACKOFF_MAX_MS);
    const st = s.channel.status();
    expect(st.lastError).toBe('HTTP 500');
    expect(st.consecutiveFailures).toBe(sentAt.length);
    status = 200;
    s.at(s.now() + 30_000);
    s.channel.step(s.now(), s.plan);
    expect(s.channel.status().consecutiveFailures).toBe(0);
    expect(s.channel.status().backoffUntilMs).toBeUndefined();
    expect(s.channel.status().lastSuccessMs).toBe(s.now());
    // next step sends at once
    s.channel.step(s.now(), s.plan);
    expect(s.channel.status().requestsOk).toBe(2);
  });

  test('one request in flight; no answer within the time-out + 1 s is a failure; the late answer is ignored', () => {
    const s = setup(() => 'hang');
    s.channel.step(s.now(), s.plan);
    s.channel.step(s.now() + 1000, s.plan);
    s.channel.step(s.now() + 3900, s.plan);
    expect(s.client.sent).toHaveLength(1);
    expect(s.channel.status().inFlight).toBe(true);
    s.at(s.now() + 4001);
    s.channel.step(s.now(), s.plan);
    expect(s.channel.status().lastError).toBe('no answer within 3000 ms');
    expect(s.channel.status().inFlight).toBe(false);
    // the old request answers late: ignored (no success counted)
    s.client.sent[0]!.done({ status: 200 });
    expect(s.channel.status().requestsOk).toBe(0);
    expect(s.verdicts).toEqual([]);
  });

  test('a throwing client or judge is one failure, never an exception into the app', () => {
    let nowMs = 5;
    const channel = new PushChannel(
      {
        send() {
          throw new Error('socket table full');
        },
      },
      () => ({ ok: true }),
      () => nowMs,
    );
    expect(() => channel.step(nowMs, () => ({ kind: 'push', request: { method: 'GET', url: 'http://a', timeoutMs: 100 }, value: {} }))).not.toThrow();
    expect(channel.status().lastError).toBe('socket table full');
    nowMs = 10_000;
    const judged = new PushChannel(
      {
        send(_r, done) {
          done({ status: 200, body: 'x' });
        },
      },
      () => {
        throw new Error('bad');
      },
      () => nowMs,
    );
    judged.step(nowMs, () => ({ kind: 'poll', request: { method: 'GET', url: 'http://a', timeoutMs: 100 }, value: {} }));
    expect(judged.status().lastError).toBe('answer not understood: bad');
  });

  test('the last value shown is the last push, not a poll', () => {
    const s = setup(() => ({ status: 200 }));
    s.channel.step(s.now(), () => ({ kind: 'push', request: { method: 'GET', url: 'http://a', timeoutMs: 100 }, value: { amp: 10 } }));
    s.channel.step(s.now(), () => ({ kind: 'poll', request: { method: 'GET', url: 'http://a', timeoutMs: 100 }, value: {} }));
    expect(s.channel.status().lastValue).toEqual({ amp: 10 });
  });
});
