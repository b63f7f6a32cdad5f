// Label selectors (equality and set-based, as in `kubectl -l` and helm's `name=x,owner=helm`)
// and field selectors. Field selectors accept any dotted path into the object, a superset of
// the per-kind fields the real server allows (metadata.name, involvedObject.name, ...).
import { badRequest } from './errors.js';
import type { KObject } from './types.js';
import { getPath } from './util.js';

export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

export type Selector = Requirement[];

/** Split on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

export function parseLabelSelector(text: string | undefined | null): Selector {
  if (!text) return [];
  return splitTop(text).map(parseRequirement);
}

function parseRequirement(term: string): Requirement {
  let m = /^([^\s=!(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) return { key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()).filter(Boolean) };
  m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(term);
  if (m) return { key: m[1], op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]] };
  m = /^!\s*([^\s=!(),]+)$/.exec(term);
  if (m) return { key: m[1], op: '!exists' };
  m = /^([^\s=!(),]+)$/.exec(term);
  if (m) return { key: m[1], op: 'exists' };
  throw badRequest(`unable to parse requirement: found '${term}', expected: key, key=value, key!=value, key in (v1,v2), key notin (v1,v2), !key`);
}

export function matchesLabels(sel: Selector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return sel.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists': return has;
      case '!exists': return !has;
      case 'in': return has && r.values.includes(l[r.key]);
      case 'notin': return !has || !r.values.includes(l[r.key]);
    }
    return false;
  });
}

export interface FieldRequirement { path: string; equal: boolean; value: string }

export function parseFieldSelector(text: string | undefined | null): FieldRequirement[] {
  if (!text) return [];
  return splitTop(text).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    return { path: m[1].trim(), equal: m[2] !== '!=', value: m[3].replace(/\\(.)/g, '$1') };
  });
}

export function matchesFields(reqs: FieldRequirement[], obj: KObject): boolean {
  return reqs.every((r) => {
    const v = getPath(obj, r.path);
    const s = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return (s === r.value) === r.equal;
  });
}

/** A LabelSelector object (matchLabels/matchExpressions) rendered as the string form Scale uses. */
export function labelSelectorToString(sel: unknown): string {
  if (!sel || typeof sel !== 'object') return '';
  const s = sel as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const vals = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
