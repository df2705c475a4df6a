/**
 * Parses a YAML stream refusing collections nested deeper than a fixed limit. The yaml library's
 * composer recurses once per level and overflowed the stack near 800 levels (a 10,000-level `[[[…`
 * document was reported as a YAML syntax error "Maximum call stack size exceeded"). The CST
 * parser is iterative, so each document's CST is measured (iteratively) before it is composed.
 */
import { Composer, LineCounter, Parser, type CST, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions } from 'yaml';
import { SeiError } from '../errors/index.js';

/**
 * Deeper than any Kubernetes object (CRD schemas stay far below 50 levels) and well inside what
 * the composer, toJS and schema validation can recurse through. kubectl's own limit (go-yaml) is 10,000.
 */
export const MAX_NESTING_DEPTH = 256;

interface CollectionItem {
  key?: CST.Token | null;
  value?: CST.Token;
}

/** Offset of the first collection nested deeper than `limit`, if any. */
function tooDeepAt(document: CST.Token, limit: number): number | undefined {
  const pending: Array<{ token: CST.Token; depth: number }> = [{ token: document, depth: 0 }];
  while (pending.length > 0) {
    const { token, depth } = pending.pop()!;
    if (token.type === 'document') {
      if (token.value) pending.push({ token: token.value, depth });
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > limit) return token.offset;
      for (const item of token.items as CollectionItem[]) {
        if (item.key) pending.push({ token: item.key, depth: depth + 1 });
        if (item.value) pending.push({ token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * `parseAllDocuments` with a nesting limit: a document nested deeper than MAX_NESTING_DEPTH is
 * refused (SeiError.invalid, exit 2) naming the file position and the limit.
 */
export function parseAllDocumentsBounded(
  text: string,
  file: string,
  options: ParseOptions & DocumentOptions & SchemaOptions = {},
  /** How the message names the input (`--fleet FILE`); the position always names the file. */
  label = file,
): Document.Parsed[] {
  const lines = options.lineCounter ?? new LineCounter();
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer(options);
  function* measured(): Generator<CST.Token> {
    for (const token of parser.parse(text)) {
      const offset = tooDeepAt(token, MAX_NESTING_DEPTH);
      if (offset !== undefined) {
        const { line, col } = lines.linePos(offset);
        throw SeiError.invalid(`${label}: nested deeper than ${MAX_NESTING_DEPTH} levels`, [
          { field: '<document>', type: 'FieldValueInvalid', message: `collections are nested more than ${MAX_NESTING_DEPTH} levels deep (the limit kubectl-sei reads)`, source: { file, line, column: col } },
        ], [`Flatten the document: no Kubernetes object nests anywhere near ${MAX_NESTING_DEPTH} levels.`]);
      }
      yield token;
    }
  }
  return Array.from(composer.compose(measured())) as Document.Parsed[];
}
