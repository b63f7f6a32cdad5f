// Compiled plans for the hottest GraphQL shape: one `Get { Class(nearVector: {vector: $v, ...},
// limit: 10, ...) { props _additional { id distance } } }` per request (what weaviate-ts-client
// sends for a vector search). graphql-js spends most of its 60-90 us per such query on coercing
// the 128-number vector variable element by element and on completing the result field by field;
// here the validated template (vector-template.ts) is compiled once into the class, the literal
// arguments and a list of field writers, and each request runs the same resolver core as
// graphql-js (getObjects) and writes the JSON answer directly.
//
// A plan is only made for documents whose meaning is plain: a single query operation, no aliases,
// directives, fragments, __typename, duplicate fields or variables other than the lifted vector;
// anything else stays with graphql-js. Values are serialised by the schema's own scalar types, so
// the bytes are those graphql-js would produce; a request that fails in any way (an argument
// error, a value a scalar refuses) is answered by graphql-js instead, with its messages.
import {
  Kind, isListType, isNonNullType, isObjectType, isScalarType,
  type DocumentNode, type FieldNode, type GraphQLObjectType, type GraphQLOutputType, type GraphQLSchema, type SelectionSetNode,
} from 'graphql';
import type { ClassState, ControlSnapshot } from '../../control/types.js';
import type { ConsistencyLevel } from '../../objects/types.js';
import { getObjects, HIT_FIELDS, type GetArgs, type GetSelection, type GraphqlContext } from './resolvers.js';

type Writer = (value: unknown) => string;

interface FieldWriter {
  name: string;
  /** `"name":`, JSON-encoded once. */
  key: string;
  write: Writer;
}

export interface GetPlan {
  cls: ClassState;
  /** Literal arguments of the class field (nearVector without its vector). */
  args: GetArgs;
  /** The variable holding nearVector.vector, when there is a nearVector. */
  vectorVariable?: string;
  selection: GetSelection;
  /** `{"data":{"Get":{"<Class>":[` */
  prefix: string;
  fields: FieldWriter[];
}

/** Thrown inside a writer when graphql-js would report an error: the caller falls back to it. */
class NotPlain extends Error {}

/** The plan of a validated template, or undefined when graphql-js should run it. */
export function compileGetPlan(schema: GraphQLSchema, snap: ControlSnapshot, document: DocumentNode): GetPlan | undefined {
  if (document.definitions.length !== 1) return undefined;
  const op = document.definitions[0];
  if (op.kind !== Kind.OPERATION_DEFINITION || op.operation !== 'query' || op.directives?.length) return undefined;
  const get = onlyField(op.selectionSet);
  if (!get || get.name.value !== 'Get' || get.arguments?.length) return undefined;
  const classField = onlyField(get.selectionSet);
  if (!classField) return undefined;
  const cls = snap.classes.get(classField.name.value);
  const type = schema.getType(classField.name.value);
  if (!cls || !type || !isObjectType(type)) return undefined;
  const args = literalArgs(classField);
  if (!args) return undefined;
  const fields = objectWriters(type, classField.selectionSet);
  if (!fields) return undefined;
  return {
    cls,
    args: args.args,
    vectorVariable: args.vectorVariable,
    selection: selectionOf(classField.selectionSet!),
    prefix: `{"data":{"Get":{${JSON.stringify(cls.definition.class)}:[`,
    fields,
  };
}

/**
 * Run a plan with the request's lifted vectors: the JSON answer, or undefined when graphql-js
 * must answer instead (any error; it then reports it exactly as it would have).
 */
export async function runGetPlan(plan: GetPlan, variables: Record<string, number[]>, ctx: GraphqlContext): Promise<string | undefined> {
  let args = plan.args;
  if (plan.vectorVariable !== undefined) {
    const vector = variables[plan.vectorVariable];
    if (!vector) return undefined;
    args = { ...args, nearVector: { ...args.nearVector, vector } };
  }
  let items: Array<Record<string, unknown>>;
  try {
    items = await getObjects(plan.cls, args, ctx, plan.selection);
  } catch {
    return undefined;
  }
  try {
    let out = plan.prefix;
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out += ',';
      out += writeObject(plan.fields, items[i]);
    }
    return out + ']}}}';
  } catch {
    return undefined; // NotPlain, or a scalar refusing a value: graphql-js reports it
  }
}

function onlyField(set: SelectionSetNode | undefined): FieldNode | undefined {
  if (!set || set.selections.length !== 1) return undefined;
  const f = set.selections[0];
  return f.kind === Kind.FIELD && !f.alias && !f.directives?.length ? f : undefined;
}

