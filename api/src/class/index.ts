// Class schema (the JSON that POST /v1/schema and VectorClass.spec.class take): types, defaults
// and validation. Filled in with the single-node issue.
export {};
