// Names of classes and properties. Weaviate's rules, so that a schema written for Weaviate is
// accepted unchanged: a class name starts with an upper-case letter (a lower-case first letter
// is capitalised on the way in, as Weaviate does), a property name with a letter or underscore.

/** Class names as stored: GraphQL type names, hence no dashes. */
export const CLASS_NAME_PATTERN = /^[A-Z][_0-9A-Za-z]{0,254}$/;
/** Property names: GraphQL field names. */
export const PROPERTY_NAME_PATTERN = /^[_A-Za-z][_0-9A-Za-z]{0,230}$/;

/**
 * Property names that would clash with an object's own fields or with GraphQL's meta fields
 * (`_additional`, `__typename`), compared case-insensitively.
 */
export const RESERVED_PROPERTY_NAMES: readonly string[] = ['_additional', '_id', 'id', '_typename', '__typename'];

/**
 * Class names that would clash with GraphQL's built-in types. Shoal's own GraphQL types start
 * with `_`, which a class name cannot, so these are the only clashes.
 */
export const RESERVED_CLASS_NAMES: readonly string[] = ['String', 'Int', 'Float', 'Boolean', 'ID', 'Query', 'Mutation', 'Subscription'];

/** Weaviate capitalises the first letter of a class name; clients rely on it (`article` -> `Article`). */
export function canonicalClassName(name: string): string {
  return name.length > 0 ? name[0].toUpperCase() + name.slice(1) : name;
}

export function isReservedPropertyName(name: string): boolean {
  return RESERVED_PROPERTY_NAMES.includes(name.toLowerCase());
}
