/**
 * The allowance published while the stored headroom settings could not be read as written and the
 * owner has not confirmed what the box now uses (settings.ts SettingsHealth.confirmRequired).
 *
 * "Safe" here:
 * - The fuse in use is the stored fuse (headroom-section.ts keeps it whenever it is readable) and
 *   is never larger than it. When no stored fuse could be read, or the one in use differs from
 *   it, every allowance is 0 A: there is nothing to compute a headroom from.
 * - With the stored fuse in use, the engine's answer stands but no allowance exceeds the car's
 *   minimum charging current (headroom.minChargeA, 6 A unless the stored value was readable):
 *   other fields that fell back to defaults (a margin, a power limit, a tariff) might have been
 *   stricter, so a charger keeps charging slowly, within the fuse, until the owner has looked.
 * Measured currents are left as they are: only what may be added is held.
 */
import type { Headroom, PhaseHeadroom } from '../../../decoders/headroom/index';

export const UNCONFIRMED_LIMITED_BY = 'settings-unconfirmed';

/** The cap in A: the car's minimum with the stored fuse in use, else 0. */
export function unconfirmedCapA(fuseInUseA: number, storedFuseA: number | undefined, minChargeA: number): number {
  if (storedFuseA === undefined || !(fuseInUseA <= storedFuseA)) return 0;
  return minChargeA;
}

export function holdUnconfirmed(headroom: Headroom, capA: number): Headroom {
  const phase = (p: PhaseHeadroom): PhaseHeadroom => (p.headroomA > capA ? { ...p, headroomA: capA } : p);
  const out: Headroom = {
    ...headroom,
    phases: { l1: phase(headroom.phases.l1), l2: phase(headroom.phases.l2), l3: phase(headroom.phases.l3) },
    threePhaseA: Math.min(headroom.threePhaseA, capA),
    onePhaseA: Math.min(headroom.onePhaseA, capA),
  };
  if (headroom.tariff) {
    const tariff = { ...headroom.tariff };
    if (tariff.threePhaseA !== undefined) tariff.threePhaseA = Math.min(tariff.threePhaseA, capA);
    if (tariff.onePhaseA !== undefined) tariff.onePhaseA = Math.min(tariff.onePhaseA, capA);
    out.tariff = tariff;
  }
  const lowered =
    out.threePhaseA < headroom.threePhaseA ||
    out.onePhaseA < headroom.onePhaseA ||
    out.phases.l1 !== headroom.phases.l1 ||
    out.phases.l2 !== headroom.phases.l2 ||
    out.phases.l3 !== headroom.phases.l3;
  if (lowered || capA === 0) {
    out.limitedBy = UNCONFIRMED_LIMITED_BY;
    out.reason =
      capA === 0
        ? 'stored settings damaged and no stored fuse could be read: 0 A until the owner checks and confirms the settings'
        : `stored settings damaged: at most ${capA} A until the owner checks and confirms the settings`;
  }
  return out;
}
