// /v1/batch/objects: import many objects (one result per object, in input order, HTTP 200 even
// when some fail) and delete the objects matching a where filter.
import { randomUUID } from 'node:crypto';
import type { SchemaIssue } from '../../../../api/index.js';
import type { ApiDeps, ApiRequest } from '../deps.js';
import type { ObjectWrite, WriteOutcome } from '../../coordinator/types.js';
import { ok, type Reply } from '../http/reply.js';
import { consistencyLevel, MAX_RESULTS } from '../http/params.js';
import { unprocessable, httpNotFound, issueMessages, errorBody } from '../errors.js';
import { validateObject, type ObjectInput } from '../validation/object.js';
import { settleDimensions } from '../validation/dimensions.js';
import { whereOf } from '../validation/where.js';
import { renderObject } from '../render.js';
import { canonicalClassName } from '../../../../api/index.js';
import { routableClass } from '../../control/routable.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const failed = (messages: string[]) => ({ status: 'FAILED', errors: errorBody(messages) });

/** What a failed entry echoes back: the fields the client sent that identify it. */
function echo(raw: unknown): Record<string, unknown> {
  if (!isObject(raw)) return {};
  const out: Record<string, unknown> = {};
  if (typeof raw.class === 'string') out.class = raw.class;
  if (typeof raw.id === 'string') out.id = raw.id;
  if (raw.properties !== undefined) out.properties = raw.properties;
  return out;
}

export async function batchObjects(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const started = process.hrtime.bigint();
  const opts = { consistencyLevel: consistencyLevel(req.query) };
  if (!isObject(req.body) || !Array.isArray(req.body.objects))
    throw unprocessable('body must be an object with an array "objects": {"objects":[{"class":...,"properties":{...},"vector":[...]}]}');
  const raws = req.body.objects as unknown[];
  // A large batch holds the event loop for milliseconds at each step (parse, validate, store):
  // yield between steps so that queries arriving meanwhile are not queued behind all of them.
  await yieldToEventLoop();
  const snap = deps.control.snapshot();
  const errors: Array<string[] | undefined> = new Array(raws.length);
  const inputs: Array<ObjectInput | undefined> = raws.map((raw, i) => {
    const issues: SchemaIssue[] = [];
    const input = validateObject(snap, raw, issues, { path: '' });
    if (!input) errors[i] = issueMessages(issues).map((m) => `objects[${i}].${m}`);
    return input;
  });
  (await settleDimensions(deps.control, inputs)).forEach((e, i) => {
    if (e) (errors[i] = [`objects[${i}].${e}`]), (inputs[i] = undefined);
  });
  const writes: ObjectWrite[] = [];
  const slot: number[] = [];
  inputs.forEach((input, i) => {
    if (!input) return;
    slot.push(i);
    writes.push({ class: input.class, id: input.id ?? randomUUID(), properties: input.properties, vector: input.vector ?? null });
  });
  await yieldToEventLoop();
  const outcomes: Array<WriteOutcome | undefined> = new Array(raws.length);
  (await deps.coordinator.putObjects(writes, opts)).forEach((o, k) => (outcomes[slot[k]] = o));
  const body = raws.map((raw, i) => entry(raw, errors[i], outcomes[i]));
  const failedCount = body.filter((b) => (b.result as { status: string }).status === 'FAILED').length;
  deps.metrics.batch(raws.length, failedCount, Number(process.hrtime.bigint() - started) / 1e9);
  return ok(body);
}

function entry(raw: unknown, errors: string[] | undefined, outcome: WriteOutcome | undefined): Record<string, unknown> {
  if (errors) return { ...echo(raw), result: failed(errors) };
  if (!outcome) return { ...echo(raw), result: failed(['not stored']) };
  if ('error' in outcome) return { ...echo(raw), result: failed([outcome.error]) };
  // The vector is not echoed back: it is what the client sent, and serialising it would cost
  // more than storing it. GET /v1/objects/{class}/{id}?include=vector returns it.
  return { ...renderObject(outcome.object, false), result: { status: 'SUCCESS' } };
}

/** DELETE /v1/batch/objects {match:{class, where}, output, dryRun} */
export async function batchDelete(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const opts = { consistencyLevel: consistencyLevel(req.query) };
  const body = req.body;
  if (!isObject(body) || !isObject(body.match)) throw unprocessable('body must be {"match":{"class":...,"where":{...}},"output":"minimal"|"verbose","dryRun":false}');
  const { match } = body;
  if (typeof match.class !== 'string') throw unprocessable('match.class: is required: the class to delete from');
  const name = canonicalClassName(match.class);
  const cls = routableClass(deps.control.snapshot(), name);
  if (match.where === undefined) throw unprocessable('match.where: is required (to delete every object, delete the class)');
  const output = body.output ?? 'minimal';
  if (output !== 'minimal' && output !== 'verbose') throw unprocessable(`output must be minimal or verbose, got ${JSON.stringify(output)}`);
  if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') throw unprocessable('dryRun must be a boolean');
  const filter = whereOf(match.where, cls.definition, 'match.where');
  const dryRun = body.dryRun === true;
  const r = await deps.coordinator.deleteWhere({ class: name, filter, dryRun, limit: MAX_RESULTS }, opts);
  const results: Record<string, unknown> = { matches: r.matches, limit: r.limit, successful: r.successful, failed: r.failed };
  if (output === 'verbose')
    results.objects = r.objects.map((o) => (o.error ? { id: o.id, status: o.status, errors: errorBody([o.error]) } : { id: o.id, status: o.status }));
  return ok({ match: { class: name, where: match.where }, output, dryRun, results });
}

