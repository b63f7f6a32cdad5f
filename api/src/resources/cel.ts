// CEL transition rules (x-kubernetes-validations with oldSelf) for fields that must never change.
// The API server evaluates them on update; the operator checks the same facts again in reconcile
// (a CRD can be installed without them, and old objects predate them).
//
// Rules are written against `self` = the object holding the rule (here: a resource's spec) and
// guard optional parents with has(), because a field absent on one side must not make the rule
// error out. A field with a default compares its effective value (default when absent), so
// spelling out the default later is not a change.

export interface CelRule {
  rule: string;
  message: string;
}

function presence(root: string, path: readonly string[], optionalFrom: number): string {
  const guards: string[] = [];
  for (let i = optionalFrom; i < path.length; i++) guards.push(`has(${root}.${path.slice(0, i + 1).join('.')})`);
  return guards.length ? guards.join(' && ') : 'true';
}

function literal(v: string | number | boolean): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export interface ImmutableOptions {
  /** Index in `path` from which fields may be absent (every field before it is required). */
  optionalFrom?: number;
  /** The field's default: absent compares equal to it. */
  defaultValue?: string | number | boolean;
  /** Allow going from absent to set (once set, the value is fixed). */
  mayBeSetLater?: boolean;
  /** Dotted path shown in the message; defaults to `spec.<path>`. */
  shownAs?: string;
  why: string;
}

/** A rule that keeps `self.<path>` equal to `oldSelf.<path>`. */
export function immutable(path: readonly string[], opts: ImmutableOptions): CelRule {
  const field = path.join('.');
  const from = opts.optionalFrom ?? path.length;
  const has = (root: string) => presence(root, path, from);
  const shown = opts.shownAs ?? `spec.${field}`;
  const message = `${shown} is immutable: ${opts.why}`;
  if (from >= path.length) return { rule: `self.${field} == oldSelf.${field}`, message };
  if (opts.defaultValue !== undefined) {
    const d = literal(opts.defaultValue);
    const value = (root: string) => `((${has(root)}) ? ${root}.${field} : ${d})`;
    return { rule: `${value('self')} == ${value('oldSelf')}`, message };
  }
  if (opts.mayBeSetLater)
    return { rule: `!(${has('oldSelf')}) || ((${has('self')}) && self.${field} == oldSelf.${field})`, message };
  return {
    rule: `(${has('self')}) == (${has('oldSelf')}) && (!(${has('self')}) || self.${field} == oldSelf.${field})`,
    message,
  };
}
