/**
 * The shape of one section of the settings document (e.g. `mqtt`, `homewizard`): its defaults, how
 * a stored value is read (every valid field kept, each invalid one replaced by its default and
 * named), and how a PUT /api/v1/settings patch is checked as a whole.
 *
 * Declared here until firmware/app/settings.ts exports its own section registry; the lead moves the
 * sections into that registry when merging (same shape).
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
