// Untrusted class and property JSON -> typed definitions with every default filled in.
import { parse } from '../schema/index.js';
import { classSchema, propertySchema, ClassDefinition, PropertyDefinition } from './schema.js';
import { canonicalClassName } from './names.js';
import { isTextType } from './data-types.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text properties tokenize by word unless told otherwise (Weaviate's default). */
function withDefaults(p: PropertyDefinition): PropertyDefinition {
  if (isTextType(p.dataType[0]) && p.tokenization === undefined) return { ...p, tokenization: 'word' };
  return p;
}

/** Validate a class; throws ValidationError listing every problem with its path. */
export function parseClass(input: unknown, path = ''): ClassDefinition {
  const value = isObject(input) && typeof input.class === 'string' ? { ...input, class: canonicalClassName(input.class) } : input;
  const def = parse(classSchema, value, path);
  return { ...def, properties: def.properties.map(withDefaults) };
}

/** Validate one property (POST /v1/schema/{class}/properties). */
export function parseProperty(input: unknown, path = ''): PropertyDefinition {
  return withDefaults(parse(propertySchema, input, path));
}

/** The property of a class with this exact name. */
export function propertyOf(def: ClassDefinition, name: string): PropertyDefinition | undefined {
  return def.properties.find((p) => p.name === name);
}
