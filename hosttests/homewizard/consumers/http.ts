// The one HTTP call the transcribed consumers make: GET a path on the box, status and body text.
export interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
}

export type HttpGet = (path: string) => Promise<HttpAnswer>;

export function httpGetter(baseUrl: string): HttpGet {
  return async (path) => {
    const res = await fetch(baseUrl + path, { headers: { accept: 'application/json' } });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  };
}
