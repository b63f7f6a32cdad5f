// Class schema (the JSON that POST /v1/schema and VectorClass.spec.class take): types, defaults
// and validation, declared once (schema.ts) for the API, the node and the CRD.
export * from './names.js';
export * from './data-types.js';
export * from './schema.js';
export * from './parse.js';
