/**
 * The platform's HTTP client, as the charger pushes use it (Node: firmware/host/http-push-client.ts;
 * device: firmware/moddable/outputs/http-push-client.ts).
 *
 * Contract: `done` is called exactly once, with the status and body of the answer, or with `error`
 * (connection refused, time-out after `timeoutMs`, answer too large...). `send` never throws and
 * never blocks; the client reads at most MAX_PUSH_RESPONSE_BYTES of a body.
 */
export interface PushRequest {
  method: 'GET' | 'POST';
  /** Full URL, http:// only. */
  url: string;
  /** POST body (an empty string still sends Content-Length: 0, which SmartEVSE's web server needs). */
  body?: string;
  contentType?: string;
  timeoutMs: number;
}

export interface PushResult {
  status?: number;
  body?: string;
  error?: string;
}

export interface HttpPushClient {
  send(request: PushRequest, done: (result: PushResult) => void): void;
}

/** Largest answer body a push reads (go-e's filtered status is ~300 bytes, OpenEVSE's full status ~3 KB). */
export const MAX_PUSH_RESPONSE_BYTES = 8192;
