/**
 * What the list shapes share: reading items of the push list (push-list.ts) as numbers and text,
 * the draft reading they fill, and the final clean-up every HAN reading gets (absent, never 0,
 * where the grid says a value cannot exist).
 */
import type { MeterReading, PhaseReading } from '../../reading';
import { bytesToText, printableOrUndefined } from '../axdr';
import { ITEM_NUMBER, ITEM_OCTETS, ITEM_TEXT, type PushList } from '../push-list';

export type ReadingDraft = Record<string, unknown> & { protocol: 'dlms' };

export function newDraft(): ReadingDraft {
  return { protocol: 'dlms' };
}

/**
 * A list whose items are its own positions (no OBIS-tagged structure folded into one item, no
 * descriptors): what every positional shape wants before it looks at item types.
 */
export function positional(l: PushList): boolean {
  return l.tagged === 0 && !l.described;
}

/** Item i as a number, or undefined when it is not one. */
export function num(l: PushList, i: number): number | undefined {
  return i < l.count && l.kind[i] === ITEM_NUMBER ? l.value[i] : undefined;
}

/** Item i as text: a visible-string, or an octet-string that is all printable ASCII; else undefined. */
export function itemText(l: PushList, i: number): string | undefined {
  if (i < 0 || i >= l.count) return undefined;
  const kind = l.kind[i];
  if (kind !== ITEM_TEXT && kind !== ITEM_OCTETS) return undefined;
  const bytes = l.bytes.subarray(l.at[i], l.at[i] + l.len[i]);
  return kind === ITEM_TEXT ? bytesToText(bytes) : printableOrUndefined(bytes);
}

/** itemText of item 0 (the list id most positional shapes' detect asks for), made once per list. */
export function listIdText(l: PushList): string | undefined {
  if (!l.text0Done) {
    l.text0 = itemText(l, 0);
    l.text0Done = true;
  }
  return l.text0;
}

/** Items from..to-1 are numbers with this wire tag (0x06 double-long-unsigned, 0x12 long-unsigned). */
export function numbersTagged(l: PushList, from: number, to: number, tag: number): boolean {
  if (to > l.count) return false;
  for (let i = from; i < to; i++) if (l.kind[i] !== ITEM_NUMBER || l.type[i] !== tag) return false;
  return true;
}

/** Item i is a 6-byte octet-string equal to the logical name a-b:c.d.e (F ignored). */
export function itemIsName(l: PushList, i: number, a: number, b: number, c: number, d: number, e: number): boolean {
  if (i >= l.count || l.kind[i] !== ITEM_OCTETS || l.len[i] !== 6 || l.type[i] !== 0x09) return false;
  const x = l.bytes;
  const p = l.at[i];
  return x[p] === a && x[p + 1] === b && x[p + 2] === c && x[p + 3] === d && x[p + 4] === e;
}

/** Math.pow(10, i) for i = 0..128 (scalers are int8), the same numbers scale() computes; never written. */
export const POW10: readonly number[] = (() => {
  const t: number[] = [];
  for (let i = 0; i <= 128; i++) t.push(Math.pow(10, i));
  return t;
})();

/** raw * 10^scaler without binary noise for negative scalers (2307 * 10^-1 -> 230.7, not 230.70000000000002). */
export function scale(raw: number, scaler: number): number {
  if (scaler === 0) return raw;
  const pw = POW10[scaler < 0 ? -scaler : scaler];
  if (pw === undefined) return scaler < 0 ? raw / Math.pow(10, -scaler) : raw * Math.pow(10, scaler);
  return scaler < 0 ? raw / pw : raw * pw;
}

/** raw * factor for the decimal factors units come in (0.1, 0.01, 0.001, 1): as scale() does it. */
export function byFactor(raw: number, factor: number): number {
  if (factor === 1) return raw;
  if (factor === 0.1) return raw / 10;
  if (factor === 0.01) return raw / 100;
  if (factor === 0.001) return raw / 1000;
  return raw * factor;
}

