/**
 * Settings document in a file, written atomically: write a temp file beside it, fsync, rename.
 * A crash leaves either the old or the new document, never half of one.
 *
 * Reading never mistakes damage for "nothing saved": only a missing file is that. A directory at
 * the path, a permission error or any other read failure throws with the reason. keepAside copies
 * the file byte for byte (NUL bytes, a BOM, invalid UTF-8 and all) to
 * `<file>.unreadable-<first 12 hex digits of its SHA-256>`, once per distinct content, so a box in a
 * restart loop does not fill the disk with copies.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, copyFileSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SettingsStore } from '../app/ports';

export class FileSettingsStore implements SettingsStore {
  constructor(readonly path: string) {}

  describe(): string {
    return this.path;
  }

  load(): string | undefined {
    let stat;
    try {
      stat = statSync(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`${this.path}: ${(e as Error).message}`, { cause: e });
    }
    if (stat.isDirectory()) throw new Error(`${this.path} is a directory, not a settings file`);
    try {
      return readFileSync(this.path, 'utf8');
    } catch (e) {
      throw new Error(`${this.path}: ${(e as Error).message}`, { cause: e });
    }
  }

  keepAside(): string | undefined {
    let bytes: Buffer;
    try {
      if (!statSync(this.path).isFile()) return undefined;
      bytes = readFileSync(this.path);
    } catch {
      return undefined;
    }
    const copy = `${this.path}.unreadable-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}`;
    if (!existsSync(copy)) copyFileSync(this.path, copy, constants.COPYFILE_EXCL);
    return copy;
  }

  save(documentText: string): void {
    const temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    const fd = openSync(temp, 'w', 0o600);
    try {
      try {
        writeSync(fd, documentText);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.path);
    } catch (e) {
      // A full disk or a directory in the way: the old document stays, the half-written temp goes.
      try {
        unlinkSync(temp);
      } catch {
        /* already gone */
      }
      throw e;
    }
  }
}
