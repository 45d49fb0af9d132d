/**
 * Platform-neutral HTTP request/response shapes. The Node server (firmware/host) and the
 * Moddable server (firmware/moddable) translate to and from these, so routes, validation,
 * auth and the JSON API are written once in firmware/app/.
 */
export interface AppRequest {
  method: string;
  /** Path without query string, e.g. "/api/v1/status". */
  path: string;
  query: Record<string, string>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** Request body as text (the server enforces the size limit before building this). */
  body?: string;
  /** Remote address, for rate limiting. */
  remote?: string;
  /** The box's address this request arrived on (when the server knows it): a Host naming it is the box's own. */
  localAddress?: string;
}

export interface AppResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export type RouteHandler = (request: AppRequest) => AppResponse | Promise<AppResponse>;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** True when the route changes state (settings, keys, Wi-Fi, firmware): always authenticated. */
  mutates?: boolean;
  /**
   * True for routes anyone may call (login, auth status, HomeWizard discovery). Otherwise a
   * non-mutating route is "read": open when the owner allows read access on the LAN
   * (settings access.readOpen), else it needs a session too. The router enforces both centrally.
   */
  public?: boolean;
  /**
   * True for the few public routes that must answer whatever name the client used (captive-portal
   * probes, which only redirect to the setup page): they skip the Host check (lan/host-check.ts).
   */
  anyHost?: boolean;
  handler: RouteHandler;
}

/**
 * A route whose body is streamed (firmware upload): the server calls `begin` once the headers
 * are in (after authentication, since upload routes always mutate), then `write` per chunk, then
 * `end`. Returning a string from `write` aborts the upload with that reason (the server answers
 * 4xx with it). The connection dropping calls `abort`. Both the Node and the Moddable servers
 * implement this, so the OTA state machine sees the same calls on both.
 */
export interface UploadSink {
  write(chunk: Uint8Array): void | string;
  end(): AppResponse | Promise<AppResponse>;
  abort(reason: string): void;
}

export interface UploadRoute {
  method: 'POST' | 'PUT';
  path: string;
  mutates: true;
  maxBytes: number;
  begin(request: AppRequest): UploadSink | AppResponse;
}
