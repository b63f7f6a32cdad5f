// Parsing of resource URLs and request options, kept apart from dispatch.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { DeleteOptions, ListQuery } from './core.js';
import { ApiError, badRequest, unsupportedMediaType } from './errors.js';
import { decodeProtobuf, isProtobuf } from './protobuf.js';
import type { Registry } from './resources.js';
import type { FieldValidation, KObject, WriteOptions } from './types.js';
import { isObject } from './util.js';

export interface ResourcePath {
  group: string;
  version: string;
  namespace?: string;
  plural: string;
  name?: string;
  subresource: string;
  legacyWatch: boolean;
}

/** `/api/v1/...` or `/apis/<g>/<v>/...` below the group-version; undefined if not a resource URL. */
export function parseResourcePath(pathname: string, registry: Registry): ResourcePath | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string; let version: string; let segs: string[];
  if (parts[0] === 'api' && parts.length >= 3) { group = ''; version = parts[1]; segs = parts.slice(2); }
  else if (parts[0] === 'apis' && parts.length >= 4) { group = parts[1]; version = parts[2]; segs = parts.slice(3); }
  else return undefined;
  const legacyWatch = segs[0] === 'watch';
  if (legacyWatch) segs = segs.slice(1);
  let namespace: string | undefined;
  if (segs[0] === 'namespaces' && segs.length >= 3 && registry.find(group, version, segs[2])?.namespaced) {
    namespace = segs[1];
    segs = segs.slice(2);
  }
  if (segs.length === 0 || segs.length > 3) return undefined;
  return { group, version, namespace, plural: segs[0], name: segs[1], subresource: segs[2] ?? '', legacyWatch };
}

const COMMON = ['pretty', 'timeout'];
const READ = ['watch', 'resourceVersion', 'resourceVersionMatch', 'labelSelector', 'fieldSelector', 'limit', 'continue',
  'timeoutSeconds', 'allowWatchBookmarks', 'sendInitialEvents', 'includeObject'];
const WRITE = ['dryRun', 'fieldManager', 'fieldValidation', 'force'];
const DELETE = ['dryRun', 'gracePeriodSeconds', 'propagationPolicy', 'orphanDependents', 'labelSelector', 'fieldSelector',
  'resourceVersion', 'resourceVersionMatch', 'limit', 'continue', 'timeoutSeconds', 'sendInitialEvents'];

/** Fail loudly on options the double does not implement rather than silently ignoring them. */
export function checkQuery(method: string, q: URLSearchParams): void {
  const allowed = new Set([...COMMON, ...(method === 'GET' ? READ : method === 'DELETE' ? DELETE : WRITE)]);
  for (const key of q.keys()) {
    if (!allowed.has(key)) throw badRequest(`query parameter "${key}" is not supported by Shoal's local API server for ${method} requests`);
  }
  const match = q.get('resourceVersionMatch');
  if (match && match !== 'NotOlderThan') throw badRequest(`resourceVersionMatch=${match} is not supported by Shoal's local API server (lists always serve the latest state)`);
  const dryRun = q.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All')) throw badRequest(`dryRun must be "All", got ${JSON.stringify(dryRun)}`);
}

export function writeOptions(q: URLSearchParams, userAgent: string | undefined): WriteOptions & { managerDefault: string } {
  const fv = q.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(fv)) throw badRequest(`fieldValidation must be one of Strict, Warn, Ignore; got "${fv}"`);
  const fieldManager = q.get('fieldManager') ?? undefined;
  if (fieldManager !== undefined && fieldManager.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
  return {
    dryRun: q.getAll('dryRun').includes('All'),
    fieldManager,
    fieldValidation: fv as FieldValidation,
    warnings: [],
    managerDefault: fieldManager ?? (userAgent ?? 'unknown').split('/')[0],
  };
}

export function listQuery(q: URLSearchParams): ListQuery {
  const limit = q.get('limit');
  return {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: limit ? Number(limit) : undefined,
    continue: q.get('continue') ?? undefined,
  };
}

export async function readBody(req: IncomingMessage, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new ApiError(413, 'RequestEntityTooLarge', `request body exceeds ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A POST/PUT body as an object: JSON, YAML or Kubernetes protobuf. */
export function decodeObject(body: Buffer, contentType: string | undefined): KObject {
  const ct = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  let obj: unknown;
  if (isProtobuf(ct)) obj = decodeProtobuf(body);
  else if (ct === 'application/json' || ct === '*/*' || ct === '') obj = parseJson(body);
  else if (ct === 'application/yaml') obj = parseYaml(body.toString('utf8'));
  else throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
  if (!isObject(obj)) throw badRequest('the request body must be an object');
  return obj as KObject;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw badRequest(`error decoding JSON body: ${(e as Error).message}`);
  }
}

export function deleteOptions(q: URLSearchParams, body: Buffer, contentType: string | undefined): DeleteOptions {
  const fromBody = body.length > 0 ? (decodeObject(body, contentType) as unknown as DeleteOptions) : {};
  const policy = q.get('propagationPolicy') ?? fromBody.propagationPolicy;
  if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw badRequest(`propagationPolicy must be Background, Foreground or Orphan, got "${policy}"`);
  }
  const orphan = q.get('orphanDependents');
  return {
    ...fromBody,
    propagationPolicy: policy as DeleteOptions['propagationPolicy'],
    orphanDependents: orphan !== null ? orphan === 'true' : fromBody.orphanDependents,
    dryRun: q.getAll('dryRun').length ? q.getAll('dryRun') : fromBody.dryRun,
  };
}
