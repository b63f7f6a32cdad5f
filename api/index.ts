// The contract shared by the operator and the pods. Neither imports the other; both import this.
export * from './src/sharding/index.js';
export * from "./src/schema/index.js";
export * from "./src/class/index.js";
export * from './src/resources/index.js';
export * from './src/kube/index.js';
export * from './src/log.js';
export * from './src/random.js';
