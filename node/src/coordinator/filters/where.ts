// The typed filter a coordinator takes: a where clause validated against its class (by
// api/validation/where.ts). Plain JSON data, so a distributed coordinator can send it to the pods
// that hold the shards, where it is compiled into an ObjectPredicate next to the data.
import type { DataType, Tokenization } from '../../../../api/index.js';

export const LEAF_OPERATORS = [
  'Equal', 'NotEqual', 'GreaterThan', 'GreaterThanEqual', 'LessThan', 'LessThanEqual', 'Like', 'IsNull', 'ContainsAny', 'ContainsAll',
] as const;
export type LeafOperator = (typeof LEAF_OPERATORS)[number];
export const OPERATORS = ['And', 'Or', 'Not', ...LEAF_OPERATORS] as const;

/** What a leaf looks at: the object id, or a property with its type. */
export type Target = { kind: 'id' } | { kind: 'property'; name: string; type: DataType; tokenization: Tokenization };

/** A normalised value: dates are milliseconds since the epoch, UUIDs canonical. */
export type Scalar = string | number | boolean;

export type Where =
  | { operator: 'And' | 'Or'; operands: Where[] }
  | { operator: 'Not'; operand: Where }
  | { operator: LeafOperator; target: Target; value: Scalar | Scalar[] };
