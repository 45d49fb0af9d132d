/**
 * The meter's energy totals as every output serves them: the total register (1.8.0 / 2.8.0) when
 * the meter sends one, else the sum of its tariff registers (DSMR sends only 1.8.1 / 1.8.2).
 * Absent when the meter sent neither (a HAN meter between its hourly lists), never 0.
 */
import type { MeterReading } from '../../../decoders/reading';

function total(totalWh: number | undefined, tariffsWh: number[] | undefined): number | undefined {
  if (totalWh !== undefined) return totalWh;
  if (!tariffsWh || tariffsWh.length === 0) return undefined;
  let sum = 0;
  for (const wh of tariffsWh) sum += wh;
  return sum;
}

export function energyImportTotalWh(reading: MeterReading): number | undefined {
  return total(reading.energyImportWh, reading.energyImportTariffWh);
}

export function energyExportTotalWh(reading: MeterReading): number | undefined {
  return total(reading.energyExportWh, reading.energyExportTariffWh);
}
