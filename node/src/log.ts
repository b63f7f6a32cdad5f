// The node logs JSON lines on stderr (api/src/log.ts), one `component` per part.
import { createLogger, type Logger } from '../../api/index.js';

export type { Logger };

export function logger(component: string, base: Record<string, unknown> = {}): Logger {
  return createLogger(component, undefined, base);
}
