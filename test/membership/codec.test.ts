// The wire format: every message round-trips, sizes are exact, and nothing a peer can send -
// truncated, corrupted, foreign, unauthenticated, oversized - does anything but produce a
// counted drop reason.
import { expect } from 'chai';
import fc from 'fast-check';
import { decodeMeta, encodeMeta, messageSize, streamMessageSize } from '../../node/src/membership/codec.js';
import { MsgType, type Message, type StreamMessage } from '../../node/src/membership/messages.js';
import { Wire } from '../../node/src/membership/wire.js';

const name = fc.string({ minLength: 1, maxLength: 40 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const meta = fc.uint8Array({ maxLength: 512 });

const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ t: fc.constant(MsgType.Ping as const), seq: u32, target: name, from: name, digest: u32, quiet: fc.boolean() }),
  fc.record({ t: fc.constant(MsgType.PingReq as const), seq: u32, target: name, targetAddr: name, nack: fc.boolean() }),
  fc.oneof(
    fc.record({ t: fc.constant(MsgType.Ack as const), seq: u32, hasDigest: fc.constant(true), digest: u32, quiet: fc.boolean() }),
    fc.record({ t: fc.constant(MsgType.Ack as const), seq: u32, hasDigest: fc.constant(false), digest: fc.constant(0), quiet: fc.boolean() }),
  ),
  fc.record({ t: fc.constant(MsgType.Nack as const), seq: u32 }),
  fc.record({ t: fc.constant(MsgType.Suspect as const), inc: u32, node: name, from: name }),
  fc.record({ t: fc.constant(MsgType.Dead as const), inc: u32, node: name, from: name }),
  fc.record({ t: fc.constant(MsgType.Alive as const), inc: u32, node: name, addr: name, meta }),
);

const streamArb: fc.Arbitrary<StreamMessage> = fc.oneof(
  fc.record({
    t: fc.constant(MsgType.PushPull as const), join: fc.boolean(), from: name,
    entries: fc.array(fc.record({ name, addr: name, inc: u32, state: fc.constantFrom('alive' as const, 'suspect' as const, 'dead' as const, 'left' as const), meta }), { maxLength: 20 }),
  }),
  fc.record({ t: fc.constant(MsgType.StreamPing as const), seq: u32, target: name, from: name }),
  fc.record({ t: fc.constant(MsgType.StreamAck as const), seq: u32 }),
  fc.record({ t: fc.constant(MsgType.StreamError as const), reason: name }),
);

/** Compare with Uint8Array fields normalized (decode copies into fresh arrays). */
function plain(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));
}

