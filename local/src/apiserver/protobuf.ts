// Decoding of the Kubernetes protobuf wire format for the few kinds clients send that way:
// kubectl's `create secret|configmap|namespace` generators and helm's release storage
// (Secrets, plus protobuf DeleteOptions). Bodies are the "k8s\0" magic followed by a
// runtime.Unknown{typeMeta, raw}; `raw` is the object's own message. Field numbers come from
// k8s.io/api generated.proto. Responses are always JSON, which these clients accept.
import { ApiError } from './errors.js';

type Fields = Map<number, (bigint | Uint8Array)[]>;

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

/** All fields of one message: varints as bigint, length-delimited as bytes. */
function readFields(buf: Uint8Array): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos);
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let value: bigint | Uint8Array;
    if (wire === 0) { [value, pos] = readVarint(buf, p1); }
    else if (wire === 2) {
      const [len, p2] = readVarint(buf, p1);
      value = buf.subarray(p2, p2 + Number(len));
      pos = p2 + Number(len);
    } else if (wire === 1) { value = buf.subarray(p1, p1 + 8); pos = p1 + 8; }
    else if (wire === 5) { value = buf.subarray(p1, p1 + 4); pos = p1 + 4; }
    else throw new Error(`unsupported protobuf wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const text = (b: bigint | Uint8Array | undefined): string | undefined =>
  b instanceof Uint8Array ? Buffer.from(b).toString('utf8') : undefined;
const bytes = (f: Fields, n: number): Uint8Array | undefined => f.get(n)?.[0] as Uint8Array | undefined;
const str = (f: Fields, n: number): string | undefined => text(f.get(n)?.[0]);
const strs = (f: Fields, n: number): string[] => (f.get(n) ?? []).map((b) => text(b) ?? '');
const int = (f: Fields, n: number): number | undefined => {
  const v = f.get(n)?.[0];
  return typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : undefined;
};
const bool = (f: Fields, n: number): boolean | undefined => (f.has(n) ? int(f, n) !== 0 : undefined);

function stringMap(f: Fields, n: number, asBase64 = false): Record<string, string> | undefined {
  const entries = f.get(n);
  if (!entries) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = readFields(e as Uint8Array);
    const value = bytes(kv, 2) ?? new Uint8Array();
    out[str(kv, 1) ?? ''] = asBase64 ? Buffer.from(value).toString('base64') : Buffer.from(value).toString('utf8');
  }
  return out;
}

function time(buf: Uint8Array | undefined): string | undefined {
  if (!buf) return undefined;
  const seconds = int(readFields(buf), 1) ?? 0;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function compact<T extends Record<string, unknown>>(o: T): T {
  // proto2 encodes empty optional strings; JSON (omitempty) would not carry them.
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === '') delete o[k];
  return o;
}

function objectMeta(buf: Uint8Array | undefined): Record<string, unknown> {
  if (!buf) return {};
  const f = readFields(buf);
  const owners = (f.get(13) ?? []).map((b) => {
    const o = readFields(b as Uint8Array);
    return compact({ apiVersion: str(o, 5), kind: str(o, 1), name: str(o, 3), uid: str(o, 4), controller: bool(o, 6), blockOwnerDeletion: bool(o, 7) });
  });
  return compact({
    name: str(f, 1), generateName: str(f, 2), namespace: str(f, 3), uid: str(f, 5), resourceVersion: str(f, 6),
    generation: int(f, 7) || undefined, creationTimestamp: time(bytes(f, 8)), labels: stringMap(f, 11), annotations: stringMap(f, 12),
    ownerReferences: owners.length ? owners : undefined, finalizers: f.has(14) ? strs(f, 14) : undefined,
  });
}

const DECODERS: Record<string, (f: Fields) => Record<string, unknown>> = {
  Secret: (f) => compact({ metadata: objectMeta(bytes(f, 1)), data: stringMap(f, 2, true), type: str(f, 3), stringData: stringMap(f, 4), immutable: bool(f, 5) }),
  ConfigMap: (f) => compact({ metadata: objectMeta(bytes(f, 1)), data: stringMap(f, 2), binaryData: stringMap(f, 3, true), immutable: bool(f, 4) }),
  Namespace: (f) => {
    const spec = bytes(f, 2);
    return compact({ metadata: objectMeta(bytes(f, 1)), spec: spec ? { finalizers: strs(readFields(spec), 1) } : undefined });
  },
  DeleteOptions: (f) => {
    const pre = bytes(f, 2);
    const pf = pre ? readFields(pre) : undefined;
    return compact({
      gracePeriodSeconds: int(f, 1), preconditions: pf ? compact({ uid: str(pf, 1), resourceVersion: str(pf, 2) }) : undefined,
      orphanDependents: bool(f, 3), propagationPolicy: str(f, 4), dryRun: f.has(5) ? strs(f, 5) : undefined,
    });
  },
};

export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? '').toLowerCase().startsWith('application/vnd.kubernetes.protobuf');
}

/** Decode a protobuf request body into the JSON object the client meant. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw new ApiError(400, 'BadRequest', 'protobuf body does not start with the "k8s\\x00" envelope magic');
  }
  try {
    const unknown = readFields(body.subarray(4));
    const typeMeta = readFields(bytes(unknown, 1) ?? new Uint8Array());
    const apiVersion = str(typeMeta, 1) ?? '';
    const kind = str(typeMeta, 2) ?? '';
    const decoder = DECODERS[kind];
    if (!decoder) {
      throw new ApiError(415, 'UnsupportedMediaType',
        `protobuf bodies of kind "${kind}" are not supported by Shoal's local API server (only Secret, ConfigMap, Namespace, DeleteOptions); send JSON instead`);
    }
    const obj = decoder(readFields(bytes(unknown, 2) ?? new Uint8Array()));
    return kind === 'DeleteOptions' ? obj : { apiVersion: apiVersion || 'v1', kind, ...obj };
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(400, 'BadRequest', `cannot decode protobuf body: ${(e as Error).message}`);
  }
}
