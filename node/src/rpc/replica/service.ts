// The replica methods as RPC handlers: decode the parameters, run the local replica, encode the
// result. The server (../server.ts) answers WireError as a bad request and domain errors with
// their kind.
import { LIMITS, type ReplicaOps } from './ops.js';
import * as codec from './codec.js';
import type { Handler } from '../server.js';
import { asObject, int } from '../wire-records.js';

type Msg = Record<string, unknown>;
const params = (p: unknown): Msg => asObject(p, 'params');

export function replicaHandlers(local: ReplicaOps): Map<string, Handler> {
  const h = new Map<string, Handler>();
  h.set(codec.METHOD.apply, async (p, blobs) => {
    const m = params(p);
    return { result: await local.apply(codec.refOf(m), codec.decodeRecords(m, blobs)) };
  });
  h.set(codec.METHOD.get, async (p) => {
    const m = params(p);
    return asReply(codec.encodeObjects(await local.get(codec.refOf(m), codec.decodeIds(m))));
  });
  h.set(codec.METHOD.search, async (p, blobs) => {
    const m = params(p);
    const req = codec.decodeSearch(m, blobs);
    return asReply(codec.encodeHits(await local.search(codec.refOf(m), req), req.withVectors));
  });
  h.set(codec.METHOD.list, async (p) => {
    const m = params(p);
    const { after, limit } = codec.decodeListParams(m);
    return asReply(codec.encodeObjects(await local.list(codec.refOf(m), after, limit)));
  });
  h.set(codec.METHOD.scan, async (p) => {
    const m = params(p);
    const { limit } = codec.decodeListParams(m);
    return asReply(codec.encodeObjects(await local.scan(codec.refOf(m), codec.decodeFilter(m), limit)));
  });
  h.set(codec.METHOD.count, async (p) => {
    const m = params(p);
    return { result: await local.count(codec.refOf(m), codec.decodeFilter(m)) };
  });
  h.set(codec.METHOD.digest, async (p) => {
    const m = params(p);
    return asReply(codec.encodeDigest(await local.digest(codec.refOf(m), int(m.b, 'bits', 0, LIMITS.maxBits))));
  });
  h.set(codec.METHOD.entries, async (p) => {
    const m = params(p);
    return asReply(codec.encodeEntryPage(await local.entries(codec.refOf(m), codec.decodeEntryQuery(m))));
  });
  h.set(codec.METHOD.infos, async () => ({ result: await local.shardInfos() }));
  return h;
}

function asReply(e: codec.Encoded) {
  return { result: e.params, blobs: e.blobs };
}
