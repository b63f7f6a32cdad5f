// The name of the VectorClass resource that POST /v1/schema creates for a class: a DNS-1123
// subdomain derived from the class name, as a human would pick it (`Article` -> `article`,
// `My_Class` -> `my-class`). Different class names can map to one resource name (`A_b`, `Ab_`);
// create then meets the existing resource and reports the clash (see source.ts), it never
// overwrites it.

const MAX_NAME_LENGTH = 253;

export function resourceNameOf(className: string): string {
  const name = className
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/^-+|-+$/g, '');
  // Class names start with a letter, so this is never empty; keep the guard for the type's sake.
  return name || 'class';
}
