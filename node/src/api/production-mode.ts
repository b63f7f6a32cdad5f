// Imported first by node/main.ts, before graphql-js and express are loaded: both read NODE_ENV
// once at load. Outside production, graphql-js checks every failed instanceof for duplicate
// module copies (measured: 17% of a nearVector query's time). A server runs in production mode
// unless told otherwise (NODE_ENV=development).
process.env.NODE_ENV ??= 'production';
export {};
