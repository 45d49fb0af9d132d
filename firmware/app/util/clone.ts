/**
 * Deep copy of plain data, built property by property: WHY not JSON.parse(JSON.stringify()):
 * objects preloaded into the device's flash (like defaultHeadroomSettings) are frozen ROM objects,
 * and fresh copies are what may be published and mutated. Undefined properties are dropped, as
 * JSON would.
 */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneJson(v)) as unknown as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const source = value as unknown as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    if (source[key] !== undefined) out[key] = cloneJson(source[key]);
  }
  return out as T;
}
