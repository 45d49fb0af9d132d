/**
 * One section of the settings document (`headroom`, `meter`, `access`, `wifi`, and whatever other
 * modules add: `outputs`, `mqtt`, `homewizard`...). settings.ts lists the sections; each lives in
 * its own module with its defaults, its stored-value reader and its patch applier, so adding one
 * is a module and a line in that list.
 *
 * The reader is what keeps settings from being lost: it reads each field on its own, so one bad
 * field costs that field (its default is used and the problem is named), never the section or the
 * document. Problem texts must not quote secret values (keys, passwords): they are shown on the
 * page and in the API.
 */
export interface SettingsSection<T> {
  /** Key in the settings document, e.g. 'mqtt'. */
  readonly name: string;
  defaults(): T;
  /** A stored value: every valid field kept, each invalid one replaced by its default and named in problems. */
  readStored(raw: unknown): { value: T; problems: string[] };
  /** A PUT /api/v1/settings patch for this section: the complete new section, or every reason it was refused. */
  applyPatch(current: T, patch: unknown): { ok: true; value: T } | { ok: false; errors: string[] };
}

/** Shared by section modules: a JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, safe description of a stored value for a problem text (never the value of a secret). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value === 'string' ? 'a text' : typeof value === 'number' ? 'a number' : typeof value;
}
