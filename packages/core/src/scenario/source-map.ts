import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Issue } from '../errors';

/** A parsed YAML or JSON document that can say where any path in it sits. */
export interface SourceDocument {
  data: unknown;
  /** Syntax problems, already located. Empty when the text parsed. */
  syntaxIssues: Issue[];
  /** Line and column of the value at `path` (or of its key, with `key: true`); the nearest ancestor when the path does not exist. */
  locate(path: ReadonlyArray<string | number>, options?: { key?: boolean }): { line: number; column: number };
}

/** Renders a path as `agents[2].traits.cooperation`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text;
}

/**
 * Parses YAML (and therefore JSON, a subset of YAML 1.2) keeping source positions, so every
 * problem found later can be reported at its line and column.
 */
export function parseSource(text: string, file?: string): SourceDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxIssues: Issue[] = document.errors.map((error) => ({
    file,
    ...position(error.pos[0]),
    message: error.message.split('\n')[0] ?? error.message,
  }));
  return {
    data: syntaxIssues.length > 0 ? undefined : document.toJS({ maxAliasCount: 1000 }),
    syntaxIssues,
    locate(path, options = {}) {
      let node: unknown = document.contents;
      let offset = (document.contents as Node | null)?.range?.[0] ?? 0;
      for (const [index, segment] of path.entries()) {
        const last = index === path.length - 1;
        if (isMap(node)) {
          const pair = node.items.find(
            (item) => isPair(item) && isScalar(item.key) && item.key.value === segment,
          );
          if (!pair) break;
          const keyNode = pair.key as Node;
          if (last && options.key) return position(keyNode.range?.[0] ?? offset);
          node = pair.value;
          offset = (pair.value as Node | null)?.range?.[0] ?? keyNode.range?.[0] ?? offset;
        } else if (isSeq(node) && typeof segment === 'number') {
          const item = node.items[segment] as Node | undefined;
          if (!item) break;
          node = item;
          offset = item.range?.[0] ?? offset;
        } else {
          break;
        }
      }
      return position(offset);
    },
  };
}
