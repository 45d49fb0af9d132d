/**
 * The charger pushes as one output (`outputs.chargers` in GET /api/v1/status): one driver and one
 * HTTP channel per configured charger, from the settings (outputs.chargers) plus the ones the
 * platform adds from its command line (`--charger TYPE=URL`).
 *
 * Each update (every frame and every 1 s tick) lets every driver see the snapshot and, when its
 * channel is free, send what it has due. The charger's own measured current (go-e, OpenEVSE in
 * allowance mode) is offered to the engine through chargerCurrentA (output-port.ts).
 * A settings change keeps the state of chargers whose settings did not change.
 */
import type { HeadroomSettings } from '../../../decoders/headroom/index';
import type { SettingsDocument } from '../settings';
import type { Snapshot } from '../snapshot';
import type { SnapshotOutput } from './output-port';
import type { ChargerSettings } from './outputs-settings';
import { followsAllowance } from './outputs-settings';
import type { ChargerDriver, DriverInput } from './charger-driver';
import type { HttpPushClient } from './http-push-port';
import { PushChannel } from './push-channel';
import { SmartevseDriver } from './smartevse-push';
import { OpenevseDriver } from './openevse-push';
import { GoeDriver } from './goe-push';

interface Entry {
  key: string;
  source: 'settings' | 'command line';
  driver: ChargerDriver;
  channel: PushChannel;
}

function makeDriver(settings: ChargerSettings): ChargerDriver {
  if (settings.type === 'smartevse') return new SmartevseDriver(settings);
  if (settings.type === 'openevse') return new OpenevseDriver(settings);
  return new GoeDriver(settings);
}

export class ChargersOutput implements SnapshotOutput {
  readonly name = 'chargers';
  private entries: Entry[] = [];
  private skipped: { type: string; url: string; source: Entry['source']; reason: string }[] = [];
  private headroom: HeadroomSettings | undefined;
  private lastFrames: number | undefined;

  constructor(
    private readonly client: HttpPushClient,
    private readonly clock: () => number,
    /** Chargers from the command line, added to the settings' list (already checked). */
    private readonly extra: ChargerSettings[] = [],
  ) {}

  configure(doc: SettingsDocument): void {
    this.headroom = doc.headroom;
    const candidates: { settings: ChargerSettings; source: Entry['source'] }[] = [];
    for (const c of this.extra) candidates.push({ settings: c, source: 'command line' });
    for (const c of doc.outputs.chargers) if (c.enabled) candidates.push({ settings: c, source: 'settings' });
    // One charger follows the allowance (the command line's first): a second would take it all again.
    const wanted: typeof candidates = [];
    this.skipped = [];
    let follower = false;
    for (const c of candidates) {
      if (followsAllowance(c.settings)) {
        if (follower) {
          this.skipped.push({ type: c.settings.type, url: c.settings.url, source: c.source, reason: 'another charger already follows the allowance' });
          continue;
        }
        follower = true;
      }
      wanted.push(c);
    }
    const next: Entry[] = [];
    for (const w of wanted) {
      const key = w.source + ' ' + JSON.stringify(w.settings);
      const old = this.entries.find((e) => e.key === key && next.indexOf(e) < 0);
      if (old) {
        next.push(old);
        continue;
      }
      const driver = makeDriver(w.settings);
      const channel = new PushChannel(this.client, (planned, result, nowMs) => driver.judge(planned, result, nowMs), this.clock);
      next.push({ key, source: w.source, driver, channel });
    }
    for (const e of this.entries) if (next.indexOf(e) < 0) e.channel.stop();
    this.entries = next;
  }

  update(snapshot: Snapshot, nowMs: number): void {
    const headroom = this.headroom;
    if (!headroom) return;
    const frames = snapshot.frames.frames;
    const newFrame = this.lastFrames !== undefined ? frames > this.lastFrames : frames > 0;
    this.lastFrames = frames;
    const input: DriverInput = { snapshot, headroom, nowMs, newFrame };
    for (const e of this.entries) {
      e.driver.observe(input);
      e.channel.step(nowMs, () => e.driver.plan(input));
    }
  }

  /** Sum of the chargers' own measured currents per line (at most one follows the allowance). */
  chargerCurrentA(nowMs: number): [number, number, number] | undefined {
    const headroom = this.headroom;
    if (!headroom) return undefined;
    let sum: [number, number, number] | undefined;
    for (const e of this.entries) {
      const own = e.driver.ownCurrentA ? e.driver.ownCurrentA(nowMs, headroom) : undefined;
      if (!own) continue;
      sum = sum ? [sum[0] + own[0], sum[1] + own[1], sum[2] + own[2]] : [own[0], own[1], own[2]];
    }
    return sum;
  }

  status(): Record<string, unknown> {
    const s: Record<string, unknown> = {
      pushes: this.entries.map((e) => ({ type: e.driver.type, url: e.driver.settings.url, source: e.source, ...e.driver.state(), ...e.channel.status() })),
    };
    if (this.skipped.length) s.skipped = this.skipped.map((k) => ({ ...k }));
    return s;
  }

  stop(): void {
    for (const e of this.entries) e.channel.stop();
  }
}