/**
 * True when no key of the phase object holds a value. Current or voltage present answers at once
 * (the common case); only otherwise the for-in walk (an iterator under XS, ~100 computrons).
 */
function phaseEmpty(p: PhaseReading): boolean {
  if (p.currentA !== undefined || p.voltageV !== undefined) return false;
  for (const k in p) if ((p as Record<string, unknown>)[k] !== undefined) return false;
  return true;
}

/**
 * Final rules for every HAN reading:
 * - notification time becomes meterTime when the list itself carried no clock;
 * - L2 voltage 0 while L1 and L3 have voltage: an IT-grid meter measuring line voltages against
 *   L2 (Kaifa MA304H3E in Norway) - absent, and the meter sits on a 3-wire grid; an L2 current
 *   of exactly 0 from such a meter is absent too (Landis+Gyr E350 in Norway sends IL2 = 0);
 * - a 3-phase list with L1 and L3 currents but no L2 current: IT-grid meter with two current
 *   transformers (Aidon 6534, Landis+Gyr in Norway) - L2 stays absent (never 0), 3-wire;
 * - all three phase voltages between 100 and 160 V: the meter measures against an artificial
 *   star point of a 3x230 V grid without neutral (230 / sqrt 3 = 133 V; Kaifa MA304T4 in
 *   Norway reports ~137 V) - 3-wire. A 230/400 V TN grid never shows that on all phases;
 * - empty phase objects removed; phaseCount from what the list carries; frameKind 'short' for a
 *   list with only total power (Norwegian list 1), 'full' otherwise.
 */
export function finishReading(draft: ReadingDraft, notificationTime?: string): MeterReading {
  const r = draft as unknown as MeterReading;
  if (notificationTime !== undefined && r.meterTime === undefined) r.meterTime = notificationTime;
  const l1 = r.l1;
  const l2 = r.l2;
  const l3 = r.l3;
  // (each rule reads the phases only when they exist: optional chains and deletes of absent
  // keys are what this function spent most of its time on under XS)
  if (l2 !== undefined && l2.voltageV === 0 && l1 !== undefined && l1.voltageV && l3 !== undefined && l3.voltageV) {
    delete l2.voltageV;
    r.threeWire = true;
    // Such a meter has no L2 current transformer: Landis+Gyr E350 (Norway IT) sends IL2 = 0 next
    // to 31.8 A and 34.3 A. A 0 there is "not measured" (Kaifa sends a computed, non-zero I2).
    if (l2.currentA === 0) delete l2.currentA;
  }
  if (l1 !== undefined && l2 !== undefined && l3 !== undefined) {
    const v1 = l1.voltageV;
    const v2 = l2.voltageV;
    const v3 = l3.voltageV;
    if (v1 !== undefined && v2 !== undefined && v3 !== undefined && v1 > 100 && v1 < 160 && v2 > 100 && v2 < 160 && v3 > 100 && v3 < 160) {
      r.threeWire = true;
    }
  }
  if (l3 !== undefined && (l3.voltageV !== undefined || l3.currentA !== undefined)) {
    // a 3-phase list
    if (l1 !== undefined && l1.currentA !== undefined && l3.currentA !== undefined && (l2 === undefined || l2.currentA === undefined)) {
      r.threeWire = true;
    }
  }
  // (a key present with the value undefined is removed too)
  if (l1 === undefined ? 'l1' in r : phaseEmpty(l1)) delete r.l1;
  if (l2 === undefined ? 'l2' in r : phaseEmpty(l2)) delete r.l2;
  if (l3 === undefined ? 'l3' in r : phaseEmpty(l3)) delete r.l3;
  if (r.phaseCount === undefined) {
    if (r.l2 || r.l3) r.phaseCount = 3;
    else if (r.l1) r.phaseCount = 1;
  }
  if (r.frameKind === undefined) {
    const onlyPower = !r.l1 && !r.l2 && !r.l3 && r.energyImportWh === undefined && r.meterId === undefined && r.listId === undefined;
    r.frameKind = onlyPower ? 'short' : 'full';
  }
  return r;
}
