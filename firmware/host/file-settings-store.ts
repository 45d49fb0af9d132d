/**
 * Settings document in a file, written atomically: write a temp file beside it, fsync, rename.
 * A crash leaves either the old or the new document, never half of one.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SettingsStore } from '../app/ports';

export class FileSettingsStore implements SettingsStore {
  constructor(readonly path: string) {}

  load(): string | undefined {
    if (!existsSync(this.path)) return undefined;
    return readFileSync(this.path, 'utf8');
  }

  save(documentText: string): void {
    const temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, documentText);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
  }
}
