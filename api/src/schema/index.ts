// A small schema language: one declaration yields the TypeScript type (Infer<S>), a validator
// that turns untrusted JSON into a typed value (filling defaults, naming the failing field), and
// the OpenAPI v3 schema used in the CRDs. This is how the CRDs and the types stay one fact.

export interface SchemaIssue {
  /** Dotted path of the offending field, e.g. `spec.class.vectorIndexConfig.distance`. */
  path: string;
  message: string;
}

export type OpenApi = Record<string, unknown>;

export abstract class Schema<T> {
  readonly _type!: T;
  description?: string;
  defaultValue?: T;
  // Method syntax keeps Schema<T> assignable to Schema<unknown> (bivariant parameter).
  checks: Array<{ ok(v: T): boolean; message: string }> = [];

  /** Validate `value` at `path`; push issues and return undefined when invalid. */
  abstract check(value: unknown, path: string, issues: SchemaIssue[]): T | undefined;
  protected abstract baseOpenApi(): OpenApi;

  describe(text: string): this {
    this.description = text;
    return this;
  }
  default(value: T): this {
    this.defaultValue = value;
    return this;
  }
  refine(ok: (v: T) => boolean, message: string): this {
    this.checks.push({ ok: (v: T) => ok(v), message });
    return this;
  }
  optional(): Optional<this> {
    return new Optional(this);
  }
  openapi(): OpenApi {
    const o = this.baseOpenApi();
    if (this.description) o.description = this.description;
    if (this.defaultValue !== undefined) o.default = this.defaultValue;
    return o;
  }
  run(value: unknown, path: string, issues: SchemaIssue[]): T | undefined {
    if (value === undefined && this.defaultValue !== undefined) value = structuredClone(this.defaultValue);
    const out = this.check(value, path, issues);
    if (out === undefined) return undefined;
    for (const c of this.checks) {
      if (!c.ok(out)) {
        issues.push({ path, message: c.message });
        return undefined;
      }
    }
    return out;
  }
}

/** Marks an object property as optional (absent stays absent unless a default is set). */
export class Optional<S extends Schema<unknown>> {
  constructor(readonly inner: S) {}
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}
function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

export class StringSchema<T extends string = string> extends Schema<T> {
  constructor(private opts: { pattern?: RegExp; minLength?: number; maxLength?: number; enum?: readonly T[]; patternHint?: string; format?: string } = {}) {
    super();
  }
  check(v: unknown, path: string, issues: SchemaIssue[]): T | undefined {
    if (typeof v !== 'string') return void issues.push({ path, message: `must be a string, got ${typeName(v)}` });
    const { pattern, minLength, maxLength } = this.opts;
    if (this.opts.enum && !this.opts.enum.includes(v as T))
      return void issues.push({ path, message: `must be one of ${this.opts.enum.join(', ')}; got ${show(v)}` });
    if (minLength !== undefined && v.length < minLength) return void issues.push({ path, message: `must have at least ${minLength} characters` });
    if (maxLength !== undefined && v.length > maxLength) return void issues.push({ path, message: `must have at most ${maxLength} characters` });
    if (pattern && !pattern.test(v))
      return void issues.push({ path, message: `${show(v)} ${this.opts.patternHint ?? `must match ${pattern.source}`}` });
    return v as T;
  }
  protected baseOpenApi(): OpenApi {
    const o: OpenApi = { type: 'string' };
    if (this.opts.enum) o.enum = [...this.opts.enum];
    if (this.opts.pattern) o.pattern = this.opts.pattern.source;
    if (this.opts.minLength !== undefined) o.minLength = this.opts.minLength;
    if (this.opts.maxLength !== undefined) o.maxLength = this.opts.maxLength;
    // OpenAPI format (e.g. date-time): documentation for kubectl explain; not checked here.
    if (this.opts.format) o.format = this.opts.format;
    return o;
  }
}

