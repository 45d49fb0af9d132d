/**
 * How deeply a JSON text nests, found by one scan of its characters BEFORE JSON.parse sees it.
 *
 * Why: XS parses nested arrays and objects recursively on the C stack and does not throw when that
 * stack runs out: it aborts the machine (fxAbort -> esp_restart on the ESP32). Measured on the XS
 * engine: 1,000-3,000 levels parse, 4,000 and 8,000 abort. One unauthenticated request of ~4 KB of
 * '[' would reboot the box. No route needs more than a few levels (the settings document has 4).
 *
 * The scan counts '[' and '{' outside strings (a '\' inside a string skips the next character) and
 * stops at the first level past the limit. Malformed text is left to JSON.parse to refuse.
 */

/** Nesting the API accepts in a request body; the settings document needs 4. */
export const MAX_JSON_DEPTH = 32;

/** True when `text` opens more than `maxDepth` arrays/objects inside each other. */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: the escaped character cannot end the string
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > maxDepth) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}
