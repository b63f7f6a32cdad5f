// Framing: what survives the trip, how the decoder copes with arbitrary chunking, and which
// inputs it refuses (oversized lengths before buffering, malformed bodies).
import { expect } from 'chai';
import fc from 'fast-check';
import { FrameDecoder, FrameError, FrameType, decodeBody, encodeFrame } from '../../node/src/rpc/frame.js';

function thrownBy(fn: () => unknown): FrameError {
  try {
    fn();
  } catch (e) {
    return e as FrameError;
  }
  throw new Error('expected a FrameError');
}

describe('rpc: frames', () => {
  it('round-trips type, id, JSON header and binary blobs', () => {
    const vec = new Float32Array([1.5, -2.25, 3.0000001]);
    const buf = encodeFrame(FrameType.Request, 0xfffffffe, { m: 'x', p: { a: [1, 'two', null] } }, [new Uint8Array(vec.buffer), new Uint8Array(0)]);
    const [frame] = new FrameDecoder(1 << 20).push(buf);
    expect(frame.type).to.equal(FrameType.Request);
    expect(frame.id).to.equal(0xfffffffe);
    expect(frame.header).to.deep.equal({ m: 'x', p: { a: [1, 'two', null] } });
    expect(frame.blobs.map((b) => b.byteLength)).to.deep.equal([12, 0]);
    expect(Array.from(new Float32Array(Uint8Array.from(frame.blobs[0]).buffer))).to.deep.equal(Array.from(vec));
  });

  it('decodes the same frames whatever the socket chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.nat(), h: fc.jsonValue(), blobs: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }) }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (frames, cuts) => {
          const stream = Buffer.concat(frames.map((f) => encodeFrame(FrameType.Response, f.id, f.h, f.blobs)));
          const decoder = new FrameDecoder(1 << 20);
          const out = [];
          let pos = 0;
          for (let i = 0; pos < stream.length; i++) {
            const n = cuts[i % cuts.length];
            out.push(...decoder.push(stream.subarray(pos, pos + n)));
            pos += n;
          }
          expect(out.map((f) => f.id)).to.deep.equal(frames.map((f) => f.id));
          expect(out.map((f) => f.header)).to.deep.equal(frames.map((f) => JSON.parse(JSON.stringify(f.h ?? null))));
          expect(out.map((f) => f.blobs.map((b) => Buffer.from(b).toString('hex')))).to.deep.equal(frames.map((f) => f.blobs.map((b) => Buffer.from(b).toString('hex'))));
          expect(decoder.pendingBytes).to.equal(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses an oversized frame from its length prefix alone, before buffering the body', () => {
    const decoder = new FrameDecoder(1000);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(1001);
    const err = thrownBy(() => decoder.push(head));
    expect(err).to.be.instanceOf(FrameError);
    expect(err.reason).to.equal('oversized');
    // A frame of exactly the limit is fine.
    const ok = encodeFrame(FrameType.Response, 1, 'x'.repeat(1000 - 15)); // 13 fixed bytes + 2 quotes
    expect(ok.length - 4).to.equal(1000);
    expect(new FrameDecoder(1000).push(ok)).to.have.length(1);
  });

  it('refuses malformed bodies: unknown type, bad JSON, lying lengths', () => {
    const good = encodeFrame(FrameType.Request, 7, { m: 'a' }, [new Uint8Array([1, 2, 3])]);
    const badType = Buffer.from(good);
    badType[4] = 99;
    expect(thrownBy(() => decodeBody(badType.subarray(4))).message).to.match(/unknown frame type 99/);

    const badJson = Buffer.from(good);
    badJson[13] = 0x7b; // '{' opening a header that never closes
    badJson[14] = 0x7b;
    expect(thrownBy(() => decodeBody(badJson.subarray(4))).message).to.match(/not JSON/);

    const hugeHeader = Buffer.from(good);
    hugeHeader.writeUInt32BE(0xffffff00, 9);
    expect(thrownBy(() => decodeBody(hugeHeader.subarray(4))).reason).to.equal('malformed');

    const lyingBlob = Buffer.from(good);
    lyingBlob.writeUInt32BE(99, lyingBlob.length - 3 - 4);
    expect(thrownBy(() => decodeBody(lyingBlob.subarray(4))).message).to.match(/blobs declare 99 bytes/);

    expect(thrownBy(() => decodeBody(Buffer.alloc(3))).reason).to.equal('malformed');
  });
});
