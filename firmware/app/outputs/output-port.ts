/**
 * An output: something that hands the snapshot to a system outside the box (MQTT with Home
 * Assistant discovery, the SDM630 Modbus meter emulation, pushes to SmartEVSE / OpenEVSE / go-e).
 *
 * The platform builds each output with its adapters (sockets, HTTP client, MQTT client) and passes
 * it to createApp in `outputs`; the core then drives it:
 *   configure(doc)   at start and after every settings change (start, stop, retarget; must not throw)
 *   update(snapshot) after every decoded frame and every tick (1 s), with a fresh snapshot; outputs
 *                    decide their own pace (at most one MQTT state a second, a push every N s...)
 *                    and must never block or throw into meter reading
 *   status()         shown under `outputs.<name>` in GET /api/v1/status (last success, last error,
 *                    last value sent...)
 *   stop()           on app.stop()
 *   chargerCurrentA  optional: the measured current of the charger the output drives (go-e,
 *                    OpenEVSE in allowance mode), handed to the headroom engine as chargerA
 * Line currents come from one rule: outputs/line-currents.ts.
 */
import type { Snapshot } from '../snapshot';
import type { SettingsDocument } from '../settings';

export interface SnapshotOutput {
  /** Key under snapshot.outputs, e.g. 'modbusTcp', 'mqtt', 'chargers'. */
  readonly name: string;
  configure(settings: SettingsDocument): void;
  update(snapshot: Snapshot, nowMs: number): void;
  status(): Record<string, unknown>;
  stop(): void;
  /**
   * The present current per line (L1, L2, L3), A, that the charger this output drives MEASURES,
   * when known and fresh; undefined otherwise. The app passes the sum over outputs to the headroom
   * engine as `chargerA`, so the allowance is what that charger may draw in total rather than what
   * may be added to it (outputs/charger-driver.ts says how it is kept conservative).
   */
  chargerCurrentA?(nowMs: number): [number, number, number] | undefined;
}