export class NumberSchema extends Schema<number> {
  constructor(private opts: { integer?: boolean; minimum?: number; maximum?: number } = {}) {
    super();
  }
  check(v: unknown, path: string, issues: SchemaIssue[]): number | undefined {
    const { integer, minimum, maximum } = this.opts;
    if (typeof v !== 'number' || !Number.isFinite(v))
      return void issues.push({ path, message: `must be ${integer ? 'an integer' : 'a finite number'}, got ${show(v)}` });
    if (integer && !Number.isInteger(v)) return void issues.push({ path, message: `must be an integer, got ${v}` });
    if (minimum !== undefined && v < minimum) return void issues.push({ path, message: `must be >= ${minimum}, got ${v}` });
    if (maximum !== undefined && v > maximum) return void issues.push({ path, message: `must be <= ${maximum}, got ${v}` });
    return v;
  }
  protected baseOpenApi(): OpenApi {
    const o: OpenApi = { type: this.opts.integer ? 'integer' : 'number' };
    if (this.opts.minimum !== undefined) o.minimum = this.opts.minimum;
    if (this.opts.maximum !== undefined) o.maximum = this.opts.maximum;
    return o;
  }
}

export class BooleanSchema extends Schema<boolean> {
  check(v: unknown, path: string, issues: SchemaIssue[]): boolean | undefined {
    if (typeof v !== 'boolean') return void issues.push({ path, message: `must be a boolean, got ${show(v)}` });
    return v;
  }
  protected baseOpenApi(): OpenApi {
    return { type: 'boolean' };
  }
}

export class ArraySchema<S extends Schema<unknown>> extends Schema<Array<Infer<S>>> {
  constructor(readonly item: S, private opts: { minItems?: number; maxItems?: number } = {}) {
    super();
  }
  check(v: unknown, path: string, issues: SchemaIssue[]): Array<Infer<S>> | undefined {
    if (!Array.isArray(v)) return void issues.push({ path, message: `must be an array, got ${typeName(v)}` });
    const { minItems, maxItems } = this.opts;
    if (minItems !== undefined && v.length < minItems) return void issues.push({ path, message: `must have at least ${minItems} items` });
    if (maxItems !== undefined && v.length > maxItems) return void issues.push({ path, message: `must have at most ${maxItems} items` });
    const before = issues.length;
    const out = v.map((x, i) => this.item.run(x, `${path}[${i}]`, issues));
    return issues.length === before ? (out as Array<Infer<S>>) : undefined;
  }
  protected baseOpenApi(): OpenApi {
    const o: OpenApi = { type: 'array', items: this.item.openapi() };
    if (this.opts.minItems !== undefined) o.minItems = this.opts.minItems;
    if (this.opts.maxItems !== undefined) o.maxItems = this.opts.maxItems;
    return o;
  }
}

type Shape = Record<string, Schema<unknown> | Optional<Schema<unknown>>>;
type RequiredKeys<P extends Shape> = { [K in keyof P]: P[K] extends Optional<Schema<unknown>> ? never : K }[keyof P];
type OptionalKeys<P extends Shape> = Exclude<keyof P, RequiredKeys<P>>;
type Unwrap<X> = X extends Optional<infer S> ? Infer<S> : Infer<X>;
type Flatten<T> = { [K in keyof T]: T[K] };
export type InferShape<P extends Shape> = Flatten<{ [K in RequiredKeys<P>]: Unwrap<P[K]> } & { [K in OptionalKeys<P>]?: Unwrap<P[K]> }>;

export interface ObjectOptions {
  /** Keep fields the shape does not name (x-kubernetes-preserve-unknown-fields) instead of rejecting them. */
  preserveUnknown?: boolean;
  /** Drop fields the shape does not name, silently (for fields a client may send and Shoal ignores). */
  ignoreUnknown?: boolean;
  /** CEL rules for the CRD (x-kubernetes-validations), enforced in code by `refine`. */
  celRules?: Array<{ rule: string; message: string }>;
}

export class ObjectSchema<P extends Shape> extends Schema<InferShape<P>> {
  constructor(readonly shape: P, private opts: ObjectOptions = {}) {
    super();
  }
  check(v: unknown, path: string, issues: SchemaIssue[]): InferShape<P> | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return void issues.push({ path, message: `must be an object, got ${typeName(v)}` });
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const before = issues.length;
    for (const [key, field] of Object.entries(this.shape)) {
      const optional = field instanceof Optional;
      const schema = optional ? field.inner : field;
      const sub = path ? `${path}.${key}` : key;
      if (input[key] === undefined && schema.defaultValue === undefined) {
        if (!optional) issues.push({ path: sub, message: 'is required' });
        continue;
      }
      const value = schema.run(input[key], sub, issues);
      if (value !== undefined) out[key] = value;
    }
    for (const key of Object.keys(input)) {
      if (key in this.shape) continue;
      if (this.opts.preserveUnknown) out[key] = input[key];
      else if (!this.opts.ignoreUnknown)
        issues.push({ path: path ? `${path}.${key}` : key, message: `is not a known field (known: ${Object.keys(this.shape).join(', ')})` });
    }
    return issues.length === before ? (out as InferShape<P>) : undefined;
  }
  protected baseOpenApi(): OpenApi {
    const properties: Record<string, OpenApi> = {};
    const required: string[] = [];
    for (const [key, field] of Object.entries(this.shape)) {
      const optional = field instanceof Optional;
      const schema = optional ? field.inner : field;
      properties[key] = schema.openapi();
      if (!optional && schema.defaultValue === undefined) required.push(key);
    }
    const o: OpenApi = { type: 'object', properties };
    if (required.length) o.required = required;
    if (this.opts.preserveUnknown) o['x-kubernetes-preserve-unknown-fields'] = true;
    if (this.opts.celRules?.length) o['x-kubernetes-validations'] = this.opts.celRules;
    return o;
  }
}

