/**
 * An output that exists only while the settings switch it on.
 *
 * Why: on a board without PSRAM every live XS slot counts (docs/firmware.md, "Memory"), and some
 * outputs cost a lot just by existing, switched off or not: the MQTT output is a closure with some
 * forty functions, about 300 slots and 5 KB of chunks in the simulator, which the box carried for
 * every user who never set a broker. lazyOutput keeps only the factory until configure() gets
 * settings that want the output; then it builds it and hands it every call. When the settings no
 * longer want it, the real output is configured once more with them (so it ends politely: the MQTT
 * output publishes "offline" and clears its discovery configs) and dropped.
 *
 * While absent, update() does nothing, chargerCurrentA() knows nothing (undefined: no charger
 * current, never 0 A) and status() is `offStatus()`: what the output itself reports when off.
 */
import type { Snapshot } from '../snapshot';
import type { SettingsDocument } from '../settings';
import type { SnapshotOutput } from './output-port';

export interface LazyOutputSpec {
  name: string;
  /** Do these settings switch the output on (a broker URL set, ...)? */
  wanted(settings: SettingsDocument): boolean;
  create(): SnapshotOutput;
  /** status() while the output does not exist. */
  offStatus(): Record<string, unknown>;
}

export interface LazyOutput extends SnapshotOutput {
  /** Whether the real output exists now (for tests and diagnostics). */
  built(): boolean;
}

export function lazyOutput(spec: LazyOutputSpec): LazyOutput {
  let real: SnapshotOutput | undefined;
  return {
    name: spec.name,
    configure(settings: SettingsDocument) {
      if (spec.wanted(settings)) {
        if (!real) real = spec.create();
        real.configure(settings);
      } else if (real) {
        const leaving = real;
        real = undefined;
        leaving.configure(settings); // the output's own way of switching off (goodbye messages)
        leaving.stop();
      }
    },
    update(snapshot: Snapshot, nowMs: number) {
      real?.update(snapshot, nowMs);
    },
    status() {
      return real ? real.status() : spec.offStatus();
    },
    stop() {
      real?.stop();
    },
    chargerCurrentA(nowMs: number) {
      return real?.chargerCurrentA?.(nowMs);
    },
    built: () => real !== undefined,
  };
}
