/**
 * Firmware version comparison for the "newer or equal unless forced" OTA rule.
 *
 * Accepted shapes (esp_app_desc_t.version is whatever the build put there, up to 31 chars):
 *   "1.2.3", "v1.2", "1.2.3-rc.1" (semver pre-release: OLDER than 1.2.3),
 *   "v1.2.3-4-gabc123" (git describe: 4 commits AFTER v1.2.3, so NEWER), optional "+build" ignored,
 *   "-dirty" suffix ignored.
 * Anything else is "not comparable": the OTA machine then refuses unless the upload is forced,
 * because guessing could silently downgrade a box.
 */
export interface ParsedVersion {
  core: number[];
  /** git-describe commit count past the tag (0 when none). */
  commitsAfter: number;
  /** semver pre-release text, '' for a release. */
  preRelease: string;
}

export function parseVersion(text: string): ParsedVersion | undefined {
  let s = text.trim();
  if (s.startsWith('v') || s.startsWith('V')) s = s.slice(1);
  const plus = s.indexOf('+');
  if (plus >= 0) s = s.slice(0, plus);
  if (s.endsWith('-dirty')) s = s.slice(0, -6);
  const describe = /^(.*)-(\d+)-g[0-9a-f]+$/.exec(s);
  let commitsAfter = 0;
  if (describe) {
    s = describe[1];
    commitsAfter = Number(describe[2]);
  }
  const dash = s.indexOf('-');
  const coreText = dash >= 0 ? s.slice(0, dash) : s;
  const preRelease = dash >= 0 ? s.slice(dash + 1) : '';
  if (!/^\d+(\.\d+){0,3}$/.test(coreText)) return undefined;
  const core = coreText.split('.').map(Number);
  while (core.length < 3) core.push(0);
  return { core, commitsAfter, preRelease };
}

/** -1 when a < b, 0 when equal, 1 when a > b; undefined when either cannot be parsed. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return undefined;
  const n = Math.max(pa.core.length, pb.core.length);
  for (let i = 0; i < n; i++) {
    const x = pa.core[i] ?? 0;
    const y = pb.core[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  // Same core: a release outranks its pre-releases (semver).
  if (pa.preRelease !== pb.preRelease) {
    if (pa.preRelease === '') return 1;
    if (pb.preRelease === '') return -1;
    return pa.preRelease < pb.preRelease ? -1 : 1;
  }
  if (pa.commitsAfter !== pb.commitsAfter) return pa.commitsAfter < pb.commitsAfter ? -1 : 1;
  return 0;
}
