// Loopback port allocation for local pods. Ports are chosen by binding port 0 (the kernel picks
// a free one) and remembered in the Pod's annotations, so a restarted pod keeps its addresses
// and its peers' join lists stay valid.
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

export interface PodPorts {
  http: number;
  gossip: number;
  data: number;
}

function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function udpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, host, () => sock.close(() => resolve(true)));
  });
}

/** A TCP port that is also free for UDP (gossip listens on both). */
async function freeTcpUdpPort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freeTcpPort(host);
    if (await udpFree(port, host)) return port;
  }
  throw new Error(`no port on ${host} free for both TCP and UDP after 20 attempts`);
}

export async function allocatePorts(host = '127.0.0.1'): Promise<PodPorts> {
  const taken = new Set<number>();
  const pick = async (udp: boolean): Promise<number> => {
    for (;;) {
      const p = udp ? await freeTcpUdpPort(host) : await freeTcpPort(host);
      if (!taken.has(p)) return taken.add(p), p;
    }
  };
  return { http: await pick(false), gossip: await pick(true), data: await pick(false) };
}

export function encodePorts(p: PodPorts): string {
  return `${p.http},${p.gossip},${p.data}`;
}

export function decodePorts(s: string | undefined): PodPorts | undefined {
  const m = /^(\d+),(\d+),(\d+)$/.exec(s ?? '');
  return m ? { http: Number(m[1]), gossip: Number(m[2]), data: Number(m[3]) } : undefined;
}
