// Merging per-shard answers. Each shard answers sorted; the merged answer is sorted the same way
// and cut to the requested window. Pure functions.

/** Merge lists each sorted by `key` ascending, keep items [offset, offset + limit). */
export function mergeSorted<T>(lists: T[][], key: (item: T) => number | string, offset: number, limit: number): T[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 1) return nonEmpty[0].slice(offset, offset + limit);
  const all = nonEmpty.flat();
  all.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return all.slice(offset, offset + limit);
}
