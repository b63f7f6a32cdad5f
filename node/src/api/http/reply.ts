// What a handler returns, independent of the framework that carries it (node:http or express).
import type { ServerResponse } from 'node:http';
import { errorBody, toHttpError } from '../errors.js';

export interface Reply {
  status: number;
  /** Serialised as JSON; absent means an empty body. */
  body?: unknown;
  /** A pre-serialised body (with its content-type in headers), sent as is. */
  raw?: string;
  headers?: Record<string, string>;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const noContent = (): Reply => ({ status: 204 });

export function errorReply(e: unknown): Reply {
  const err = toHttpError(e);
  // After a refused oversize body, close the connection rather than read the rest of it.
  const headers = err.status === 413 ? { connection: 'close' } : undefined;
  return { status: err.status, body: errorBody(err.messages), headers };
}

/** Write a reply: JSON with an explicit length (no chunking), no ETag. */
export function sendReply(res: ServerResponse, reply: Reply, head = false): void {
  const payload = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
  const headers: Record<string, string | number> = { ...reply.headers };
  if (reply.body !== undefined && reply.raw === undefined) headers['content-type'] = 'application/json';
  headers['content-length'] = Buffer.byteLength(payload);
  res.writeHead(reply.status, headers);
  res.end(head ? undefined : payload);
}
