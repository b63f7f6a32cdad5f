// API keys: with SHOAL_API_KEYS set, every request but the probes and metrics needs
// `Authorization: Bearer <key>`. Keys are compared in constant time.
import { timingSafeEqual, createHash } from 'node:crypto';
import { HttpError } from '../errors.js';

const PUBLIC_PATHS = new Set(['/v1/.well-known/live', '/v1/.well-known/ready', '/metrics']);

export type Authorizer = (path: string, authorization: string | undefined) => void;

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Throws 401 unless the request may pass. With no keys, everything passes. */
export function createAuthorizer(keys: readonly string[]): Authorizer {
  if (keys.length === 0) return () => undefined;
  const digests = keys.map(digest);
  return (path, authorization) => {
    if (PUBLIC_PATHS.has(path)) return;
    const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!match) throw new HttpError(401, ['anonymous access is disabled: send "Authorization: Bearer <API key>"']);
    const given = digest(match[1]);
    // Compare against every key so the time does not depend on which one matched.
    let okAny = false;
    for (const d of digests) okAny = timingSafeEqual(d, given) || okAny;
    if (!okAny) throw new HttpError(401, ['the API key in the Authorization header is not valid']);
  };
}
