// POST /v1/graphql: parse, validate and execute with graphql-js. The schema is built once per
// control snapshot version; parsed and validated documents are cached by query text (short
// queries only: a query that inlines a vector is practically never repeated, so caching it would
// only cost memory). Syntax and validation errors answer 400, argument errors (unknown property
// in a filter, wrong vector length) 422, both with GraphQL's `errors` array.
// Queries that inline vectors go through a cached template (vector-template.ts); the plain
// nearVector Get shape then runs a compiled plan (get-plan.ts) instead of graphql-js's execute:
// about 15 us instead of 60-130 us per query, with the same bytes out.
import {
  parse, validate, execute, GraphQLError, type DocumentNode, type GraphQLSchema, type ExecutionResult,
} from 'graphql';
import type { ApiDeps } from '../deps.js';
import type { ControlSnapshot } from '../../control/types.js';
import type { Reply } from '../http/reply.js';
import { HttpError } from '../errors.js';
import { ShoalError } from '../../coordinator/errors.js';
import { buildGraphqlSchema } from './schema-builder.js';
import { liftVectors } from './vector-template.js';
import { compileGetPlan, runGetPlan, type GetPlan } from './get-plan.js';

const CACHED_QUERY_MAX_CHARS = 2048;
const CACHE_ENTRIES = 500;
const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

/** A validated vector template and, for the plain Get shape, its compiled plan (get-plan.ts). */
interface Template {
  document: DocumentNode;
  plan?: GetPlan;
}

interface GraphqlBody {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export class GraphqlEndpoint {
  private built?: { version: number; schema: GraphQLSchema; snap: ControlSnapshot };
  private readonly documents = new Map<string, DocumentNode>();
  /** Validated vector templates (see vector-template.ts); null marks an invalid template. */
  private readonly templates = new Map<string, Template | null>();
  /** Compiled plans are used (tests turn them off to compare with graphql-js). */
  plans = true;

  constructor(private readonly deps: ApiDeps) {}

  schema(): GraphQLSchema {
    const snap = this.deps.control.snapshot();
    if (this.built?.version !== snap.version) {
      this.built = { version: snap.version, schema: buildGraphqlSchema(snap), snap };
      this.documents.clear();
      this.templates.clear();
    }
    return this.built.schema;
  }

  async handle(body: unknown): Promise<Reply> {
    const request = checkBody(body);
    if ('errors' in request) return { status: 400, body: request };
    const schema = this.schema();
    const fast = await this.tryTemplate(schema, request);
    if (fast) return fast;
    const document = this.document(schema, request.query);
    if ('errors' in document) return { status: 400, body: document };
    const result = (await execute({
      schema, document, contextValue: { deps: this.deps },
      variableValues: request.variables, operationName: request.operationName,
    })) as ExecutionResult;
    if (!result.errors?.length) return { status: 200, body: result };
    return { status: result.errors.some(isInputError) ? 422 : 200, body: { data: result.data ?? null, errors: result.errors.map(formatError) } };
  }

  /**
   * Execute through a cached vector template. Only a clean success is answered here: on any
   * error the query is run again the normal way, so messages and locations match the query as sent.
   */
  private async tryTemplate(schema: GraphQLSchema, request: GraphqlBody): Promise<Reply | undefined> {
    if (request.variables || request.operationName) return undefined;
    const lifted = liftVectors(request.query);
    if (!lifted) return undefined;
    let template = this.templates.get(lifted.template);
    if (template === undefined) {
      const doc = parseOrUndefined(lifted.template);
      template = doc && validate(schema, doc).length === 0 ? { document: doc, plan: compileGetPlan(schema, this.built!.snap, doc) } : null;
      remember(this.templates, lifted.template, template);
    }
    if (!template) return undefined;
    const context = { deps: this.deps };
    if (template.plan && this.plans) {
      const raw = await runGetPlan(template.plan, lifted.variables, context);
      return raw === undefined ? undefined : { status: 200, raw, headers: JSON_HEADERS };
    }
    const result = (await execute({ schema, document: template.document, contextValue: context, variableValues: lifted.variables })) as ExecutionResult;
    return result.errors?.length ? undefined : { status: 200, body: result };
  }

  /** POST /v1/graphql/batch: several queries, one answer each, in order. */
  async handleBatch(body: unknown): Promise<Reply> {
    if (!Array.isArray(body)) return { status: 400, body: { errors: [{ message: 'body must be an array of {"query": ...}' }] } };
    const answers = [];
    for (const b of body) answers.push((await this.handle(b)).body);
    return { status: 200, body: answers };
  }

  private document(schema: GraphQLSchema, query: string): DocumentNode | { errors: unknown[] } {
    const cached = this.documents.get(query);
    if (cached) return cached;
    let doc: DocumentNode;
    try {
      doc = parse(query);
    } catch (e) {
      return { errors: [formatError(e as GraphQLError)] };
    }
    const errors = validate(schema, doc);
    if (errors.length) return { errors: errors.map((e) => formatError(explain(e))) };
    if (query.length <= CACHED_QUERY_MAX_CHARS) remember(this.documents, query, doc);
    return doc;
  }
}

/** Insert into a bounded map, evicting the oldest entry. */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

function parseOrUndefined(query: string): DocumentNode | undefined {
  try {
    return parse(query);
  } catch {
    return undefined;
  }
}

function checkBody(body: unknown): GraphqlBody | { errors: unknown[] } {
  const fail = (message: string) => ({ errors: [{ message }] });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('body must be a JSON object {"query": "{ Get { ... } }"}');
  const b = body as Record<string, unknown>;
  if (typeof b.query !== 'string' || b.query.trim() === '') return fail('query: must be a non-empty string holding a GraphQL query');
  if (b.variables !== undefined && b.variables !== null && (typeof b.variables !== 'object' || Array.isArray(b.variables))) return fail('variables: must be an object');
  if (b.operationName !== undefined && b.operationName !== null && typeof b.operationName !== 'string') return fail('operationName: must be a string');
  return { query: b.query, variables: (b.variables ?? undefined) as Record<string, unknown> | undefined, operationName: (b.operationName ?? undefined) as string | undefined };
}

/** "Cannot query field X on type _GetObjects" says more as "class X does not exist". */
function explain(e: GraphQLError): GraphQLError {
  const m = /^Cannot query field "([^"]+)" on type "_(Get|Aggregate)Objects"/.exec(e.message);
  if (!m) return e;
  return new GraphQLError(`${e.message} Class ${JSON.stringify(m[1])} does not exist; create it with POST /v1/schema.`, { nodes: e.nodes, source: e.source, positions: e.positions });
}

function isInputError(e: GraphQLError): boolean {
  const original = e.originalError;
  if (original instanceof HttpError) return original.status >= 400 && original.status < 500;
  if (original instanceof ShoalError) return original.kind === 'invalid' || original.kind === 'not-found';
  return original === undefined; // a coercion error of an argument
}

function formatError(e: GraphQLError): Record<string, unknown> {
  const out: Record<string, unknown> = { message: e.message };
  if (e.locations) out.locations = e.locations;
  if (e.path) out.path = e.path;
  return out;
}
