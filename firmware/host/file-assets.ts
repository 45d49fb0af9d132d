/** Serves firmware/web/ from disk (read per request, so page edits show on reload). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import type { Asset, AssetSource } from '../app/ports';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  txt: 'text/plain; charset=utf-8',
};

export class DirectoryAssets implements AssetSource {
  constructor(private readonly root: string) {}

  get(path: string): Asset | undefined {
    const full = normalize(join(this.root, path));
    if (!full.startsWith(normalize(this.root) + sep)) return undefined;
    if (!existsSync(full) || !statSync(full).isFile()) return undefined;
    const ext = full.slice(full.lastIndexOf('.') + 1).toLowerCase();
    return { body: new Uint8Array(readFileSync(full)), contentType: TYPES[ext] ?? 'application/octet-stream' };
  }
}
