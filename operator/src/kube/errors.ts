// HTTP status of a failed Kubernetes call, whichever layer threw it (ApiException from the
// generated clients, a watch error with statusCode, a plain Error with code).

export function statusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const x = e as { code?: unknown; statusCode?: unknown };
  if (typeof x.code === 'number') return x.code;
  if (typeof x.statusCode === 'number') return x.statusCode;
  return undefined;
}

export const isNotFound = (e: unknown) => statusOf(e) === 404;
export const isConflict = (e: unknown) => statusOf(e) === 409;

/** The server's message from a Status body, else the error's own message. */
export function messageOf(e: unknown): string {
  const body = (e as { body?: unknown })?.body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const msg = (parsed as { message?: unknown } | undefined)?.message;
  if (typeof msg === 'string' && msg) return `${statusOf(e) ?? ''} ${msg}`.trim();
  return e instanceof Error ? e.message : String(e);
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
