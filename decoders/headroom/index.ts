/**
 * Phase-headroom engine: how much current may a charger draw right now without tripping the
 * main fuse, whatever the meter sends or fails to send. Pure TypeScript (no timers, globals,
 * Node or Moddable APIs): runs under jest, XS and on the device. docs/headroom.md explains the
 * settings, the numbers and why.
 *
 *   const s = validateHeadroomSettings(doc.headroom);            // refuse nonsense with reasons
 *   let state = createHeadroomState();
 *   ({ headroom, state } = stepHeadroom(state, { nowMs, reading, chargerA }, s.settings));
 *
 * Call stepHeadroom for every frame (with `reading`) and on a timer (without), so the fail-safe
 * ladder can act when frames stop.
 */
export type { ChargerLine, GridType, HeadroomSettings, TariffSettings } from './settings';
export { defaultHeadroomSettings, validateHeadroomSettings } from './settings';
export type { CurrentSource, Headroom, HeadroomInput, HeadroomState, HeadroomStatus, PhaseHeadroom, TariffHeadroom } from './types';
export { createHeadroomState, stepHeadroom } from './engine';
