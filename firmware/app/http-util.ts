/**
 * Small helpers to build AppResponses and read JSON bodies. Published JSON is always built from
 * fresh objects at request time (preloaded objects are frozen on XS and some cannot be stringified).
 */
import type { AppRequest, AppResponse } from './http-types';

export const JSON_TYPE = 'application/json; charset=utf-8';
/** Largest request body any JSON route accepts; the servers enforce it before building AppRequest. */
export const MAX_JSON_BODY_BYTES = 8192;

export function jsonResponse(status: number, value: unknown, headers?: Record<string, string>): AppResponse {
  const all: Record<string, string> = { 'content-type': JSON_TYPE, 'cache-control': 'no-store' };
  if (headers) for (const name of Object.keys(headers)) all[name] = headers[name];
  return { status, headers: all, body: JSON.stringify(value) };
}

export function errorResponse(status: number, error: string, extra?: Record<string, unknown>, headers?: Record<string, string>): AppResponse {
  const body: Record<string, unknown> = { error };
  if (extra) for (const name of Object.keys(extra)) body[name] = extra[name];
  return jsonResponse(status, body, headers);
}

export type BodyResult = { ok: true; value: Record<string, unknown> } | { ok: false; response: AppResponse };

/** Parses a JSON object body; anything else (empty, not JSON, an array, too big) is a 4xx. */
export function readJsonObject(request: AppRequest): BodyResult {
  const text = request.body ?? '';
  if (text.length > MAX_JSON_BODY_BYTES) return { ok: false, response: errorResponse(413, `body larger than ${MAX_JSON_BODY_BYTES} bytes`) };
  if (text.trim() === '') return { ok: false, response: errorResponse(400, 'body must be a JSON object') };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, response: errorResponse(400, 'body is not valid JSON') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, response: errorResponse(400, 'body must be a JSON object') };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Names in `value` that are not in `allowed`. */
export function unknownKeys(value: Record<string, unknown>, allowed: readonly string[]): string[] {
  return Object.keys(value).filter((k) => allowed.indexOf(k) < 0);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
