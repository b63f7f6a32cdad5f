export * from './token.js';
export * from './state.js';
export * from './create.js';
export * from './lookup.js';
export * from './codec.js';
