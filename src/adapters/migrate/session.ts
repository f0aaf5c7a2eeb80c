/**
 * The one database session a migration run uses. Two implementations: a PostgreSQL server over
 * the wire (`pg`), and PGlite (PostgreSQL compiled to WebAssembly, in process) for the embedded
 * demo. The runner only needs to send SQL, read rows, and cancel a statement in flight.
 */

export interface SessionResult<R> {
  rows: R[];
  /** Rows changed (INSERT/UPDATE/DELETE/MERGE) or returned (SELECT). */
  rowCount: number;
}

export interface SqlSession {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SessionResult<R>>;
  /**
   * Cancels the statement in flight, from a second session (`pg_cancel_backend`). Absent where
   * there is no second session (PGlite runs one statement at a time in process).
   */
  cancel?: () => void;
  close(): Promise<void>;
}

/** `"name"` with embedded quotes doubled, as PostgreSQL's `quote_ident` does. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `pglite:memory` or `pglite:<data dir>`: a URL that names an embedded database. */
export function isPgliteUrl(url: string): boolean {
  return url.startsWith('pglite:');
}

/** Opens a session on `url`: `postgres://...` / `postgresql://...` or `pglite:...`. */
export async function openSession(url: string): Promise<SqlSession> {
  if (isPgliteUrl(url)) {
    const { openPgliteSession } = await import('./pglite-session.js');
    return openPgliteSession(url);
  }
  const { openPgSession } = await import('./pg-session.js');
  return openPgSession(url);
}
