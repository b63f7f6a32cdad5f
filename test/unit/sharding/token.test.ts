import { expect } from 'chai';
import fc from 'fast-check';
import murmur from 'murmurhash3js-revisited';
import { MAX_TOKEN, isUuid, murmurToken, tokenOf, tokenWords, tokenWordsOf, uuidBytes } from '../../../api/index.js';

describe('sharding: token', () => {
  it('reproduces the test vectors of ARCHITECTURE.md (16 raw bytes, not the string)', () => {
    expect(tokenOf('00000000-0000-0000-0000-000000000000').toString(16)).to.equal('4bbd1bf27da918d6');
    expect(tokenOf('36ddd591-2dee-4e7e-a3cc-eb86d30a4303').toString(16)).to.equal('fac1e668458e894f');
    expect(murmurToken(new TextEncoder().encode('hello')).toString(16)).to.equal('cbd8a7b341bd9b02');
    // Hashing the 36-character string instead would give another token.
    expect(murmurToken(new TextEncoder().encode('36ddd591-2dee-4e7e-a3cc-eb86d30a4303')).toString(16)).to.equal('31f6de34ae8f42dd');
  });

  it('gives the same token for every spelling of a UUID (case, dashes)', () => {
    const t = tokenOf('36ddd591-2dee-4e7e-a3cc-eb86d30a4303');
    expect(tokenOf('36DDD591-2DEE-4E7E-A3CC-EB86D30A4303')).to.equal(t);
    expect(tokenOf('36ddd5912dee4e7ea3cceb86d30a4303')).to.equal(t);
    expect(tokenOf('36ddd591-2dee4e7e-a3cceb86d30a4303')).to.equal(t);
  });

  it('parses the 16 bytes in order', () => {
    expect([...uuidBytes('00112233-4455-6677-8899-aabbccddeeff')]).to.deep.equal([
      0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    ]);
  });

  const notUuids = [
    '',
    '36ddd591-2dee-4e7e-a3cc-eb86d30a430',
    '36ddd591-2dee-4e7e-a3cc-eb86d30a43031',
    '36ddd591-2dee-4e7e-a3cc-eb86d30a430g',
    '36ddd591--2dee-4e7e-a3cc-eb86d30a4303',
    '36ddd59-12dee-4e7e-a3cc-eb86d30a4303',
    '{36ddd591-2dee-4e7e-a3cc-eb86d30a4303}',
    '36ddd591-2dee-4e7e-a3cc-eb86d30a430\u00e9',
    ' 36ddd591-2dee-4e7e-a3cc-eb86d30a4303',
  ];
  for (const bad of notUuids)
    it(`rejects ${JSON.stringify(bad)} with a message naming what was expected`, () => {
      expect(isUuid(bad)).to.equal(false);
      expect(() => tokenOf(bad)).to.throw(TypeError, /expected 32 hex digits as 8-4-4-4-12.*found/);
      expect(() => uuidBytes(bad)).to.throw(TypeError);
    });

  it('accepts exactly what the 8-4-4-4-12 pattern with optional dashes accepts', () => {
    const re = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
    const chars = fc.constantFrom(...'0123456789abcdefABCDEFg-{ '.split(''));
    fc.assert(
      fc.property(fc.uuid(), fc.string({ unit: chars, maxLength: 3 }), fc.nat(40), fc.nat(2), fc.boolean(), (uuid, noise, at, cut, undash) => {
        const base = undash ? uuid.replace(/-/g, '') : uuid;
        const s = base.slice(0, at) + noise + base.slice(at + cut);
        expect(isUuid(s), s).to.equal(re.test(s));
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('agrees with murmurhash3js-revisited on random bytes, and word and bigint forms agree', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
        const token = tokenOf(hex);
        expect(token.toString(16).padStart(16, '0')).to.equal(murmur.x64.hash128(bytes).slice(0, 16));
        expect(tokenWordsOf(hex, { hi: 0, lo: 0 })).to.deep.equal(tokenWords(token));
        expect(token >= 0n && token <= MAX_TOKEN).to.equal(true);
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it('splits tokens into words exactly at the extremes and rejects out-of-range tokens', () => {
    expect(tokenWords(0n)).to.deep.equal({ hi: 0, lo: 0 });
    expect(tokenWords(MAX_TOKEN)).to.deep.equal({ hi: 0xffffffff, lo: 0xffffffff });
    expect(tokenWords(1n << 32n)).to.deep.equal({ hi: 1, lo: 0 });
    expect(() => tokenWords(-1n)).to.throw(RangeError);
    expect(() => tokenWords(MAX_TOKEN + 1n)).to.throw(RangeError);
  });
});
