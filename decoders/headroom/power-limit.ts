/**
 * Turning a power budget (W the charger may add) into charging currents, and the optional limit
 * on total import power.
 *
 * W -> A: TN, three-phase charger: P = (V1 + V2 + V3) * I; one-phase: P = V * I (the highest line
 * voltage, so the current comes out on the low side). IT 3x230 V: a three-phase charger draws
 * P = sqrt(3) * V * I, a one-phase charger between two lines P = V * I (V = line-to-line voltage,
 * which is what a 3-wire meter reports).
 */
import type { TariffHeadroom } from './types';

export interface ChargerBudget {
  kind: 'tariff' | 'power-limit';
  chargerBudgetW: number;
  threePhaseA: number;
  onePhaseA: number;
  /** Why the budget is what it is: built only when the budget binds (the strings cost more than the budget). */
  reason: () => string;
  tariff: TariffHeadroom;
}

export function wattsToAmps(budgetW: number, voltageV: number[], it: boolean, phases: number): { threePhaseA: number; onePhaseA: number } {
  if (!(budgetW > 0)) return { threePhaseA: 0, onePhaseA: 0 };
  let sum = 0;
  let max = 0;
  for (let p = 0; p < phases; p++) {
    const v = voltageV[p] as number;
    sum += v;
    if (v > max) max = v;
  }
  if (phases !== 3) return { threePhaseA: 0, onePhaseA: budgetW / max };
  if (it) return { threePhaseA: budgetW / (Math.sqrt(3) * (sum / 3)), onePhaseA: budgetW / max };
  return { threePhaseA: budgetW / sum, onePhaseA: budgetW / max };
}

/**
 * Limit on total import: the charger may add limit - (net import - own charger power).
 * `houseW` is the house's own net import (without the charger), W.
 */
export function powerLimitBudget(powerLimitKw: number, houseW: number, voltageV: number[], it: boolean, phases: number): ChargerBudget {
  const limitW = powerLimitKw * 1000;
  const budgetW = Math.max(0, limitW - houseW);
  const amps = wattsToAmps(budgetW, voltageV, it, phases);
  return {
    kind: 'power-limit',
    chargerBudgetW: Math.round(budgetW),
    threePhaseA: amps.threePhaseA,
    onePhaseA: amps.onePhaseA,
    reason: () => `power limit ${powerLimitKw} kW: the house uses ${(houseW / 1000).toFixed(1)} kW`,
    tariff: {
      scheme: 'power-limit',
      threePhaseA: amps.threePhaseA,
      onePhaseA: amps.onePhaseA,
      chargerBudgetW: Math.round(budgetW),
      powerLimitW: Math.round(limitW),
    },
  };
}
