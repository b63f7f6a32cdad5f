// Gossip addresses are "host:port" strings everywhere in the core ("[v6]:port" for IPv6), so
// that the simulator can use any unique string and the real transport parses them only at the
// socket edge.
import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** "10.0.0.1:7000" or "[fd00::1]:7000" for an IP (or host name) and port. */
export function formatAddr(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Parse "host:port", "[v6]:port", "host" or a bare IPv6 address. `port` is undefined when the
 * entry has none. Throws on a malformed port, saying what was found.
 */
export function parseHostPort(entry: string): { host: string; port: number | undefined } {
  const s = entry.trim();
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) throw new Error(`"${entry}": unterminated "[" in an IPv6 address`);
    const host = s.slice(1, end);
    const rest = s.slice(end + 1);
    if (rest === '') return { host, port: undefined };
    if (!rest.startsWith(':')) throw new Error(`"${entry}": expected ":port" after "]"`);
    return { host, port: parsePort(rest.slice(1), entry) };
  }
  if (isIP(s) === 6) return { host: s, port: undefined };
  const colon = s.lastIndexOf(':');
  if (colon < 0) return { host: s, port: undefined };
  return { host: s.slice(0, colon), port: parsePort(s.slice(colon + 1), entry) };
}

function parsePort(text: string, entry: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new Error(`"${entry}": port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new Error(`"${entry}": port ${port} is outside 1-65535`);
  return port;
}

/** Parse a core address (always with a port). */
export function parseAddr(addr: string): HostPort {
  const { host, port } = parseHostPort(addr);
  if (port === undefined) throw new Error(`gossip address "${addr}" has no port`);
  return { host, port };
}
