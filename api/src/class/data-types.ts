// Property data types. Scalar types and their arrays; cross-references, geo coordinates, blobs,
// phone numbers and nested objects are not supported and are rejected with a message saying so.

export const SCALAR_DATA_TYPES = ['text', 'int', 'number', 'boolean', 'date', 'uuid'] as const;
export type ScalarDataType = (typeof SCALAR_DATA_TYPES)[number];

export const DATA_TYPES = [
  ...SCALAR_DATA_TYPES,
  'text[]', 'int[]', 'number[]', 'boolean[]', 'date[]', 'uuid[]',
] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** Weaviate's deprecated `string` type is `text` with field tokenization; accepted and rewritten. */
export const DATA_TYPE_ALIASES: Readonly<Record<string, DataType>> = { string: 'text', 'string[]': 'text[]' };

const UNSUPPORTED: Readonly<Record<string, string>> = {
  geoCoordinates: 'geo coordinates are not supported',
  phoneNumber: 'phone numbers are not supported',
  blob: 'blobs are not supported',
  object: 'nested objects are not supported',
  'object[]': 'nested objects are not supported',
};

export const TOKENIZATIONS = ['word', 'lowercase', 'whitespace', 'field'] as const;
export type Tokenization = (typeof TOKENIZATIONS)[number];

export function isDataType(value: string): value is DataType {
  return (DATA_TYPES as readonly string[]).includes(value);
}

export function isArrayType(type: DataType): boolean {
  return type.endsWith('[]');
}

/** The element type of an array type, or the type itself. */
export function scalarOf(type: DataType): ScalarDataType {
  return (type.endsWith('[]') ? type.slice(0, -2) : type) as ScalarDataType;
}

export function isTextType(type: DataType): boolean {
  return scalarOf(type) === 'text';
}

/** Why a dataType value is not accepted, for an error message. */
export function unsupportedDataTypeReason(value: string): string {
  if (UNSUPPORTED[value]) return UNSUPPORTED[value];
  if (/^[A-Z]/.test(value)) return `cross-references (to class ${JSON.stringify(value)}) are not supported`;
  return `unknown data type ${JSON.stringify(value)}; use one of ${DATA_TYPES.join(', ')}`;
}
