/**
 * The embedded databases of `baton up`: every `pglite:` database a SchemaMigration names is
 * opened once and stays open while the controller runs (`pglite:memory` would otherwise be a
 * new, empty database for every migration run, and a `pglite:<dir>` can be opened by one
 * PGlite at a time), and is served over the PostgreSQL wire protocol on 127.0.0.1, so the
 * workloads' processes use the database whose schema the controller changes.
 *
 * A SchemaMigration that reads its URL from an environment variable (`spec.databaseUrl.env`)
 * hands the processes Baton starts the same variable, set to the served `postgres://` URL: the
 * manifests stay the ones that run against a PostgreSQL server elsewhere. The port is kept in
 * the store, so a restarted controller serves the database where the processes left it.
 */
import { databaseUrlOf, isPgliteUrl, openPglite, pgliteSession, servePglite, type OpenPglite, type ServedPglite, type SqlSession } from '../adapters/migrate/index.js';
import type { ManifestSet } from '../core/spec/types.js';
import type { PGlite } from '@electric-sql/pglite';
import type { EmbeddedDatabaseView } from '../api/types.js';
import { schemaMigrationName, schemaMigrationsIn } from './schema-migration-bindings.js';

/** Where the migration runner gets its sessions for a database URL. */
export interface SessionPool {
  /** A session opener for an embedded database; undefined for a server URL (the runner connects itself). */
  openerFor(url: string): (() => Promise<SqlSession>) | undefined;
  close(): Promise<void>;
}

export interface EmbeddedDatabases extends SessionPool {
  /** Opens (and serves) every embedded database the SchemaMigrations of `set` name. */
  sync(set: ManifestSet): Promise<void>;
  /** Variables for the processes Baton starts: each SchemaMigration's env var, set to its served URL. */
  processEnv(): Record<string, string>;
  list(): EmbeddedDatabaseView[];
}

export interface EmbeddedDatabaseOptions {
  /** Serve the databases on 127.0.0.1 (`baton up`); without it they are only opened in process. */
  serve: boolean;
  /** Where database URLs in env vars come from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Remembers each database's port across controller restarts. */
  ports?: { get(url: string): number | undefined; set(url: string, port: number): void };
  log?: (line: string) => void;
}

interface Open extends OpenPglite {
  served?: ServedPglite;
}


export function createEmbeddedDatabases(opts: EmbeddedDatabaseOptions): EmbeddedDatabases {
  const log = opts.log ?? (() => undefined);
  const open = new Map<string, Promise<Open>>();
  /** By URL: a database stays served (and listed) until the controller stops, also once no SchemaMigration names it. */
  const views = new Map<string, EmbeddedDatabaseView>();
  let closed = false;

  async function serve(db: PGlite, url: string): Promise<ServedPglite> {
    const remembered = opts.ports?.get(url);
    let served: ServedPglite;
    try {
      served = await servePglite(db, { port: remembered ?? 0, log });
    } catch (e) {
      if (remembered === undefined) throw e;
      // Someone else took the port while the controller was down: a new one (processes started
      // from now on get it; running ones keep the old URL until they restart).
      log(`embedded database ${url}: port ${remembered} is taken (${e instanceof Error ? e.message : String(e)}); serving on a new port`);
      served = await servePglite(db, { port: 0, log });
    }
    opts.ports?.set(url, served.port);
    return served;
  }

  function get(url: string): Promise<Open> {
    if (closed) return Promise.reject(new Error(`embedded database ${url}: the controller is stopping`));
    let o = open.get(url);
    if (!o) {
      o = (async (): Promise<Open> => {
        const opened = await openPglite(url);
        if (!opts.serve || closed) return opened;
        try {
          const served = await serve(opened.db, url);
          opened.lock?.note(served.url);
          return { ...opened, served };
        } catch (e) {
          await opened.close().catch(() => undefined);
          throw e;
        }
      })();
      open.set(url, o);
      // A database that failed to open is tried again next time.
      o.catch(() => open.delete(url));
    }
    return o;
  }

  return {
    openerFor(url) {
      if (!isPgliteUrl(url)) return undefined;
      return async () => {
        const o = await get(url);
        // Through the server's lane when served, so a migration never mixes with a process's
        // statements; not owned either way: the runner's close() leaves the database open.
        if (!o.served) return pgliteSession(o.db, false);
        const session = o.served.session();
        return {
          ...session,
          // The runner's timeouts are session settings, and the served database is one session
          // with the services: they apply to the services' statements only while a step runs.
          close: async () => {
            await session.query('RESET lock_timeout').catch(() => undefined);
            await session.query('RESET statement_timeout').catch(() => undefined);
            await session.close();
          },
        };
      };
    },
    async sync(set) {
      for (const m of schemaMigrationsIn(set)) {
        let url: string;
        try {
          url = await databaseUrlOf(m, opts.env ?? process.env);
        } catch (e) {
          // Reported again, as a failed step, when a migration of it is due.
          log(`${schemaMigrationName(m)}: ${e instanceof Error ? e.message : String(e)}`);
          continue;
        }
        if (!isPgliteUrl(url)) continue;
        let o: Open;
        try {
          o = await get(url);
        } catch (e) {
          // Not fatal to the controller: its migration steps fail, with the reason, when due.
          log(`${schemaMigrationName(m)}: embedded database ${url} did not open: ${e instanceof Error ? e.message : String(e)}`);
          continue;
        }
        const src = m.spec.databaseUrl;
        views.set(url, { schemaMigration: schemaMigrationName(m), url, ...('env' in src ? { env: src.env } : {}), ...(o.served ? { servedUrl: o.served.url } : {}) });
      }
    },
    processEnv() {
      const env: Record<string, string> = {};
      for (const v of views.values()) if (v.env && v.servedUrl) env[v.env] = v.servedUrl;
      return env;
    },
    list: () => [...views.values()].map((v) => ({ ...v })),
    async close() {
      closed = true;
      const all = [...open.values()];
      open.clear();
      for (const p of all) {
        const o = await p.catch(() => undefined);
        await o?.served?.close();
        await o?.close();
      }
    },
  };
}
