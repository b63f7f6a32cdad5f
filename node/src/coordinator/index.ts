// The node's coordinator face: the interface the HTTP layer uses and the local implementation.
export * from './types.js';
export * from './errors.js';
export * from './filters/index.js';
export { LocalCoordinator, type LocalCoordinatorOptions } from './local.js';
