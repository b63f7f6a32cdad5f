// Fixtures for the RPC tests: servers on ephemeral loopback ports, raw sockets that misbehave,
// metric readings.
import { connect, type Socket } from 'node:net';
import { logger } from '../../node/src/log.js';
import { registry } from '../../node/src/metrics/registry.js';
import { FrameDecoder, FrameType, encodeFrame, type Frame } from '../../node/src/rpc/frame.js';
import { answerHello } from '../../node/src/rpc/handshake.js';
import { RpcServer, type Handler, type RpcServerOptions } from '../../node/src/rpc/server.js';

export const quietLog = (() => {
  const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
  return process.env.SHOAL_TEST_LOGS ? logger('rpc-test') : silent;
})();

export function startServer(handlers: Record<string, Handler>, opts: Partial<RpcServerOptions> = {}): Promise<RpcServer> {
  return RpcServer.listen({
    node: 'server', cluster: 'test', secret: undefined, host: '127.0.0.1', port: 0,
    handlers: new Map(Object.entries(handlers)), log: quietLog, ...opts,
  });
}

/** Value of a counter for the given labels (0 when never incremented). */
export async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const hit = (metric?.values ?? []).find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return hit?.value ?? 0;
}

/** A raw connection that reads frames and reports when the server closes it. */
export class RawPeer {
  readonly frames: Frame[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder(1 << 20);

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => this.frames.push(...this.decoder.push(c)));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new RawPeer(s)));
      s.once('error', reject);
    });
  }

  /** Complete the handshake as a well-behaved client (cluster "test", no secret). */
  async handshake(): Promise<void> {
    const hello = await this.next(FrameType.Hello);
    this.socket.write(encodeFrame(FrameType.Auth, 0, answerHello(hello.header, { cluster: 'test', peer: 'server', node: 'raw', key: undefined })));
    await this.next(FrameType.Welcome);
  }

  async next(type: FrameType): Promise<Frame> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const i = this.frames.findIndex((f) => f.type === type);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      if (this.closed || Date.now() > deadline) throw new Error(`no frame of type ${type} (closed: ${this.closed})`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
