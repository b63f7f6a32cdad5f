// The operator's face: start it in-process (tests, `shoal up`) or through operator/main.ts.
export { startOperator } from './manager.js';
export type { Operator, OperatorOptions } from './manager.js';
export { loadOperatorConfig, OPERATOR_ENVIRONMENT, ConfigError } from './config.js';
export type { OperatorConfig } from './config.js';
export type { ReconcileHooks } from './controllers/controller.js';
export type { LeaderElectionConfig } from './kube/leader.js';
export { createLogger } from './log.js';
export type { Logger } from './log.js';
