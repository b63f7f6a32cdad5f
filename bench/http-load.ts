// A lean HTTP/1.1 load generator for benchmarks against a node process. The server shares two
// cores with it, so every microsecond spent here is taken from the server: instead of
// node:http's client (about 250 us of CPU per request, measured here), each connection is a
// plain keep-alive socket with one request in flight, requests are written as one pre-built
// buffer, and responses are framed by Content-Length without a general parser. Good enough for
// Shoal's own answers (always Content-Length, never chunked), not a general client.
import net from 'node:net';

export interface LoadAnswer {
  status: number;
  body: string;
}

export interface LoadClient {
  post(path: string, body: string | Buffer): Promise<LoadAnswer>;
  close(): void;
}

const HEADER_END = Buffer.from('\r\n\r\n');

class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private pending?: { resolve: (a: LoadAnswer) => void; reject: (e: Error) => void };
  readonly socket: net.Socket;

  constructor(host: string, port: number) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  send(request: Buffer): Promise<LoadAnswer> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const end = this.buffer.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.buffer.toString('latin1', 0, end);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffer.length < end + 4 + length) return;
    const body = this.buffer.toString('utf8', end + 4, end + 4 + length);
    this.buffer = this.buffer.subarray(end + 4 + length);
    const p = this.pending;
    this.pending = undefined;
    p?.resolve({ status: Number(head.slice(9, 12)), body });
  }
}

export function createLoadClient(baseUrl: string, maxConnections: number): LoadClient {
  const url = new URL(baseUrl);
  const idle: Connection[] = [];
  const all: Connection[] = [];
  const waiting: Array<(c: Connection) => void> = [];
  const acquire = (): Promise<Connection> => {
    const c = idle.pop();
    if (c) return Promise.resolve(c);
    if (all.length < maxConnections) {
      const fresh = new Connection(url.hostname, Number(url.port));
      all.push(fresh);
      return Promise.resolve(fresh);
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (c: Connection) => {
    const next = waiting.shift();
    if (next) next(c);
    else idle.push(c);
  };
  return {
    async post(path, body) {
      const payload = typeof body === 'string' ? Buffer.from(body) : body;
      const head = `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`;
      const c = await acquire();
      try {
        return await c.send(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
      } finally {
        release(c);
      }
    },
    close: () => all.forEach((c) => c.socket.destroy()),
  };
}

/** Run `fn` over every item with at most `concurrency` in flight; resolves when all are done. */
export async function runConcurrent<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, loop));
}

/** The p-th percentile (0..100) of a list of numbers (sorted here). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
