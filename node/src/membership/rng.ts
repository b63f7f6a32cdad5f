// Randomness for the protocol core. The core never calls Math.random itself: the real node
// passes `Math.random`, the simulator a seeded generator, so that a simulated run is
// reproducible from its seed.
import { seededRandom } from '../../../api/index.js';

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** Seeded uniform numbers in [0, 1) (api/src/random.ts). */
export const seededRng = seededRandom;

/** A uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Up to `k` distinct elements of `items`, chosen uniformly (partial Fisher-Yates on a copy). */
export function sample<T>(items: readonly T[], k: number, rng: Rng): T[] {
  const pool = items.slice();
  const n = Math.min(k, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + randomInt(rng, pool.length - i);
    const tmp = pool[i];
    pool[i] = pool[j];
    pool[j] = tmp;
  }
  pool.length = n;
  return pool;
}
