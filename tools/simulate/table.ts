/**
 * The text table `npm run simulate` prints: one row per run, the columns docs/simulation.md
 * explains. Rows of the same house, meter and seed are compared with that group's oracle row
 * (energy and set-point changes as a share of the oracle's), when the oracle ran.
 */
import type { RunResult } from './run';

const statusAbbrev: Record<string, string> = { ok: 'ok', estimated: 'est', stale: 'stale', 'safe-fallback': 'safe', 'no-data': 'none' };

function statusText(r: RunResult): string {
  const keys = Object.keys(r.statusS);
  if (keys.length === 0) return '-';
  return keys
    .sort((a, b) => r.statusS[b] - r.statusS[a])
    .map((k) => `${statusAbbrev[k] ?? k} ${((100 * r.statusS[k]) / r.seconds).toFixed(k === 'ok' || k === 'estimated' ? 1 : 2)}%`)
    .join(' ');
}

/** The oracle run of the same house, meter and seed, if there is one. */
export function oracleOf(results: RunResult[], r: RunResult): RunResult | undefined {
  return results.find((o) => o.controller === 'oracle' && o.house === r.house && o.meter === r.meter && o.seed === r.seed && o.days === r.days);
}

/** Energy as a share of the oracle's, and set-point changes as a multiple of the oracle's. */
export function versusOracle(r: RunResult, oracle: RunResult | undefined): { energyShare?: number; changesRatio?: number } {
  if (!oracle) return {};
  return {
    energyShare: oracle.energyWh > 0 ? r.energyWh / oracle.energyWh : undefined,
    changesRatio: oracle.setpointChanges > 0 ? r.setpointChanges / oracle.setpointChanges : undefined,
  };
}

/** Share of the set-point changes that came within 5 s of the one before. */
export function quickShare(r: RunResult): number {
  return r.setpointChanges > 0 ? r.quickChanges / r.setpointChanges : 0;
}

export function formatTable(results: RunResult[]): string {
  const head = [
    'house',
    'meter',
    'seed',
    'controller',
    'over A*s',
    'beyond A*s',
    'lost-frame A*s',
    'longest s',
    'peak A',
    'kWh',
    'of ideal',
    'of oracle',
    'changes',
    'x oracle',
    '<5 s',
    'status time',
    'cpu s',
  ];
  const rows = results.map((r) => {
    const v = versusOracle(r, oracleOf(results, r));
    return [
      r.house,
      r.meter,
      String(r.seed),
      r.controller,
      r.chargerOverloadAs.toFixed(0),
      r.beyondIntervalAs.toFixed(0),
      r.lostFrameAs.toFixed(0),
      String(r.longestOverloadS),
      r.peakOverloadA.toFixed(1),
      (r.energyWh / 1000).toFixed(0),
      `${(100 * r.energyRatio).toFixed(1)}%`,
      v.energyShare === undefined ? '-' : `${(100 * v.energyShare).toFixed(1)}%`,
      String(r.setpointChanges),
      v.changesRatio === undefined ? '-' : v.changesRatio.toFixed(2),
      `${(100 * quickShare(r)).toFixed(1)}%`,
      statusText(r),
      (r.cpuMs / 1000).toFixed(1),
    ];
  });
  const all = [head, ...rows];
  const width = head.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const left = (i: number) => i < 4 || i === 15;
  const line = (row: string[]) =>
    row
      .map((cell, i) => (left(i) ? cell.padEnd(width[i]) : cell.padStart(width[i])))
      .join('  ')
      .trimEnd();
  return [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
