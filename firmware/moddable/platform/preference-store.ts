/**
 * SettingsStore on Preference (NVS on the ESP32, a file per key in the simulator).
 *
 * NVS limits: key <= 15 characters, string value <= 4000 bytes, no floats; so the settings document
 * is stored as JSON text, split into chunks of at most 1000 characters ("doc.0", "doc.1", ... under
 * one of two generations "a"/"b"), and a small pointer key "current" names the complete
 * generation. save() writes the other generation fully, then flips the pointer: after a power cut
 * either the old or the new document is read back, never a mix. 1000 characters per chunk keeps
 * every chunk under the 4000-byte limit even if all characters need 4 UTF-8 bytes.
 *
 * Damage is never "nothing saved": only a domain without a "current" key is that. A pointer to no
 * generation, a bad chunk count or a missing chunk makes load() throw with the reason, and the app
 * then locks the box instead of offering first setup to whoever asks (app.ts, settings.ts).
 * keepAside() copies whatever text the current generation holds to a third generation "k" (kept
 * until a later keepAside replaces it), so saving a repaired document never loses the original.
 */
import Preference from 'preference';
import type { SettingsStore } from '../../app/ports';

const CHUNK_CHARS = 1000;
const MAX_CHUNKS = 16; // 16 kB of settings: far more than the document needs

function chunkKey(generation: string, index: number): string {
  return `${generation}${index}`; // "a0".."a15": well under 15 characters
}

export class PreferenceSettingsStore implements SettingsStore {
  constructor(private readonly domain: string = 'meterbox') {}

  describe(): string {
    return `NVS namespace "${this.domain}"`;
  }

  load(): string | undefined {
    const current = Preference.get(this.domain, 'current');
    if (current === undefined) return undefined;
    if (current !== 'a' && current !== 'b') throw new Error(`${this.describe()}: "current" names no generation (${String(current)})`);
    return this.readGeneration(current);
  }

  keepAside(): string | undefined {
    const current = Preference.get(this.domain, 'current');
    if (current !== 'a' && current !== 'b') return undefined;
    let text = '';
    const count = Preference.get(this.domain, `${current}n`);
    const n = typeof count === 'number' && count >= 0 && count <= MAX_CHUNKS ? count : MAX_CHUNKS;
    for (let i = 0; i < n; i++) {
      const part = Preference.get(this.domain, chunkKey(current, i));
      if (typeof part === 'string') text += part;
    }
    if (this.readKept() === text) return `${this.describe()}, generation "k"`;
    const chunks = Math.ceil(text.length / CHUNK_CHARS);
    for (let i = 0; i < chunks && i < MAX_CHUNKS; i++) Preference.set(this.domain, chunkKey('k', i), text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS));
    Preference.set(this.domain, 'kn', Math.min(chunks, MAX_CHUNKS));
    return `${this.describe()}, generation "k"`;
  }

  private readKept(): string | undefined {
    const count = Preference.get(this.domain, 'kn');
    if (typeof count !== 'number') return undefined;
    let text = '';
    for (let i = 0; i < count; i++) {
      const part = Preference.get(this.domain, chunkKey('k', i));
      if (typeof part !== 'string') return undefined;
      text += part;
    }
    return text;
  }

  private readGeneration(generation: string): string {
    const count = Preference.get(this.domain, `${generation}n`);
    if (typeof count !== 'number' || count < 0 || count > MAX_CHUNKS)
      throw new Error(`${this.describe()}: generation "${generation}" has no valid chunk count`);
    let text = '';
    for (let i = 0; i < count; i++) {
      const part = Preference.get(this.domain, chunkKey(generation, i));
      if (typeof part !== 'string') throw new Error(`${this.describe()}: chunk ${i} of ${count} of generation "${generation}" is missing`);
      text += part;
    }
    return text;
  }

  save(documentText: string): void {
    const count = Math.ceil(documentText.length / CHUNK_CHARS);
    if (count > MAX_CHUNKS) throw new Error(`settings document too large (${documentText.length} characters)`);
    const current = Preference.get(this.domain, 'current');
    const next = current === 'a' ? 'b' : 'a';
    for (let i = 0; i < count; i++) Preference.set(this.domain, chunkKey(next, i), documentText.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS));
    Preference.set(this.domain, `${next}n`, count);
    Preference.set(this.domain, 'current', next); // the commit point
    // drop stale chunks of the new generation left by an earlier, longer document
    for (let i = count; i < MAX_CHUNKS; i++) {
      if (Preference.get(this.domain, chunkKey(next, i)) === undefined) break;
      Preference.delete(this.domain, chunkKey(next, i));
    }
  }
}
