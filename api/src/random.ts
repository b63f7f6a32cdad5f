// A seeded source of uniform numbers in [0, 1) (mulberry32: tiny, fast, good enough for
// placement shuffles, simulated networks and test data). Code that must be reproducible takes a
// `() => number` and is handed this in tests and simulations, Math.random in production.
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
