/**
 * AssetSource over the page files stored gzipped in flash as Moddable resources (see pack-web.mjs):
 * "/setup/index.html" -> resource "setup~index.html.gz", served in place from flash (no copy into
 * RAM) with "content-encoding: gzip". Every browser accepts gzip; a client that does not ask for it
 * (e.g. plain curl) still gets the gzip bytes, with the header saying so.
 */
import Resource from 'Resource';
import type { Asset, AssetSource } from '../../app/ports';

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  json: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  txt: 'text/plain; charset=utf-8',
  webmanifest: 'application/manifest+json',
};

export function contentTypeFor(path: string): string {
  const dot = path.lastIndexOf('.');
  const extension = dot < 0 ? '' : path.slice(dot + 1).toLowerCase();
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

export function resourceNameFor(path: string): string {
  return path.slice(1).split('/').join('~') + '.gz';
}

export function createFlashAssets(): AssetSource {
  return {
    get(path: string): Asset | undefined {
      const name = resourceNameFor(path);
      if (!Resource.exists(name)) return undefined;
      const resource = new Resource(name);
      return { body: new Uint8Array(resource as unknown as ArrayBuffer), contentType: contentTypeFor(path), contentEncoding: 'gzip' };
    },
  };
}
