// The runtime on real sockets, several members in one process: joining in the background,
// metrics on per-member registries, hostile packets counted and survived, metadata limits.
import { expect } from 'chai';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import client from 'prom-client';
import { MsgType } from '../../node/src/membership/messages.js';
import { membershipConfigFromEnv, startMembership, type Membership, type MemberInfo } from '../../node/src/membership/index.js';
import { Wire } from '../../node/src/membership/wire.js';
import { pollUntil } from './helpers.js';

const KEY = randomBytes(16).toString('hex');
const started: Membership[] = [];

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SHOAL_GOSSIP_BIND: '127.0.0.1', SHOAL_ADVERTISE_ADDR: '127.0.0.1', SHOAL_GOSSIP_PORT: '0', SHOAL_GOSSIP_PROFILE: 'fast',
    SHOAL_CLUSTER_NAME: 'rt', SHOAL_GOSSIP_KEY: KEY, ...extra,
  };
}

async function start(name: string, extra: Record<string, string> = {}, registry?: client.Registry): Promise<Membership> {
  const config = membershipConfigFromEnv(env(extra), { nodeName: name, httpPort: 8080, dataPort: 7001, version: '1.0.0' });
  const m = await startMembership(config, { metrics: registry ?? false, logger: silent });
  started.push(m);
  return m;
}

const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };

