// Merging the answers of the shards of a class. Pure. Ties are broken by id so that the same
// query through any pod, whichever replicas answered, returns the same order.

export interface Ranked {
  id: string;
  distance: number;
}

export function byDistanceThenId(a: Ranked, b: Ranked): number {
  return a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** All lists merged by `compare`, items [offset, offset + limit) kept. */
export function mergeWindow<T>(lists: readonly T[][], compare: (a: T, b: T) => number, offset: number, limit: number): T[] {
  return lists.flat().sort(compare).slice(offset, offset + limit);
}
