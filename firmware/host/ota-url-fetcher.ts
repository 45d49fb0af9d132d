/**
 * ImageFetcher for the PC build: node:http / node:https GET, up to 3 redirects, 30 s without data
 * = error. Streams each chunk to the OTA session and stops the download as soon as the session
 * refuses (bad image, too big), so a wrong file is not downloaded to the end.
 */
import { get as httpGet } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { ImageFetcher } from '../app/ota/ota-ports';

const MAX_REDIRECTS = 3;
const IDLE_TIMEOUT_MS = 30_000;

export const nodeImageFetcher: ImageFetcher = {
  fetch(url, sink) {
    let finished = false;
    const finish = (error?: string) => {
      if (finished) return;
      finished = true;
      if (error === undefined) sink.onEnd();
      else sink.onError(error);
    };
    const go = (target: string, redirectsLeft: number) => {
      let parsed: URL;
      try {
        parsed = new URL(target);
      } catch {
        return finish(`bad url ${target}`);
      }
      const getter = parsed.protocol === 'https:' ? httpsGet : parsed.protocol === 'http:' ? httpGet : undefined;
      if (!getter) return finish(`unsupported protocol ${parsed.protocol}`);
      const req = getter(parsed, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          if (redirectsLeft === 0) return finish('too many redirects');
          return go(new URL(res.headers.location, parsed).toString(), redirectsLeft - 1);
        }
        if (status < 200 || status >= 300) {
          res.resume();
          return finish(`HTTP ${status}`);
        }
        res.on('data', (chunk: Buffer) => {
          if (finished) return;
          const refusal = sink.onChunk(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if (typeof refusal === 'string') {
            finished = true; // the session already knows why
            req.destroy();
          }
        });
        res.on('end', () => finish());
        res.on('error', (e) => finish(e.message));
        res.on('aborted', () => finish('connection closed before the end'));
      });
      req.setTimeout(IDLE_TIMEOUT_MS, () => {
        req.destroy();
        finish(`no data for ${IDLE_TIMEOUT_MS / 1000} s`);
      });
      req.on('error', (e) => finish(e.message));
    };
    go(url, MAX_REDIRECTS);
  },
};
