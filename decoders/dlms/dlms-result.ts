/**
 * Glue between a decoded APDU and the FrameResult a splitter emits: a data-notification's list
 * goes through the list-shape registry (lists/registry.ts) to become a MeterReading. The APDU
 * layer (apdu.ts) knows nothing of list shapes; this is where the two meet.
 */
import type { FrameFormat, FrameResult } from '../frame-result';
import type { ApduOutcome } from './apdu';
import { listToReading } from './lists/registry';

/** FrameResult for an APDU outcome; undefined while a block transfer is still pending. */
export function apduOutcomeToResult(outcome: ApduOutcome, format: FrameFormat, raw: Uint8Array, checksumSkipped: boolean): FrameResult | undefined {
  if (outcome.kind === 'pending') return undefined;
  if (outcome.kind === 'error') return { ok: false, format, error: outcome.error, raw };
  const mapped = listToReading(outcome.list, outcome.timeIso, outcome.encrypted);
  if (!mapped.ok) return { ok: false, format, error: mapped.error, raw };
  const reading = mapped.reading;
  if (checksumSkipped) reading.checksumChecked = false;
  return { ok: true, format, reading, raw };
}
