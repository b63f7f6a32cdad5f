// The sharding key of an object is its UUID; its token is the first 64 bits (h1) of
// MurmurHash3 x64 128 (seed 0) over the UUID's 16 raw bytes, as an unsigned integer.
// Hashing the raw bytes (not the 36-character string) makes the token independent of how the
// UUID was spelled (case, dashes), so every reader routes an object identically.
//
// Routing runs once per object on every import, so the UUID parser below is a hand-written
// table-driven scan (no regex, no parseInt per byte) and the hot path never builds a bigint:
// it reads the token as two unsigned 32-bit words (`TokenWords`).
import murmur from 'murmurhash3js-revisited';

/** Largest token: 2^64 - 1. */
export const MAX_TOKEN = (1n << 64n) - 1n;

/** A token split into its high and low unsigned 32-bit halves: token = hi * 2^32 + lo. */
export interface TokenWords {
  hi: number;
  lo: number;
}

// Nibble value of an ASCII character code, -1 for anything that is not a hex digit.
const NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) NIBBLE[48 + c] = c;
for (let c = 0; c < 6; c++) NIBBLE[65 + c] = NIBBLE[97 + c] = 10 + c;

// Hex digits per UUID group (8-4-4-4-12); a dash may follow each group but the last.
const GROUP_DIGITS = [8, 4, 4, 4, 12];
const DASH = 45;

function nibble(code: number): number {
  // charCodeAt past the end gives NaN, which fails `code < 128` and reads as invalid.
  return code < 128 ? NIBBLE[code] : -1;
}

/**
 * Parse a UUID (hex, dashes after each group optional, either case) into `out`.
 * Returns false, leaving `out` partly written, if `uuid` is not one.
 */
export function parseUuidInto(uuid: string, out: Uint8Array): boolean {
  if (uuid.length < 32 || uuid.length > 36) return false;
  let pos = 0;
  let b = 0;
  for (let g = 0; g < 5; g++) {
    if (g > 0 && uuid.charCodeAt(pos) === DASH) pos++;
    for (let end = b + GROUP_DIGITS[g] / 2; b < end; b++, pos += 2) {
      const high = nibble(uuid.charCodeAt(pos));
      const low = nibble(uuid.charCodeAt(pos + 1));
      if (high < 0 || low < 0) return false;
      out[b] = (high << 4) | low;
    }
  }
  return pos === uuid.length;
}

export function isUuid(value: string): boolean {
  return typeof value === 'string' && parseUuidInto(value, new Uint8Array(16));
}

function notAUuid(uuid: string): Error {
  return new TypeError(
    `not a UUID: expected 32 hex digits as 8-4-4-4-12 (dashes optional), found ${JSON.stringify(uuid)}`,
  );
}

/** The 16 raw bytes of a UUID written in hex with or without dashes. Throws on anything else. */
export function uuidBytes(uuid: string): Uint8Array {
  const out = new Uint8Array(16);
  if (!parseUuidInto(uuid, out)) throw notAUuid(uuid);
  return out;
}

/** First 16 hex digits (h1) of MurmurHash3 x64 128, seed 0, over `bytes`. */
function murmurH1Hex(bytes: Uint8Array): string {
  return murmur.x64.hash128(bytes).slice(0, 16);
}

/** h1 of MurmurHash3 x64 128, seed 0, as an unsigned 64-bit bigint. */
export function murmurToken(bytes: Uint8Array): bigint {
  return BigInt('0x' + murmurH1Hex(bytes));
}

// One scratch buffer for the hot path: the hash reads it synchronously right after parsing.
const scratch = new Uint8Array(16);

/**
 * The token of an object UUID as two 32-bit words, written into `out` (reused by the caller to
 * avoid an allocation per object). Throws on a malformed UUID.
 */
export function tokenWordsOf(uuid: string, out: TokenWords): TokenWords {
  if (!parseUuidInto(uuid, scratch)) throw notAUuid(uuid);
  const hex = murmurH1Hex(scratch);
  out.hi = parseInt(hex.slice(0, 8), 16);
  out.lo = parseInt(hex.slice(8, 16), 16);
  return out;
}

/** The unsigned 64-bit token of an object UUID. */
export function tokenOf(uuid: string): bigint {
  if (!parseUuidInto(uuid, scratch)) throw notAUuid(uuid);
  return BigInt('0x' + murmurH1Hex(scratch));
}

/** Split a token into its 32-bit words. */
export function tokenWords(token: bigint): TokenWords {
  if (token < 0n || token > MAX_TOKEN) throw new RangeError(`token must be in [0, 2^64 - 1], found ${token}`);
  return { hi: Number(token >> 32n), lo: Number(token & 0xffffffffn) };
}
