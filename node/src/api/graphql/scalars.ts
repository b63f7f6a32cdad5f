// Custom GraphQL scalars. Type names start with `_`, which class names cannot, so a class can
// never clash with one of Shoal's own types.
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function safeInteger(v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  throw new TypeError(`_Int64 cannot represent ${JSON.stringify(v)}: not a whole number within ±2^53`);
}

/** Weaviate's `int` is 64-bit; GraphQL's Int is 32-bit. Whole numbers up to ±2^53 pass exactly. */
export const Int64 = new GraphQLScalarType({
  name: '_Int64',
  description: 'A whole number within ±2^53 (the int data type).',
  serialize: safeInteger,
  parseValue: safeInteger,
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT) throw new TypeError(`_Int64 needs a whole number literal, got ${ast.kind}`);
    return safeInteger(Number(ast.value));
  },
});

function literal(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.STRING:
    case Kind.ENUM:
      return ast.value;
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literal(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
  }
}

/**
 * Any JSON value. Filter values (valueText, valueInt, ...) use it because clients send a single
 * value or a list (ContainsAny); the where validator then checks them against the property type.
 */
export const JsonValue = new GraphQLScalarType({
  name: '_JSON',
  description: 'Any JSON value; checked against the property type by the filter validator.',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: literal,
});
