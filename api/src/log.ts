// Structured logs: one JSON object per line on stderr, the same shape for the node and the
// operator, so `kubectl logs` and log shippers read both alike. Level from SHOAL_LOG_LEVEL
// (debug, info, warn, error) unless given.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function plain(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? v.message : typeof v === 'bigint' ? v.toString() : v;
  return out;
}

export function createLogger(
  component: string,
  level: LogLevel = (process.env.SHOAL_LOG_LEVEL as LogLevel) ?? 'info',
  base: Record<string, unknown> = {},
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const threshold = ORDER[level] ?? ORDER.info;
  const emit = (lv: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lv] < threshold) return;
    write(JSON.stringify({ ts: new Date().toISOString(), level: lv, component, msg, ...base, ...plain(fields) }) + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger(component, level, { ...base, ...f }, write),
  };
}
