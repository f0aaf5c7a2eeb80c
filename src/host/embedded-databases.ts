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
 *
 * Served, each database runs in a thread of its own (pglite-thread.ts) behind a password
 * (SCRAM-SHA-256, user `postgres`) and a statement timeout (pglite-server.ts). The password is
 * kept in the state directory (`database.password`, 0600) so a restarted controller keeps it,
 * and is part of the URL the processes are given; the timeout comes from
 * `BATON_DATABASE_STATEMENT_TIMEOUT` (default 30s).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { databaseUrlOf, isPgliteUrl, openPglite, pgliteSession, servePglite, type ServedPglite, type SqlSession } from '../adapters/migrate/index.js';
import { DEFAULT_STATEMENT_TIMEOUT_MS } from '../adapters/migrate/pglite-server.js';
import { lockPgliteDir, pgliteDir } from '../adapters/migrate/pglite-session.js';
import { startPgliteThread, type PgliteThread } from '../adapters/migrate/pglite-thread.js';
import { InvalidInputError } from '../core/errors.js';
import { formatDuration, parseGoDuration } from '../core/spec/duration.js';
import type { ManifestSet } from '../core/spec/types.js';
import type { EmbeddedDatabaseView } from '../api/types.js';
import { schemaMigrationName, schemaMigrationsIn } from './schema-migration-bindings.js';

/** The variable that sets the served databases' statement timeout (`30s`, `2m`; `0` for none). */
export const STATEMENT_TIMEOUT_ENV = 'BATON_DATABASE_STATEMENT_TIMEOUT';
/** The served databases' password, in the state directory of `baton up` (mode 0600). */
export const DATABASE_PASSWORD_FILE = 'database.password';

/** `postgres://user:password@host/db` without the password, for what is printed or logged. */
export function withoutPassword(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/, '$1@');
}

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
  /** Where database URLs in env vars, and {@link STATEMENT_TIMEOUT_ENV}, come from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Remembers each database's port across controller restarts. */
  ports?: { get(url: string): number | undefined; set(url: string, port: number): void };
  /**
   * Keeps the served databases' password (mode 0600), so that a restarted controller serves
   * them with the password the running processes were given. Without it, a new one each time.
   */
  passwordFile?: string;
  /** Overrides {@link STATEMENT_TIMEOUT_ENV}. */
  statementTimeoutMs?: number;
  log?: (line: string) => void;
}

/** An open embedded database: in process, or (served) in its own thread behind a server. */
interface Open {
  /** A session for the migration runner; not owned: its close() leaves the database open. */
  session(): SqlSession;
  served?: ServedPglite;
  close(): Promise<void>;
}

/** The password in `file`, created (random, mode 0600) when there is none. */
export function ensureDatabasePassword(file: string): string {
  try {
    if (existsSync(file)) {
      chmodSync(file, 0o600);
      const text = readFileSync(file, 'utf8').trim();
      if (text) return text;
    }
    const password = randomBytes(24).toString('base64url');
    const fd = openSync(file, 'w', 0o600);
    writeSync(fd, `${password}\n`);
    closeSync(fd);
    chmodSync(file, 0o600);
    return password;
  } catch (e) {
    throw new InvalidInputError('database-password-unusable', `cannot read or create the embedded database password ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file });
  }
}

/** The statement timeout from {@link STATEMENT_TIMEOUT_ENV}, or the default. */
export function statementTimeoutFrom(env: NodeJS.ProcessEnv): number {
  const text = env[STATEMENT_TIMEOUT_ENV];
  if (text === undefined || text.trim() === '') return DEFAULT_STATEMENT_TIMEOUT_MS;
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 0) {
    throw new InvalidInputError('invalid-statement-timeout', `${STATEMENT_TIMEOUT_ENV}: ${JSON.stringify(text)} is not a duration (use e.g. 30s or 2m, or 0 for no limit)`, { value: text });
  }
  return ms;
}

export function createEmbeddedDatabases(opts: EmbeddedDatabaseOptions): EmbeddedDatabases {
  const log = opts.log ?? (() => undefined);
  const env = opts.env ?? process.env;
  const open = new Map<string, Promise<Open>>();
  /** By URL: a database stays served (and listed) until the controller stops, also once no SchemaMigration names it. */
  const views = new Map<string, EmbeddedDatabaseView>();
  const statementTimeoutMs = opts.serve ? (opts.statementTimeoutMs ?? statementTimeoutFrom(env)) : 0;
  const password = !opts.serve ? '' : opts.passwordFile ? ensureDatabasePassword(opts.passwordFile) : randomBytes(24).toString('base64url');
  let closed = false;

  async function serve(thread: PgliteThread, url: string): Promise<ServedPglite> {
    const remembered = opts.ports?.get(url);
    const options = { password, statementTimeoutMs, log };
    let served: ServedPglite;
    try {
      served = await servePglite(thread, { ...options, port: remembered ?? 0 });
    } catch (e) {
      if (remembered === undefined) throw e;
      // Someone else took the port while the controller was down: a new one (processes started
      // from now on get it; running ones keep the old URL until they restart).
      log(`embedded database ${url}: port ${remembered} is taken (${e instanceof Error ? e.message : String(e)}); serving on a new port`);
      served = await servePglite(thread, { ...options, port: 0 });
    }
    opts.ports?.set(url, served.port);
    return served;
  }

  /** In process: what `baton migrate` and the engine without `baton up` use. */
  async function openInProcess(url: string): Promise<Open> {
    const opened = await openPglite(url);
    return { session: () => pgliteSession(opened.db, false), close: () => opened.close() };
  }

  /** In its own thread, served; `pglite:memory` in a temporary directory the thread removes. */
  async function openServed(url: string): Promise<Open> {
    const dir = pgliteDir(url);
    const lock = dir ? lockPgliteDir(dir) : undefined;
    let thread: PgliteThread | undefined;
    try {
      thread = await startPgliteThread(dir);
      const served = await serve(thread, url);
      lock?.note(served.address);
      log(`embedded database ${url}: served at ${served.address} (statement timeout ${statementTimeoutMs > 0 ? formatDuration(statementTimeoutMs) : 'none'})`);
      const running = thread;
      return {
        served,
        session: () => served.session(),
        close: async () => {
          await served.close();
          await running.close();
          lock?.release();
        },
      };
    } catch (e) {
      await thread?.close().catch(() => undefined);
      lock?.release();
      throw e;
    }
  }

  function get(url: string): Promise<Open> {
    if (closed) return Promise.reject(new Error(`embedded database ${url}: the controller is stopping`));
    let o = open.get(url);
    if (!o) {
      o = opts.serve ? openServed(url) : openInProcess(url);
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
        // statements.
        const session = o.session();
        if (!o.served) return session;
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
        await o?.close();
      }
    },
  };
}
