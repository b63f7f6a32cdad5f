// Weaviate's Like patterns: `*` matches any run of characters (also none), `?` exactly one;
// everything else is literal. Compiled once to an anchored regular expression.

export function likeToRegExp(pattern: string, ignoreCase = false): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, ignoreCase ? 'sui' : 'su');
}