describe('membership codec and envelope', () => {
  const keyed = new Wire('prod', 'a-shared-secret-of-32-characters', 1400);
  const plainWire = new Wire('prod', undefined, 1400);

  it('round-trips every datagram message, and messageSize is the exact encoded size', () => {
    fc.assert(fc.property(fc.array(messageArb, { minLength: 1, maxLength: 4 }), (msgs) => {
      for (const wire of [keyed, plainWire]) {
        const buf = wire.encodePacket(msgs);
        expect(buf.length).to.equal(wire.envelope.overheadBytes + msgs.reduce((n, m) => n + messageSize(m), 0));
        const back = wire.decodePacket(buf);
        expect(back.ok).to.equal(true);
        if (back.ok) expect(plain(back.value)).to.deep.equal(plain(msgs));
      }
    }), { numRuns: 300 });
  });

  it('round-trips every stream message with exact sizes', () => {
    fc.assert(fc.property(streamArb, (msg) => {
      const buf = keyed.encodeStream(msg);
      expect(buf.length).to.equal(keyed.envelope.overheadBytes + streamMessageSize(msg));
      const back = keyed.decodeStream(buf);
      expect(back.ok && plain(back.value)).to.deep.equal(plain(msg));
    }), { numRuns: 200 });
  });

  it('drops packets of another cluster as wrong_cluster', () => {
    const other = new Wire('staging', 'a-shared-secret-of-32-characters', 1400);
    const buf = other.encodePacket([{ t: MsgType.Nack, seq: 1 }]);
    expect(keyed.decodePacket(buf)).to.deep.equal({ ok: false, reason: 'wrong_cluster' });
  });

  it('drops packets without the key, with another key, or with a key we do not have, as unauthenticated', () => {
    const msg: Message[] = [{ t: MsgType.Nack, seq: 7 }];
    const wrongKey = new Wire('prod', 'another-secret-of-32-characters!', 1400);
    expect(keyed.decodePacket(plainWire.encodePacket(msg))).to.deep.equal({ ok: false, reason: 'unauthenticated' });
    expect(keyed.decodePacket(wrongKey.encodePacket(msg))).to.deep.equal({ ok: false, reason: 'unauthenticated' });
    expect(plainWire.decodePacket(keyed.encodePacket(msg))).to.deep.equal({ ok: false, reason: 'unauthenticated' });
    expect(keyed.decodePacket(keyed.encodePacket(msg)).ok).to.equal(true);
  });

  it('rejects any single flipped bit of an authenticated packet', () => {
    const buf = keyed.encodePacket([{ t: MsgType.Alive, inc: 3, node: 'n1', addr: '10.0.0.1:7000', meta: encodeMeta({ version: '1' }) }]);
    fc.assert(fc.property(fc.integer({ min: 0, max: buf.length * 8 - 1 }), (bit) => {
      const copy = Buffer.from(buf);
      copy[bit >> 3] ^= 1 << (bit & 7);
      const res = keyed.decodePacket(copy);
      expect(res.ok).to.equal(false);
    }), { numRuns: 500 });
  });

  it('detects corruption of unauthenticated packets by CRC (malformed)', () => {
    const buf = plainWire.encodePacket([{ t: MsgType.Ping, seq: 1, target: 'a', from: 'b', digest: 5, quiet: true }]);
    const copy = Buffer.from(buf);
    copy[copy.length - 6] ^= 0x40;
    expect(plainWire.decodePacket(copy)).to.deep.equal({ ok: false, reason: 'malformed' });
  });

  it('drops oversized datagrams and frames before looking inside', () => {
    expect(keyed.decodePacket(Buffer.alloc(1401))).to.deep.equal({ ok: false, reason: 'oversized' });
    const small = new Wire('prod', undefined, 1400, 1000);
    expect(small.decodeStream(Buffer.alloc(1001))).to.deep.equal({ ok: false, reason: 'oversized' });
  });

  it('never throws on arbitrary bytes, and classifies them', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1600 }), (bytes) => {
      for (const wire of [keyed, plainWire]) {
        const res = wire.decodePacket(Buffer.from(bytes));
        const stream = wire.decodeStream(Buffer.from(bytes));
        expect(res.ok).to.equal(false);
        expect(stream.ok).to.equal(false);
      }
    }), { numRuns: 500 });
  });

  it('rejects truncations of a valid unauthenticated packet with a correct CRC (body decode fails safely)', () => {
    // Re-seal truncated bodies so that only the message decoder can object.
    const msgs: Message[] = [{ t: MsgType.Alive, inc: 3, node: 'node-1', addr: '10.0.0.1:7000', meta: encodeMeta({ httpAddr: '10.0.0.1:8080' }) }];
    const full = plainWire.encodePacket(msgs);
    const bodyStart = plainWire.envelope.bodyOffset;
    const bodyEnd = full.length - 4;
    for (let cut = bodyStart + 1; cut < bodyEnd; cut++) {
      const body = full.subarray(bodyStart, cut);
      const buf = plainWire.envelope.allocate(1, body.length);
      body.copy(buf, bodyStart);
      const res = plainWire.decodePacket(plainWire.envelope.seal(buf));
      expect(res, `cut at ${cut}`).to.deep.equal({ ok: false, reason: 'malformed' });
    }
  });

  it('encodes metadata deterministically, decodes it back, and refuses more than 512 bytes', () => {
    const m = { version: '1.2.3', httpAddr: '10.1.2.3:8080', zone: 'eu-1a' };
    expect(decodeMeta(encodeMeta(m))).to.deep.equal(m);
    expect([...encodeMeta({ b: '2', a: '1' })]).to.deep.equal([...encodeMeta({ a: '1', b: '2' })]);
    expect(() => encodeMeta({ big: 'x'.repeat(510) })).to.throw(/512/);
    expect(decodeMeta(new Uint8Array([5, 200]))).to.deep.equal({});
  });
});
