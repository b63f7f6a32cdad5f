// Local mode prints short human-readable lines: it runs in a developer's terminal.
export type Log = (msg: string, fields?: Record<string, unknown>) => void;

export function consoleLog(component: string, quiet = false): Log {
  return (msg, fields) => {
    if (quiet) return;
    const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
    process.stderr.write(`[${component}] ${msg}${extra}\n`);
  };
}