export class RecordSchema<S extends Schema<unknown>> extends Schema<Record<string, Infer<S>>> {
  constructor(readonly value: S) {
    super();
  }
  check(v: unknown, path: string, issues: SchemaIssue[]): Record<string, Infer<S>> | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return void issues.push({ path, message: `must be an object, got ${typeName(v)}` });
    const out: Record<string, Infer<S>> = {};
    const before = issues.length;
    for (const [k, x] of Object.entries(v)) {
      const r = this.value.run(x, `${path}.${k}`, issues);
      if (r !== undefined) out[k] = r as Infer<S>;
    }
    return issues.length === before ? out : undefined;
  }
  protected baseOpenApi(): OpenApi {
    return { type: 'object', additionalProperties: this.value.openapi() };
  }
}

/** Any JSON value, kept as is (x-kubernetes-preserve-unknown-fields). */
export class AnySchema extends Schema<unknown> {
  check(v: unknown): unknown {
    return v;
  }
  protected baseOpenApi(): OpenApi {
    return { 'x-kubernetes-preserve-unknown-fields': true };
  }
}

/** Integer or string (Kubernetes quantities, ports by name). */
export class IntOrStringSchema extends Schema<number | string> {
  check(v: unknown, path: string, issues: SchemaIssue[]): number | string | undefined {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) return v;
    return void issues.push({ path, message: `must be an integer or a string, got ${show(v)}` });
  }
  protected baseOpenApi(): OpenApi {
    return { 'x-kubernetes-int-or-string': true };
  }
}

export const s = {
  string: <T extends string = string>(opts?: ConstructorParameters<typeof StringSchema<T>>[0]) => new StringSchema<T>(opts),
  enum: <T extends string>(values: readonly T[]) => new StringSchema<T>({ enum: values }),
  integer: (opts: { minimum?: number; maximum?: number } = {}) => new NumberSchema({ ...opts, integer: true }),
  number: (opts: { minimum?: number; maximum?: number } = {}) => new NumberSchema(opts),
  boolean: () => new BooleanSchema(),
  array: <S extends Schema<unknown>>(item: S, opts?: { minItems?: number; maxItems?: number }) => new ArraySchema(item, opts),
  object: <P extends Shape>(shape: P, opts?: ObjectOptions) => new ObjectSchema(shape, opts),
  record: <S extends Schema<unknown>>(value: S) => new RecordSchema(value),
  any: () => new AnySchema(),
  intOrString: () => new IntOrStringSchema(),
};

export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(readonly issues: SchemaIssue[]) {
    super(issues.map((i) => `${i.path || 'value'}: ${i.message}`).join('; '));
  }
}

/** Validate untrusted input into a typed value; throws ValidationError listing every issue. */
export function parse<S extends Schema<unknown>>(schema: S, value: unknown, path = ''): Infer<S> {
  const issues: SchemaIssue[] = [];
  const out = schema.run(value, path, issues);
  if (issues.length || out === undefined) throw new ValidationError(issues.length ? issues : [{ path, message: 'is invalid' }]);
  return out as Infer<S>;
}

/** Like parse, but returns the issues instead of throwing. */
export function safeParse<S extends Schema<unknown>>(schema: S, value: unknown, path = ''):
  { ok: true; value: Infer<S> } | { ok: false; issues: SchemaIssue[] } {
  const issues: SchemaIssue[] = [];
  const out = schema.run(value, path, issues);
  return issues.length || out === undefined ? { ok: false, issues } : { ok: true, value: out as Infer<S> };
}
