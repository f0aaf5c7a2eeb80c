/**
 * Parses migration SQL with the real PostgreSQL parser (libpg_query compiled to WebAssembly, via
 * the `libpg-query` package). The WebAssembly module is loaded once, on first use.
 */
import { hasSqlDetails, loadModule, parseSync } from 'libpg-query';
import { InvalidInputError } from '../../core/errors.js';
import { byteToCharIndex, firstTokenIndex, lineAt } from '../../core/migrate/sql-text.js';
import type { MigrationFile, ParsedFile, ParsedStatement } from '../../core/migrate/types.js';

let loading: Promise<void> | undefined;

/** Loads the parser's WebAssembly module (idempotent). */
export function loadSqlParser(): Promise<void> {
  loading ??= loadModule();
  return loading;
}

/**
 * Splits `file` into statements with their first line. Syntax errors become an
 * `InvalidInputError` (code `sql-syntax`) naming `file:line`.
 */
export async function parseSqlFile(file: MigrationFile): Promise<ParsedFile> {
  await loadSqlParser();
  let result;
  try {
    result = parseSync(file.text);
  } catch (e) {
    const pos = hasSqlDetails(e) && e.sqlDetails ? e.sqlDetails.cursorPosition : 0;
    const line = lineAt(file.text, Math.max(0, pos - 1));
    const message = e instanceof Error ? e.message : String(e);
    throw new InvalidInputError('sql-syntax', `${file.path}:${line}: ${message}`, { file: file.path, line });
  }
  const bytes = Buffer.from(file.text, 'utf8');
  const statements: ParsedStatement[] = [];
  for (const raw of result.stmts ?? []) {
    if (!raw.stmt) continue;
    const startByte = raw.stmt_location ?? 0;
    // stmt_len 0 means "to the end of the input" (a last statement without a semicolon).
    const endByte = raw.stmt_len ? startByte + raw.stmt_len : bytes.length;
    const start = firstTokenIndex(file.text, byteToCharIndex(file.text, startByte));
    const end = byteToCharIndex(file.text, endByte);
    statements.push({ text: file.text.slice(start, end).trim(), line: lineAt(file.text, start), node: raw.stmt });
  }
  return { file, statements };
}
