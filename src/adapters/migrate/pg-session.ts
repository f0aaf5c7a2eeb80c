/** A migration session on a PostgreSQL server, through the `pg` client. */
import pg from 'pg';
import { InvalidInputError } from '../../core/errors.js';
import type { SqlSession } from './session.js';

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Connects; an unreachable server is an `InvalidInputError` (code `database-unreachable`). */
export async function openPgSession(url: string): Promise<SqlSession> {
  const client = new pg.Client({ connectionString: url, application_name: 'baton-migrate' });
  // A dropped connection is an 'error' event; without a listener it would crash the process
  // instead of failing the query in flight.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new InvalidInputError('database-unreachable', `cannot connect to ${redact(url)}: ${e instanceof Error ? e.message : String(e)}`, {});
  }
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  return {
    async query<R>(text: string, params?: unknown[]) {
      const r = await client.query(text, params);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    },
    cancel() {
      const other = new pg.Client({ connectionString: url, application_name: 'baton-migrate-cancel' });
      other.on('error', () => undefined);
      void other
        .connect()
        .then(() => other.query('SELECT pg_cancel_backend($1)', [pid]))
        .catch(() => undefined)
        .finally(() => void other.end().catch(() => undefined));
    },
    close: () => client.end().catch(() => undefined),
  };
}
