/**
 * Text helpers for SQL files: where a statement really starts (past blank lines and comments)
 * and the `-- baton-lint-ignore: rule-id reason` comments above it.
 */

/**
 * Index of the first character of the first token at or after `from`, skipping whitespace,
 * `-- line` comments and (nested) `/* block *\/` comments, as PostgreSQL's scanner does.
 * libpg_query's `stmt_location` for every statement after the first points just past the
 * previous semicolon, so the comments between statements belong to the next one.
 */
export function firstTokenIndex(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else break;
  }
  return i;
}

/** 1-based line of character index `index`. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/**
 * Converts a byte offset into the UTF-8 encoding of `text` (libpg_query reports byte offsets)
 * to a character index. Example: in `'é';SELECT 1` the byte offset 5 is character index 4.
 */
export function byteToCharIndex(text: string, byteOffset: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byteOffset) {
    const cp = text.codePointAt(i) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return i;
}

/** One `-- baton-lint-ignore:` comment. `reason` is empty when none was given. */
export interface IgnoreComment {
  line: number;
  ruleId: string;
  reason: string;
}

const IGNORE_RE = /^\s*--\s*baton-lint-ignore:\s*([a-z0-9-]+)\s*(.*?)\s*$/;

/**
 * The ignore comments directly above `statementLine`: the line before it, and the lines before
 * that as long as each is itself an ignore comment (so one statement can carry several).
 */
export function ignoresAbove(lines: readonly string[], statementLine: number): IgnoreComment[] {
  const found: IgnoreComment[] = [];
  for (let n = statementLine - 1; n >= 1; n--) {
    const m = IGNORE_RE.exec(lines[n - 1] ?? '');
    if (!m) break;
    found.push({ line: n, ruleId: m[1] ?? '', reason: m[2] ?? '' });
  }
  return found;
}
