/** The text table `npm run simulate` prints: one row per run, the columns docs/simulation.md explains. */
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

export function formatTable(results: RunResult[]): string {
  const head = ['house', 'meter', 'controller', 'over A*s', 'beyond A*s', 'lost-frame A*s', 'over s', 'longest s', 'peak A', 'kWh', 'ideal kWh', 'energy', 'changes', 'status time', 'wall s', 'cpu s'];
  const rows = results.map((r) => [
    r.house,
    r.meter,
    r.controller,
    r.chargerOverloadAs.toFixed(0),
    r.beyondIntervalAs.toFixed(0),
    r.lostFrameAs.toFixed(0),
    String(r.overloadSeconds),
    String(r.longestOverloadS),
    r.peakOverloadA.toFixed(1),
    (r.energyWh / 1000).toFixed(0),
    (r.idealEnergyWh / 1000).toFixed(0),
    `${(100 * r.energyRatio).toFixed(1)}%`,
    String(r.setpointChanges),
    statusText(r),
    (r.elapsedMs / 1000).toFixed(1),
    (r.cpuMs / 1000).toFixed(1),
  ]);
  const all = [head, ...rows];
  const width = head.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i < 3 || i === 13 ? cell.padEnd(width[i]) : cell.padStart(width[i]))).join('  ');
  return [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
