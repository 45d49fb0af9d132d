// The app core drives outputs (firmware/app/outputs/output-port.ts): configured at start and on
// every settings change, fed a snapshot on every frame and tick, shown under snapshot.outputs, and
// a failing output never stops meter reading or the API.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../../firmware/app/app';
import { harness } from './fixtures';
import type { SnapshotOutput } from '../../firmware/app/outputs/output-port';
import type { SettingsDocument } from '../../firmware/app/settings';

const DSMR = new Uint8Array(readFileSync(join(__dirname, '..', 'vectors/p1/ndokter-dsmr_parser/telegram_v5.txt')));

function recorder(name: string, failing = false) {
  const seen = { configured: [] as SettingsDocument[], updates: [] as Snapshot[], stopped: 0 };
  const output: SnapshotOutput = {
    name,
    configure(doc) {
      seen.configured.push(doc);
      if (failing) throw new Error('configure broke');
    },
    update(snapshot) {
      seen.updates.push(snapshot);
      if (failing) throw new Error('update broke');
    },
    status() {
      if (failing) throw new Error('status broke');
      return { updates: seen.updates.length };
    },
    stop() {
      seen.stopped++;
    },
  };
  return { output, seen };
}

describe('outputs driven by the app core', () => {
  test('configured at start and on a settings change; fed on frames and ticks; status in the snapshot; stopped', () => {
    const a = recorder('a');
    const h = harness([a.output]);
    expect(a.seen.configured).toHaveLength(1);
    expect(a.seen.configured[0]!.headroom.fuseA).toBe(25);
    h.feed(DSMR);
    expect(a.seen.updates).toHaveLength(1);
    expect(a.seen.updates[0]!.reading?.protocol).toBe('dsmr');
    h.advance(1000);
    expect(a.seen.updates).toHaveLength(2);
    expect(h.app.snapshot().outputs).toEqual({ a: { updates: 2 } });
    const r = h.app.updateSettings((doc) => {
      doc.headroom.fuseA = 35;
      return doc;
    });
    expect(r.ok).toBe(true);
    expect(a.seen.configured).toHaveLength(2);
    expect(a.seen.configured[1]!.headroom.fuseA).toBe(35);
    h.app.stop();
    expect(a.seen.stopped).toBe(1);
  });

  test('an output that throws everywhere costs neither frames nor the other outputs', async () => {
    const bad = recorder('bad', true);
    const good = recorder('good');
    const h = harness([bad.output, good.output]);
    h.feed(DSMR);
    expect(h.app.framesDecoded()).toBe(1);
    expect(good.seen.updates).toHaveLength(1);
    const snap = h.app.snapshot();
    expect(snap.outputs?.bad).toEqual({ error: 'status broke' });
    expect(snap.outputs?.good).toEqual({ updates: 1 });
    expect(h.warnings.some((w) => w.includes('output bad update failed'))).toBe(true);
    const res = await h.app.handle({ method: 'GET', path: '/api/v1/status', headers: {}, remoteAddress: '127.0.0.1' } as any);
    expect(res.status).toBe(200);
  });

  test('without outputs the snapshot has no outputs key', () => {
    const h = harness([]);
    expect(h.app.snapshot().outputs).toBeUndefined();
  });
});
