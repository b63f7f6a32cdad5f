// The HTTP status and message of a failed Kubernetes call, whichever layer threw it: an
// ApiException from the generated clients (code, body), a watch error (statusCode), or a
// network error (neither). Shared by the operator, the pods and local mode.

export function statusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const x = e as { code?: unknown; statusCode?: unknown };
  if (typeof x.code === 'number') return x.code;
  if (typeof x.statusCode === 'number') return x.statusCode;
  return undefined;
}

export const isNotFound = (e: unknown) => statusOf(e) === 404;
export const isConflict = (e: unknown) => statusOf(e) === 409;

/** The server's Status body, when there is one. */
export function statusBodyOf(e: unknown): { message?: string; reason?: string } | undefined {
  const body = (e as { body?: unknown } | undefined)?.body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  return typeof parsed === 'object' && parsed !== null ? (parsed as { message?: string; reason?: string }) : undefined;
}

/** "409 <server message>", else the error's own message. */
export function messageOf(e: unknown): string {
  const msg = statusBodyOf(e)?.message;
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
