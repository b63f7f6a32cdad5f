// Fast path for queries that inline vectors (what weaviate-ts-client sends): every query carries
// a new vector, so caching parsed documents by query text never hits, and graphql-js spends
// 0.2-0.6 ms per query on parse + validate (validate's cost is mostly fixed set-up per call).
// Instead, `vector:[...]` literals are lifted out into variables: the rest of the query (the
// template) is the same from query to query, so its parsed and validated document is cached and
// only the numbers change. Anything unusual (an operation that is not the `{...}` shorthand,
// non-numeric list items, a match inside a string or comment) leaves the query on the normal
// path, so this never changes what a query means.

const VECTOR_LITERAL = /\bvector\s*:\s*\[([^\]"#]*)\]/g;
const GRAPHQL_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
export const VECTOR_VARIABLE_PREFIX = '__shoal_v';

export interface VectorTemplate {
  /** The query with each vector literal replaced by a variable, and those variables declared. */
  template: string;
  variables: Record<string, number[]>;
}

/** Index ranges [start, end) of string literals and comments, where a match must not be taken. */
function quotedRanges(query: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  // Most vector queries hold neither: skip the character-by-character walk (~4 us for 128 floats).
  if (query.indexOf('"') < 0 && query.indexOf('#') < 0) return ranges;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '#') {
      const end = query.indexOf('\n', i);
      ranges.push([i, end < 0 ? query.length : end]);
      i = end < 0 ? query.length : end;
    } else if (c === '"') {
      const block = query.startsWith('"""', i);
      let j = i + (block ? 3 : 1);
      while (j < query.length && !(block ? query.startsWith('"""', j) && query[j - 1] !== '\\' : query[j] === '"')) j += query[j] === '\\' && !block ? 2 : 1;
      const end = Math.min(query.length, j + (block ? 3 : 1));
      ranges.push([i, end]);
      i = end - 1;
    }
  }
  return ranges;
}

function numbers(list: string): number[] | undefined {
  // JSON's number grammar is GraphQL's, so the common comma-separated form parses natively.
  try {
    const parsed: unknown = JSON.parse(`[${list}]`);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((x) => typeof x === 'number')) return parsed as number[];
  } catch {
    // GraphQL also allows other separators ("1 2", "1,,2"): fall through to tokens.
  }
  const tokens = list.split(/[\s,]+/).filter(Boolean);
  const out = new Array<number>(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    if (!GRAPHQL_NUMBER.test(tokens[i])) return undefined;
    out[i] = Number(tokens[i]);
  }
  return out.length > 0 ? out : undefined;
}

/** Lift vector literals out of a shorthand query; undefined when the query should take the normal path. */
export function liftVectors(query: string): VectorTemplate | undefined {
  const body = query.trimStart();
  if (!body.startsWith('{') || !query.includes('vector')) return undefined;
  const variables: Record<string, number[]> = {};
  let quoted: Array<[number, number]> | undefined;
  let failed = false;
  let n = 0;
  const template = body.replace(VECTOR_LITERAL, (match, list: string, offset: number) => {
    quoted ??= quotedRanges(body);
    const values = numbers(list);
    if (!values || quoted.some(([s, e]) => offset >= s && offset < e)) {
      failed = true;
      return match;
    }
    const name = `${VECTOR_VARIABLE_PREFIX}${n++}`;
    variables[name] = values;
    return `vector:$${name}`;
  });
  if (failed || n === 0) return undefined;
  const declarations = Object.keys(variables).map((v) => `$${v}:[Float!]!`).join(',');
  return { template: `query(${declarations})${template}`, variables };
}
