// The operator logs like the node: JSON lines on stderr (api/src/log.ts).
export { createLogger, type Logger, type LogLevel } from '../../api/index.js';
