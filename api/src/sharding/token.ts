// The sharding key of an object is its UUID; its token is the first 64 bits (h1) of
// MurmurHash3 x64 128 (seed 0) over the UUID's 16 raw bytes, as an unsigned integer.
// Hashing the raw bytes (not the 36-character string) makes the token independent of how the
// UUID was spelled (case, braces), so every reader routes an object identically.
import murmur from 'murmurhash3js-revisited';

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** Largest token: 2^64 - 1. */
export const MAX_TOKEN = (1n << 64n) - 1n;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** The 16 raw bytes of a UUID written in hex with or without dashes. Throws on anything else. */
export function uuidBytes(uuid: string): Uint8Array {
  if (!UUID_RE.test(uuid)) throw new Error(`not a UUID: ${JSON.stringify(uuid)}`);
  const hex = uuid.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** h1 of MurmurHash3 x64 128, seed 0, as an unsigned 64-bit bigint. */
export function murmurToken(bytes: Uint8Array): bigint {
  const hex: string = murmur.x64.hash128(bytes);
  return BigInt('0x' + hex.slice(0, 16));
}

/** The unsigned 64-bit token of an object UUID. */
export function tokenOf(uuid: string): bigint {
  return murmurToken(uuidBytes(uuid));
}
