// Text tokenization for filters, as Weaviate's inverted index splits text: `word` keeps runs of
// letters and digits, lower-cased; `lowercase` splits on whitespace and lower-cases; `whitespace`
// splits on whitespace; `field` is the whole value, trimmed.
import type { Tokenization } from '../../../../api/index.js';

const WORD_SPLIT = /[^\p{L}\p{N}]+/u;
const SPACE_SPLIT = /\s+/;

export function tokenize(text: string, tokenization: Tokenization): string[] {
  switch (tokenization) {
    case 'word':
      return text.toLowerCase().split(WORD_SPLIT).filter(Boolean);
    case 'lowercase':
      return text.toLowerCase().split(SPACE_SPLIT).filter(Boolean);
    case 'whitespace':
      return text.split(SPACE_SPLIT).filter(Boolean);
    case 'field': {
      const t = text.trim();
      return t ? [t] : [];
    }
  }
}

/** Whether tokens of this tokenization are lower-cased (so patterns must be too). */
export function foldsCase(tokenization: Tokenization): boolean {
  return tokenization === 'word' || tokenization === 'lowercase';
}
