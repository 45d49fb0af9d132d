/**
 * Plausibility: a reading checks itself before anything reads it (the headroom engine, the
 * snapshot, every output). check.ts has the rules, ranges.ts the one definition of each range.
 *
 *   const check = checkReading(reading, settings.headroom, nowMs);
 *   check.reading   // the frame without what failed (absent, never 0)
 *   check.lines     // per line: the current the frame supports and where it comes from
 *   check.flags     // what failed, one sentence each
 */
export type { LineCheck, LineSource, PlausibilityCheck } from './check';
export { checkReading } from './check';
export type { PlausibilitySettings } from './ranges';
