// A minimal JSON client for tests: status, headers and parsed body of every answer, never throws
// on HTTP errors (tests assert on them).

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON, or undefined when empty. */
  body: T;
  text: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as is (for malformed-JSON tests) instead of JSON.stringify(body). */
  raw?: string | Buffer;
}

export class JsonClient {
  constructor(readonly baseUrl: string, private readonly defaultHeaders: Record<string, string> = {}) {}

  async request<T = any>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<Answer<T>> {
    const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...this.defaultHeaders, ...opts.headers },
      body: payload,
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, opts?: RequestOptions) { return this.request<T>('GET', path, undefined, opts); }
  head(path: string, opts?: RequestOptions) { return this.request('HEAD', path, undefined, opts); }
  post<T = any>(path: string, body?: unknown, opts?: RequestOptions) { return this.request<T>('POST', path, body, opts); }
  put<T = any>(path: string, body?: unknown, opts?: RequestOptions) { return this.request<T>('PUT', path, body, opts); }
  patch<T = any>(path: string, body?: unknown, opts?: RequestOptions) { return this.request<T>('PATCH', path, body, opts); }
  delete<T = any>(path: string, body?: unknown, opts?: RequestOptions) { return this.request<T>('DELETE', path, body, opts); }

  /** POST /v1/graphql with a query. */
  graphql<T = any>(query: string) { return this.post<T>('/v1/graphql', { query }); }
}
