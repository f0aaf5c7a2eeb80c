/**
 * A migration session on PGlite (`@electric-sql/pglite`: PostgreSQL compiled to WebAssembly,
 * in process), so the demo needs no database server. `pglite:memory` is a throw-away database;
 * `pglite:<dir>` keeps its data in that directory.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { SqlSession } from './session.js';

const CHANGES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** Wraps an open PGlite; `close()` closes it only when `owned`. */
export function pgliteSession(db: PGlite, owned = false): SqlSession {
  return {
    async query<R>(text: string, params?: unknown[]) {
      const r = await db.query<R>(text, params);
      const command = (r as { command?: string }).command ?? '';
      return { rows: r.rows, rowCount: CHANGES.has(command) ? (r.affectedRows ?? 0) : r.rows.length };
    },
    close: async () => {
      if (owned) await db.close();
    },
  };
}

/** Opens `pglite:memory` or `pglite:<dir>`. */
export async function openPgliteSession(url: string): Promise<SqlSession> {
  const { PGlite } = await import('@electric-sql/pglite');
  const where = url.slice('pglite:'.length);
  const db = await PGlite.create(where === 'memory' || where === '' ? undefined : where);
  return pgliteSession(db, true);
}