/** A port free for both UDP and TCP right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function metricValue(registry: client.Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`metric ${name} is not registered`);
  const values = (await metric.get()).values as { labels: Record<string, string | number>; value: number; metricName?: string }[];
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .filter((v) => v.metricName === undefined || v.metricName === name || v.metricName === `${name}_count`)
    .reduce((n, v) => n + v.value, 0);
}

const aliveCount = (m: Membership) => m.members().filter((x) => x.state === 'alive').length;

describe('membership runtime on real sockets (in process)', function () {
  this.timeout(60_000);
  afterEach(async () => {
    await Promise.all(started.splice(0).map((m) => m.shutdown()));
  });

  it('starts at once when the seeds are down, and joins in the background when one comes up', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const a = await start('a', { SHOAL_JOIN: `127.0.0.1:${port}` });
    expect(Date.now() - t0, 'start does not wait for seeds').to.be.below(2_000);
    let joined = false;
    void a.joined().then(() => (joined = true));
    await new Promise((r) => setTimeout(r, 500));
    expect(joined).to.equal(false);
    const b = await start('b', { SHOAL_GOSSIP_PORT: String(port) });
    await pollUntil('a joined b', async () => joined && aliveCount(a) === 2 && aliveCount(b) === 2, 15_000);
    expect(b.member('a')?.meta).to.deep.include({ httpAddr: '127.0.0.1:8080', version: '1.0.0' });
  });

  it('exports shoal_gossip_* metrics per registry, and events reach subscribers', async () => {
    const regs = [new client.Registry(), new client.Registry(), new client.Registry()];
    const a = await start('a', {}, regs[0]);
    const b = await start('b', { SHOAL_JOIN: a.address }, regs[1]);
    const c = await start('c', { SHOAL_JOIN: a.address }, regs[2]);
    const seenByA: string[] = [];
    a.on('update', (m: MemberInfo) => seenByA.push(`update:${m.name}:${m.meta.version}`));
    a.on('left', (m: MemberInfo) => seenByA.push(`left:${m.name}`));
    await pollUntil('three alive everywhere', async () => [a, b, c].every((m) => aliveCount(m) === 3), 10_000);
    c.updateMeta({ version: '2.0.0' });
    await pollUntil('a saw the update', async () => seenByA.includes('update:c:2.0.0'), 5_000);
    await b.leave(2_000);
    await b.shutdown();
    await pollUntil('a saw b leave', async () => seenByA.includes('left:b'), 5_000);
    await pollUntil('probes measured', async () => (await metricValue(regs[0], 'shoal_gossip_probe_rtt_seconds')) > 0, 5_000);
    expect(await metricValue(regs[0], 'shoal_gossip_members', { state: 'alive' })).to.equal(2);
    expect(await metricValue(regs[0], 'shoal_gossip_members', { state: 'left' })).to.equal(1);
    expect(await metricValue(regs[0], 'shoal_gossip_messages_sent_total', { type: 'ping' })).to.be.greaterThan(0);
    expect(await metricValue(regs[0], 'shoal_gossip_bytes_received_total', { type: 'ack' })).to.be.greaterThan(0);
    expect(await metricValue(regs[0], 'shoal_gossip_health_score')).to.be.within(0, 7);
    expect(await metricValue(regs[0], 'shoal_gossip_push_pulls_total')).to.be.at.least(0);
  });

  it('several instances may share one registry', async () => {
    const shared = new client.Registry();
    const a = await start('a', {}, shared);
    await start('b', { SHOAL_JOIN: a.address }, shared);
    await pollUntil('two alive', async () => aliveCount(a) === 2, 10_000);
    expect(await metricValue(shared, 'shoal_gossip_members', { state: 'alive' })).to.equal(4);
  });

  it('drops and counts foreign, unauthenticated, malformed and oversized packets, and keeps working', async () => {
    const reg = new client.Registry();
    const a = await start('a', {}, reg);
    const b = await start('b', { SHOAL_JOIN: a.address });
    await pollUntil('joined', async () => aliveCount(a) === 2, 10_000);
    const port = Number(a.address.split(':')[1]);
    const udp = createSocket('udp4');
    const ping = [{ t: MsgType.Ping as const, seq: 1, target: 'a', from: 'mallory', digest: 0, quiet: true }];
    const send = (buf: Buffer) => new Promise<void>((r) => udp.send(buf, port, '127.0.0.1', () => r()));
    await send(new Wire('other-cluster', KEY, 1400).encodePacket(ping));
    await send(new Wire('rt', undefined, 1400).encodePacket(ping));
    await send(new Wire('rt', 'not-the-right-key-at-all', 1400).encodePacket(ping));
    await send(randomBytes(200));
    await send(Buffer.alloc(1500, 1));
    udp.close();
    // A TCP frame announcing 4 GiB.
    await new Promise<void>((resolve) => {
      const sock = connect({ host: '127.0.0.1', port }, () => sock.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2])));
      sock.on('close', () => resolve());
      sock.on('error', () => resolve());
    });
    await pollUntil('all drops counted', async () => (await metricValue(reg, 'shoal_gossip_packets_dropped_total')) >= 6, 5_000);
    expect(await metricValue(reg, 'shoal_gossip_packets_dropped_total', { reason: 'wrong_cluster' })).to.equal(1);
    expect(await metricValue(reg, 'shoal_gossip_packets_dropped_total', { reason: 'unauthenticated' })).to.equal(2);
    expect(await metricValue(reg, 'shoal_gossip_packets_dropped_total', { reason: 'malformed' })).to.equal(1);
    expect(await metricValue(reg, 'shoal_gossip_packets_dropped_total', { reason: 'oversized' })).to.equal(2);
    expect(a.member('mallory'), 'nothing from those packets was believed').to.equal(undefined);
    b.updateMeta({ zone: 'z2' });
    await pollUntil('still gossiping', async () => a.member('b')?.meta.zone === 'z2', 5_000);
  });

  it('re-resolves its seeds to mend a split that both sides have already forgotten', async () => {
    const a = await start('a');
    const port = a.address.split(':')[1];
    const config = membershipConfigFromEnv(env({ SHOAL_JOIN: a.address }), { nodeName: 'b', httpPort: 8080, dataPort: 7001, version: '1.0.0' });
    const b = await startMembership({ ...config, protocol: { ...config.protocol, deadRetentionMs: 1_000 }, seedSweepIntervalMs: 300 }, { logger: silent });
    started.push(b);
    await pollUntil('joined', async () => aliveCount(b) === 2, 10_000);
    await a.shutdown();
    await pollUntil('b declared a dead and then forgot it', async () => b.member('a') === undefined, 20_000);
    // A fresh "a" on the same address, with no seeds of its own: only b's sweep can find it.
    const a2 = await start('a', { SHOAL_GOSSIP_PORT: port });
    await pollUntil('b and the new a see each other', async () => aliveCount(a2) === 2 && aliveCount(b) === 2, 10_000);
  });

  it('refuses metadata over 512 bytes and keeps the old metadata', async () => {
    const a = await start('a');
    expect(() => a.updateMeta({ blob: 'x'.repeat(600) })).to.throw(/512/);
    expect(a.self().meta.blob).to.equal(undefined);
    a.updateMeta({ zone: 'z1', version: undefined });
    expect(a.self().meta).to.deep.equal({ httpAddr: '127.0.0.1:8080', dataAddr: '127.0.0.1:7001', zone: 'z1' });
  });
});
