// Filters as coordinators take them (Where) and as shards apply them (ObjectPredicate).
export * from './where.js';
export { compileWhere } from './compile.js';
export { tokenize, foldsCase } from './tokenize.js';
export { likeToRegExp } from './like.js';
