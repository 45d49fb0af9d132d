/**
 * Maps page URLs to files of firmware/web/ and answers them. "/" -> "/index.html",
 * "/settings" -> "/settings.html" (or "/settings/index.html"), "/setup" -> "/setup/index.html".
 * Paths with "..", backslashes or NULs are refused before any lookup.
 */
import type { AppRequest, AppResponse } from './http-types';
import type { Asset, AssetSource } from './ports';

function candidates(path: string): string[] {
  if (path.endsWith('/')) return [path + 'index.html'];
  const lastSlash = path.lastIndexOf('/');
  if (path.indexOf('.', lastSlash) >= 0) return [path];
  return [path + '.html', path + '/index.html'];
}

export function serveAsset(assets: AssetSource | undefined, request: AppRequest): AppResponse | undefined {
  if (!assets) return undefined;
  const path = request.path;
  if (path.length === 0 || path[0] !== '/' || path.indexOf('..') >= 0 || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0 || path.indexOf('//') >= 0)
    return undefined;
  if (path.slice(0, 5) === '/api/') return undefined;
  const acceptsGzip = (request.headers['accept-encoding'] ?? '').indexOf('gzip') >= 0;
  for (const candidate of candidates(path)) {
    let asset: Asset | undefined;
    try {
      asset = assets.get(candidate, acceptsGzip);
    } catch {
      asset = undefined;
    }
    if (!asset) continue;
    const headers: Record<string, string> = {
      'content-type': asset.contentType,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    };
    if (asset.contentEncoding) headers['content-encoding'] = asset.contentEncoding;
    return { status: 200, headers, body: request.method === 'HEAD' ? '' : asset.body };
  }
  return undefined;
}
