/**
 * The snapshot: GET /api/v1/status, every WebSocket push, and what every output (HomeWizard view,
 * MQTT, Modbus meter emulation, charger pushes) reads. Types only, so outputs can import it
 * without importing the app (no import circle).
 */
import type { Headroom } from '../../decoders/headroom/index';
import type { MeterReading } from '../../decoders/reading';
import type { LinkCounters, LinkDiagnosis } from './meter-link';
import type { SettingsHealth } from './settings';

/** GET /api/v1/status and every WebSocket push. */
export interface Snapshot {
  apiVersion: number;
  timeMs: number;
  /** natives: the platform's native helpers the decoders use (e.g. 'crc16-arc', 'aes-gcm'); absent = all JavaScript. */
  device: { name: string; firmwareVersion: string; platform?: string; uptimeS: number; natives?: string[] };
  meter: {
    protocol?: string;
    format?: string;
    id?: string;
    model?: string;
    manufacturer?: string;
    listId?: string;
    dsmrVersion?: string;
    meterTime?: string;
  };
  /** The merged normalized reading (decoders/reading.ts); null before the first frame. */
  reading: MeterReading | null;
  /** Seconds since the last decoded frame; null before the first. */
  readingAgeS: number | null;
  /** Kind of the last decoded frame ('short' = total power only). */
  lastFrameKind: 'short' | 'full' | null;
  headroom: Headroom;
  frames: LinkCounters;
  /** How the stored settings were read; present only when they need the owner (damaged, held safe, locked). */
  settings?: SettingsHealth;
  /** State of each output by name (outputs/output-port.ts); absent when the platform has none. */
  outputs?: Record<string, Record<string, unknown>>;
  link: LinkDiagnosis & { source?: string; sourceKind?: string; connected?: boolean; line?: string; lineMode: 'fixed' | 'auto' | 'n/a'; lastError?: string };
}
