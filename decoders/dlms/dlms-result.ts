/**
 * Glue between a decoded APDU and the FrameResult a splitter emits: a data-notification goes
 * through the list-shape registry (lists/registry.ts) to become a MeterReading.
 */
import type { FrameFormat, FrameResult } from '../frame-result';
import type { ApduOutcome } from './apdu';
import { notificationToReading } from './lists/registry';

/** FrameResult for an APDU outcome; undefined while a block transfer is still pending. */
export function apduOutcomeToResult(
  outcome: ApduOutcome,
  format: FrameFormat,
  raw: Uint8Array,
  checksumSkipped: boolean,
): FrameResult | undefined {
  if (outcome.kind === 'pending') return undefined;
  if (outcome.kind === 'error') return { ok: false, format, error: outcome.error, raw };
  if (outcome.kind === 'mapped') {
    const m = outcome.result;
    if (!m.ok) return { ok: false, format, error: m.error, raw };
    if (checksumSkipped) m.reading.checksumChecked = false;
    return { ok: true, format, reading: m.reading, raw };
  }
  const mapped = notificationToReading(outcome.notification);
  if (!mapped.ok) return { ok: false, format, error: mapped.error, raw };
  const reading = mapped.reading;
  if (checksumSkipped) reading.checksumChecked = false;
  return { ok: true, format, reading, raw };
}