/** Literal values of the class field's arguments, the nearVector vector as a variable name. */
function literalArgs(field: FieldNode): { args: GetArgs; vectorVariable?: string } | undefined {
  const args: GetArgs = {};
  let vectorVariable: string | undefined;
  for (const arg of field.arguments ?? []) {
    const v = arg.value;
    switch (arg.name.value) {
      case 'limit':
      case 'offset':
      case 'autocut': {
        if (v.kind !== Kind.INT && v.kind !== Kind.NULL) return undefined;
        const n = v.kind === Kind.INT ? Number(v.value) : null;
        if (arg.name.value === 'limit') args.limit = n;
        else if (arg.name.value === 'offset') args.offset = n;
        break;
      }
      case 'consistencyLevel':
        if (v.kind === Kind.ENUM) args.consistencyLevel = v.value as ConsistencyLevel;
        else if (v.kind === Kind.NULL) args.consistencyLevel = null;
        else return undefined;
        break;
      case 'nearVector': {
        if (v.kind !== Kind.OBJECT) return undefined;
        const near: Record<string, unknown> = {};
        for (const f of v.fields) {
          const name = f.name.value;
          if (name === 'vector' && f.value.kind === Kind.VARIABLE) vectorVariable = f.value.name.value;
          else if ((name === 'distance' || name === 'certainty') && (f.value.kind === Kind.FLOAT || f.value.kind === Kind.INT)) near[name] = Number(f.value.value);
          else if ((name === 'distance' || name === 'certainty') && f.value.kind === Kind.NULL) near[name] = null;
          else return undefined;
        }
        if (vectorVariable === undefined) return undefined;
        args.nearVector = near as unknown as GetArgs['nearVector'];
        break;
      }
      default:
        return undefined; // where, nearObject, after: graphql-js
    }
  }
  return { args, vectorVariable };
}

/** Writers for the fields selected on an object type, in selection order; undefined if not plain. */
function objectWriters(type: GraphQLObjectType, set: SelectionSetNode | undefined): FieldWriter[] | undefined {
  if (!set) return undefined;
  const out: FieldWriter[] = [];
  const seen = new Set<string>();
  const defs = type.getFields();
  for (const s of set.selections) {
    if (s.kind !== Kind.FIELD || s.alias || s.directives?.length || s.arguments?.length) return undefined;
    const name = s.name.value;
    const def = defs[name];
    if (!def || seen.has(name)) return undefined;
    seen.add(name);
    const write = writerOf(def.type, s.selectionSet);
    if (!write) return undefined;
    out.push({ name, key: `${JSON.stringify(name)}:`, write });
  }
  return out;
}

function writerOf(type: GraphQLOutputType, set: SelectionSetNode | undefined): Writer | undefined {
  if (isNonNullType(type)) {
    const inner = writerOf(type.ofType, set);
    return inner && ((v) => (v === null || v === undefined ? notPlain() : inner(v)));
  }
  let write: Writer | undefined;
  if (isScalarType(type) && !set) {
    const scalar = type;
    write = (v) => {
      const s = scalar.serialize(v);
      return s === null || s === undefined ? notPlain() : JSON.stringify(s);
    };
  } else if (isListType(type)) {
    const item = writerOf(type.ofType, set);
    write = item && ((v) => {
      if (typeof v !== 'object' || v === null || typeof (v as Iterable<unknown>)[Symbol.iterator] !== 'function') return notPlain();
      let s = '[';
      let first = true;
      for (const x of v as Iterable<unknown>) {
        s += (first ? '' : ',') + item(x);
        first = false;
      }
      return s + ']';
    });
  } else if (isObjectType(type)) {
    const fields = objectWriters(type, set);
    write = fields && ((v) => writeObject(fields, v as Record<string, unknown>));
  }
  if (!write) return undefined;
  const nonNull = write;
  return (v) => (v === null || v === undefined ? 'null' : nonNull(v));
}

function writeObject(fields: FieldWriter[], obj: Record<string, unknown>): string {
  let s = '{';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    s += (i > 0 ? ',' : '') + f.key + f.write(obj[f.name]);
  }
  return s + '}';
}

function notPlain(): never {
  throw new NotPlain('not answered by the plan');
}

/** The same decision as resolvers.ts `selected`, from the plain selection set a plan accepts. */
function selectionOf(set: SelectionSetNode): GetSelection {
  const out: GetSelection = { objects: false, vector: false };
  for (const s of set.selections) {
    if (s.kind !== Kind.FIELD) continue;
    if (s.name.value !== '_additional') {
      out.objects ||= s.name.value !== '__typename';
      continue;
    }
    for (const a of s.selectionSet?.selections ?? []) {
      if (a.kind !== Kind.FIELD || HIT_FIELDS.has(a.name.value)) continue;
      out.objects = true;
      out.vector ||= a.name.value === 'vector';
    }
  }
  return out;
}
