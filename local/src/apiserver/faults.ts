// Fault injection for tests: fail or delay the next N HTTP requests matching a verb and a
// resource. Faults apply to HTTP requests only, never to the in-process accessors.
import { ApiError } from './errors.js';
import type { ResourceDef, Verb } from './types.js';

export interface FaultMatch {
  /** Kubernetes verb (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`); omitted = any. */
  verb?: Verb;
  /** `pods`, `statefulsets`, `statefulsets.apps`, `vectorclusters/status`, ...; omitted = any. */
  resource?: string;
  namespace?: string;
  name?: string;
}

export interface FailOptions {
  message?: string;
  /** Sets `Retry-After` (and details.retryAfterSeconds), as the real server does on 429. */
  retryAfterSeconds?: number;
}

interface Rule { match: FaultMatch; remaining: number; status?: number; opts?: FailOptions; delayMs?: number }

export interface RequestInfo { verb: Verb; def: ResourceDef; subresource: string; namespace?: string; name?: string }

const REASONS: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 410: 'Expired',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

function resourceMatches(want: string | undefined, info: RequestInfo): boolean {
  if (!want) return true;
  const [res, sub = ''] = want.split('/');
  const names = [info.def.plural, info.def.group ? `${info.def.plural}.${info.def.group}` : info.def.plural];
  return names.includes(res) && sub === info.subresource;
}

export class Faults {
  private rules: Rule[] = [];

  fail(count: number, match: FaultMatch, status: number, opts: FailOptions = {}): void {
    this.rules.push({ match, remaining: count, status, opts });
  }

  delay(count: number, match: FaultMatch, delayMs: number): void {
    this.rules.push({ match, remaining: count, delayMs });
  }

  clear(): void {
    this.rules = [];
  }

  /** Consume the first matching rules: a delay to wait and/or an error to answer with. */
  take(info: RequestInfo): { delayMs: number; error?: ApiError } {
    let delayMs = 0;
    let error: ApiError | undefined;
    for (const r of this.rules) {
      if (r.remaining <= 0 || !this.matches(r.match, info)) continue;
      if (r.delayMs !== undefined && delayMs === 0) { delayMs = r.delayMs; r.remaining--; }
      if (r.status !== undefined && !error) { error = this.errorFor(r, info); r.remaining--; }
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return { delayMs, error };
  }

  private matches(m: FaultMatch, info: RequestInfo): boolean {
    return (!m.verb || m.verb === info.verb) && resourceMatches(m.resource, info)
      && (!m.namespace || m.namespace === info.namespace) && (!m.name || m.name === info.name);
  }

  private errorFor(r: Rule, info: RequestInfo): ApiError {
    const status = r.status as number;
    const message = r.opts?.message ?? `injected fault: ${info.verb} ${info.def.plural}${info.subresource ? `/${info.subresource}` : ''} failed with ${status}`;
    const headers: Record<string, string> = {};
    const details: Record<string, string | number> = { kind: info.def.plural };
    if (info.name) details.name = info.name;
    if (r.opts?.retryAfterSeconds !== undefined) {
      headers['Retry-After'] = String(r.opts.retryAfterSeconds);
      details.retryAfterSeconds = r.opts.retryAfterSeconds;
    }
    return new ApiError(status, REASONS[status] ?? 'Unknown', message, details, headers);
  }
}
